import type { HitView } from './hit-view.js';
import type { PersonalizationConfig } from '../config/schema.js';
import { dietaryFit, normalizeTag } from './dietary-vocabulary.js';
import type { ActivePreference } from './dietary.js';
import { priceFit, type PriceLevel } from './price-fit.js';
import type { ProfileView } from './profile-view.js';
import { inSeason, OUT_OF_SEASON_FACTOR } from './seasons.js';
import type { SessionContext, ShopperProfile } from './types.js';

// Everything the ranker needs for one page, and the per-hit affinity score. The shopper's
// affinities come squashed from the profile view (profile-view.ts), each to 0..1 with
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

export interface ScoreParts {
  product: number;
  brand: number;
  category: number;
  tag: number;
  session: number;
  dietary: number;
  complementary: number;
  price: number;
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

/** The affinity score of one hit, and optionally its parts (for explanations). */
export function personalScore(hit: HitView, tags: readonly string[], ctx: RankContext, parts?: ScoreParts): number {
  const w = ctx.weights;
  let product = 0;
  let brand = 0;
  let category = 0;
  let tag = 0;
  const view = ctx.view;
  if (ctx.affinity && view) {
    product = view.product.get(hit.id) ?? 0;
    if (ctx.seasonal && product > 0 && inSeason(view.profile.products[hit.id], ctx.now) === false) product *= OUT_OF_SEASON_FACTOR;
    if (hit.brand) brand = view.brand.get(hit.brand) ?? 0;
    if (hit.category) category = view.category.get(hit.category) ?? 0;
    // The strongest lift, up or down, among the hit's tags.
    for (const t of tags) {
      const v = ctx.tagLift.get(t) ?? 0;
      if (Math.abs(v) > Math.abs(tag)) tag = v;
    }
  }
  const session = ctx.affinity ? (ctx.session.get(hit.id) ?? 0) : 0;
  const price = ctx.priceLevels.size > 0 ? priceFit(hit, ctx.priceLevels) : 0;
  const complementary = ctx.complements.size > 0 ? (ctx.complements.get(hit.id)?.score ?? 0) : 0;
  const dietary = ctx.dietary ? dietaryScore(ctx.preferences, tags) : 0;
  if (parts) {
    parts.product = product;
    parts.brand = brand;
    parts.category = category;
    parts.tag = tag;
    parts.session = session;
    parts.dietary = dietary;
    parts.complementary = complementary;
    parts.price = price;
  }
  return w.product * product + w.brand * brand + w.category * category + w.tag * tag + w.session * session + w.dietary * dietary + (w.complementary ?? 0) * complementary + w.price * price;
}
