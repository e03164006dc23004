import { decayedWeight } from './decay.js';
import { keyedRecord, setEntry } from './keyed-record.js';
import type { Affinity, ProductStat, ShopperProfile } from './types.js';

// Keeps a profile bounded: the `maxProducts` products that matter most and the `maxAffinities`
// strongest entries of each affinity map. Only runs when a map is over its limit.

/** How much a product matters: its decayed signal weight plus its purchase count (repeat buys
 * drive "usual" and "reorder", so they outlive one-off views). */
export function productImportance(stat: ProductStat, now: number, halfLifeDays: number): number {
  return decayedWeight(stat, now, halfLifeDays) + 0.5 * stat.n;
}

function keepTop<T>(map: Record<string, T>, limit: number, score: (v: T) => number): Record<string, T> {
  const keys = Object.keys(map);
  if (keys.length <= limit) return map;
  const ranked = keys.map((k) => ({ k, s: score(map[k]!) }));
  // Ties broken by key so that trimming is deterministic.
  ranked.sort((a, b) => b.s - a.s || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  const kept = keyedRecord<T>();
  for (let i = 0; i < limit; i++) setEntry(kept, ranked[i]!.k, map[ranked[i]!.k]!);
  return kept;
}

export function boundProfile(profile: ShopperProfile, now: number, halfLifeDays: number, maxProducts: number, maxAffinities: number): void {
  profile.products = keepTop(profile.products, maxProducts, (s) => productImportance(s, now, halfLifeDays));
  const byWeight = (a: Affinity) => decayedWeight(a, now, halfLifeDays);
  profile.brands = keepTop(profile.brands, maxAffinities, byWeight);
  profile.categories = keepTop(profile.categories, maxAffinities, byWeight);
  profile.tags = keepTop(profile.tags, maxAffinities, byWeight);
}
