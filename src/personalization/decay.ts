import type { Affinity } from './types.js';

// Exponential time decay. A weight `w` stored at time `t` is worth w × 0.5^(Δdays / halfLife)
// later. Adding signals this way is order-independent: an old event replayed after newer ones
// lands at its own age, exactly as if it had arrived in order.

export const DAY_MS = 86_400_000;

/** Factor by which a weight shrinks from `from` to `to` (1 when `to` is not later). */
export function decayFactor(from: number, to: number, halfLifeDays: number): number {
  if (!(to > from) || !(halfLifeDays > 0)) return 1;
  return Math.pow(0.5, (to - from) / (halfLifeDays * DAY_MS));
}

/** The weight of an affinity as of `now`; corrupt values count as 0. */
export function decayedWeight(affinity: Affinity | undefined, now: number, halfLifeDays: number): number {
  if (!affinity) return 0;
  const { w, t } = affinity;
  if (!Number.isFinite(w) || !Number.isFinite(t)) return 0;
  return w * decayFactor(t, now, halfLifeDays);
}

/**
 * Adds `weight` observed at `at` to an affinity kept as (w, t), in place. A newer signal moves the
 * reference time forward; an older one is decayed to the existing reference time first.
 */
export function addSignal(affinity: Affinity, weight: number, at: number, halfLifeDays: number): void {
  if (!Number.isFinite(affinity.w) || !Number.isFinite(affinity.t)) {
    affinity.w = 0;
    affinity.t = at;
  }
  if (at >= affinity.t) {
    affinity.w = affinity.w * decayFactor(affinity.t, at, halfLifeDays) + weight;
    affinity.t = at;
  } else {
    affinity.w += weight * decayFactor(at, affinity.t, halfLifeDays);
  }
}
