import type { Metrics } from '../metrics/metrics.js';
import type { ShopperEvent } from '../personalization/types.js';
import type { ProfileStore } from '../store/profile-store.js';

/** Where events came from: the events API, a traffic tap, or a bulk import. */
export type EventSource = 'api' | 'tap' | 'import';

/** Told about every batch a shopper's profile accepted (experiment attribution listens). Must not throw. */
export type EventsAcceptedHook = (shopperId: string, events: readonly ShopperEvent[], source: EventSource, now: number) => void;

export type IngestResult =
  | { stored: true; applied: number; duplicates: number; journaled: boolean }
  | { stored: false; reason: 'opted-out' };

/**
 * The one way events reach a profile, whatever their source: an opted-out shopper's events are
 * dropped (data minimization), the rest are applied atomically and idempotently by the store,
 * and the new ones are counted per type and source.
 */
export async function ingestEvents(
  deps: { store: ProfileStore; metrics: Metrics; onEventsAccepted?: EventsAcceptedHook },
  shopperId: string,
  events: ShopperEvent[],
  source: EventSource,
  now: number,
): Promise<IngestResult> {
  const read = await deps.store.read(shopperId, now);
  if (read.record.settings && !read.record.settings.personalization) {
    deps.metrics.eventsRejected.inc({ reason: 'opted-out' });
    return { stored: false, reason: 'opted-out' };
  }
  const result = await deps.store.applyEvents(shopperId, events, now);
  deps.onEventsAccepted?.(shopperId, events, source, now);
  if (result.applied > 0) {
    // Count by type only what was new; a retried batch adds nothing.
    const counts = new Map<string, number>();
    for (const event of events) counts.set(event.type, (counts.get(event.type) ?? 0) + 1);
    if (result.duplicates === 0) {
      for (const [type, n] of counts) deps.metrics.eventsIngested.inc({ type, source }, n);
    } else {
      deps.metrics.eventsIngested.inc({ type: events.length === 1 || counts.size === 1 ? events[0]!.type : 'mixed', source }, result.applied);
    }
  }
  return { stored: true, applied: result.applied, duplicates: result.duplicates, journaled: result.journaled };
}
