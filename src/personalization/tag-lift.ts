import type { HitView } from './hit-view.js';
import { decayedWeight } from './decay.js';
import { normalizeTag } from './dietary-vocabulary.js';
import type { ShopperProfile } from './types.js';

// Tags like `organic` cover large parts of a result list, so "the shopper has bought organic
// things" says little: almost everyone has. What matters is whether the shopper picks the tag
// MORE often than the results carry it. Per tag on this page:
//   h = share of hits with the tag, s = share of the shopper's signal weight with the tag,
//   lift = (s − h) / (1 − h) when s ≥ h (0..1), (s − h) / h otherwise (−1..0).
// Offline, absolute tag weights pushed bought products down (every organic item went up for
// anyone who ever bought one organic item); the lift does not.

/** Decayed signal mass of the profile: the larger of its category and product sums. */
function signalMass(profile: ShopperProfile, now: number, halfLifeDays: number): number {
  let categories = 0;
  for (const k in profile.categories) categories += Math.max(0, decayedWeight(profile.categories[k], now, halfLifeDays));
  let products = 0;
  for (const k in profile.products) products += Math.max(0, decayedWeight(profile.products[k], now, halfLifeDays));
  return Math.max(categories, products);
}

/** Tag → s, the share of the shopper's decayed signal mass carrying it (page-independent; empty when the mass is 0). */
export function tagShares(profile: ShopperProfile, now: number, halfLifeDays: number): Map<string, number> {
  const shares = new Map<string, number>();
  const tags = Object.keys(profile.tags);
  if (tags.length === 0) return shares;
  const mass = signalMass(profile, now, halfLifeDays);
  if (!(mass > 0)) return shares;
  for (const tag of tags) {
    if (profile.tags[tag]) shares.set(tag, Math.min(1, Math.max(0, decayedWeight(profile.tags[tag], now, halfLifeDays) / mass)));
  }
  return shares;
}

/** Tag lift on this page from the shopper's tag shares (`tagShares`, kept in the profile view). */
export function tagLiftOnPage(hits: readonly HitView[], shares: ReadonlyMap<string, number>): Map<string, number> {
  const lift = new Map<string, number>();
  if (shares.size === 0 || hits.length === 0) return lift;
  const counts = new Map<string, number>();
  for (const hit of hits) {
    if (!Array.isArray(hit.tags)) continue;
    for (const raw of hit.tags) {
      if (typeof raw !== 'string') continue;
      const tag = shares.has(raw) ? raw : normalizeTag(raw);
      if (shares.has(tag)) counts.set(tag, (counts.get(tag) ?? 0) + 1);
    }
  }
  for (const [tag, count] of counts) {
    const h = count / hits.length;
    const s = shares.get(tag)!;
    lift.set(tag, h >= 1 ? 0 : s >= h ? (s - h) / (1 - h) : (s - h) / h);
  }
  return lift;
}
