import type { HitView } from './hit-view.js';
import type { PersonalizationConfig } from '../config/schema.js';
import { dietaryFit, normalizeTag } from './dietary-vocabulary.js';
import type { ActivePreference } from './dietary.js';
import type { PriceLevel } from './price-fit.js';
import type { ProfileView } from './profile-view.js';
import type { SessionContext, ShopperProfile } from './types.js';

// Everything the ranker needs for one page; the score's terms read it (score-terms.ts). The
// shopper's affinities come squashed from the profile view (profile-view.ts), each to 0..1 with
// x / (x + k): one recent purchase of a product gives
// 0.5, five give ~0.83; a single view gives ~0.23. Absolute (not relative to the shopper's
// strongest item), so a shopper with one view does not get that product pushed to the top.

export interface RankContext {
  profile: ShopperProfile | null;
  /** The profile's page-independent figures (decayed affinities, …); null without a profile. */
  view: ProfileView | null;
  now: number;
  halfLifeDays: number;
  weights: PersonalizationConfig['weights'];
  preferences: ActivePreference[];
  /** Tag → lift of the shopper's preference for it over its share of this page (see tag-lift). */
  tagLift: Map<string, number>;
  /** Category → the shopper's price level on this page (price_sensitivity feature). */
  priceLevels: Map<string, PriceLevel>;
  /** Partner product → co-purchase score with the shopper's anchors (complementary feature). */
  complements: Map<string, { score: number; anchor: string }>;
  /** Product id → 1 for the newest session item, falling towards 0 for older ones. */
  session: Map<string, number>;
  /** Apply the dietary component (feature on and some preference active). */
  dietary: boolean;
  /** Seasonal feature: seasonal products count less out of season. */
  seasonal: boolean;
  /** Apply the affinity and session components (smart_ranking on). */
  affinity: boolean;
}

export function buildSession(session: SessionContext | null): Map<string, number> {
  const map = new Map<string, number>();
  const recent = Array.isArray(session?.recent) ? session.recent : [];
  const n = recent.length;
  for (let i = 0; i < n; i++) {
    const id = recent[i]?.id;
    if (typeof id === 'string' && !map.has(id)) map.set(id, 1 - i / (n + 1));
  }
  return map;
}

const NEEDS_NORMALIZING = /[A-Z\s_]/;

/** Normalized tags of a hit (adapters may pass any case or spacing). */
export function hitTags(hit: HitView): string[] {
  const tags = Array.isArray(hit.tags) ? hit.tags : [];
  let clean = true;
  for (const t of tags) if (typeof t !== 'string' || NEEDS_NORMALIZING.test(t)) clean = false;
  return clean ? tags : tags.filter((t): t is string => typeof t === 'string').map(normalizeTag);
}

/** Sum of fit × confidence over the active preferences, clamped to -1..1. */
export function dietaryScore(preferences: readonly ActivePreference[], tags: readonly string[]): number {
  let s = 0;
  for (const p of preferences) s += dietaryFit(p.rule, tags) * p.confidence;
  return s > 1 ? 1 : s < -1 ? -1 : s;
}
