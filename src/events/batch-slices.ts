import { setImmediate as immediate } from 'node:timers/promises';

// Large event batches are worked through in slices with a turn of the event loop in between:
// sockets that became readable meanwhile (a search) are served before the next slice runs.

/**
 * Consecutive runs of `events` holding at most `maxItems` items each (by `itemsOf`); an event is
 * never split, so one with more items than `maxItems` is a slice of its own.
 *
 * ```ts
 * slicesByItems(events, (e) => e.items.length, 250); // [[e0, e1], [e2], ...]
 * ```
 */
export function slicesByItems<T>(events: readonly T[], itemsOf: (event: T) => number, maxItems: number): T[][] {
  const slices: T[][] = [];
  let current: T[] = [];
  let items = 0;
  for (const event of events) {
    const n = Math.max(1, itemsOf(event));
    if (current.length > 0 && items + n > maxItems) {
      slices.push(current);
      current = [];
      items = 0;
    }
    current.push(event);
    items += n;
  }
  if (current.length > 0) slices.push(current);
  return slices;
}

/** Resolves after the event loop's I/O phase has run (setImmediate, not a microtask: those run before I/O). */
export function nextTurn(): Promise<void> {
  return immediate();
}
