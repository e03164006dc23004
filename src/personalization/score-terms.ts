import type { FeatureName } from '../config/schema.js';
import { dietaryFit } from './dietary-vocabulary.js';
import type { HitView } from './hit-view.js';
import { priceFit } from './price-fit.js';
import { dietaryScore, type RankContext } from './rank-context.js';
import { inSeason, OUT_OF_SEASON_FACTOR } from './seasons.js';

// The terms of a hit's personal score, in one table. Each term has a weight under
// `personalization.weights` (the table is keyed by those weights, so a weight without a term or a
// term without a weight does not compile), the feature whose switch brings it in (the signal
// ablation checks every such feature is measured), its value for a hit, and its reasons in plain
// words for explanations. The score is Σ weight × value, summed in the table's order.

export type ScoreTermName = keyof RankContext['weights'];

export interface ScoreTerm {
  /** The feature that switches this term on (personalize.ts builds the context from it). */
  readonly feature: FeatureName;
  /** The term's value for one hit, before its weight (0 = no say). */
  value(hit: HitView, tags: readonly string[], ctx: RankContext): number;
  /** Why the term moved the hit, in plain words ("you like Oatly"); [] = nothing worth saying. */
  reasons(hit: HitView, tags: readonly string[], ctx: RankContext, value: number): string[];
}

/** A term counts as a reason from this squashed value on (about one recent purchase). */
const NOTABLE = 0.3;

export const SCORE_TERMS = {
  product: {
    feature: 'smart_ranking',
    value(hit, _tags, ctx) {
      const view = ctx.view;
      if (!ctx.affinity || !view) return 0;
      const product = view.product.get(hit.id) ?? 0;
      // Seasonal products count less out of season.
      if (ctx.seasonal && product > 0 && inSeason(view.profile.products[hit.id], ctx.now) === false) return product * OUT_OF_SEASON_FACTOR;
      return product;
    },
    reasons(hit, _tags, ctx) {
      const stat = ctx.profile?.products[hit.id];
      if (!stat) return [];
      const reasons: string[] = [];
      if (ctx.affinity) {
        if (stat.n > 0) reasons.push(stat.n === 1 ? 'bought once' : `bought ${stat.n} times`);
        else if (stat.w > 0) reasons.push('you looked at this before');
      }
      if (ctx.seasonal) {
        const season = inSeason(stat, ctx.now);
        if (season !== null) reasons.push(season ? 'in season' : 'out of season');
      }
      return reasons;
    },
  },
  brand: {
    feature: 'smart_ranking',
    value: (hit, _tags, ctx) => (ctx.affinity && ctx.view && hit.brand ? (ctx.view.brand.get(hit.brand) ?? 0) : 0),
    reasons: (hit, _tags, _ctx, value) => (value >= NOTABLE && hit.brand ? [`you like ${hit.brand}`] : []),
  },
  category: {
    feature: 'smart_ranking',
    value: (hit, _tags, ctx) => (ctx.affinity && ctx.view && hit.category ? (ctx.view.category.get(hit.category) ?? 0) : 0),
    reasons: (hit, _tags, _ctx, value) => (value >= NOTABLE && hit.category ? [`you often buy ${hit.category}`] : []),
  },
  tag: {
    feature: 'smart_ranking',
    value(_hit, tags, ctx) {
      if (!ctx.affinity || !ctx.view) return 0;
      // The strongest lift, up or down, among the hit's tags.
      let tag = 0;
      for (const t of tags) {
        const v = ctx.tagLift.get(t) ?? 0;
        if (Math.abs(v) > Math.abs(tag)) tag = v;
      }
      return tag;
    },
    reasons(_hit, tags, ctx, value) {
      if (value < NOTABLE) return [];
      const best = tags.find((t) => (ctx.tagLift.get(t) ?? 0) >= NOTABLE);
      return best ? [`you often choose ${best}`] : [];
    },
  },
  session: {
    feature: 'smart_ranking',
    value: (hit, _tags, ctx) => (ctx.affinity ? (ctx.session.get(hit.id) ?? 0) : 0),
    reasons: (_hit, _tags, _ctx, value) => (value > 0 ? ['seen this session'] : []),
  },
  dietary: {
    feature: 'dietary',
    value: (_hit, tags, ctx) => (ctx.dietary ? dietaryScore(ctx.preferences, tags) : 0),
    reasons(_hit, tags, ctx) {
      if (!ctx.dietary) return [];
      const reasons: string[] = [];
      for (const p of ctx.preferences) {
        const fit = dietaryFit(p.rule, tags);
        if (fit === 1) reasons.push(p.name);
        else if (fit === -1) reasons.push(`not ${p.name}`);
      }
      return reasons;
    },
  },
  complementary: {
    feature: 'complementary',
    value: (hit, _tags, ctx) => (ctx.complements.size > 0 ? (ctx.complements.get(hit.id)?.score ?? 0) : 0),
    reasons: (hit, _tags, ctx, value) => (value > 0 ? [`often bought with ${ctx.complements.get(hit.id)!.anchor}`] : []),
  },
  price: {
    feature: 'price_sensitivity',
    value: (hit, _tags, ctx) => (ctx.priceLevels.size > 0 ? priceFit(hit, ctx.priceLevels) : 0),
    reasons: (_hit, _tags, _ctx, value) => (value >= 0.5 ? ['in your usual price range'] : []),
  },
} as const satisfies { readonly [K in ScoreTermName]: ScoreTerm };

/** The feature each term answers to (the signal ablation reads this type). */
export type ScoreTermFeature = (typeof SCORE_TERMS)[ScoreTermName]['feature'];

/** The table in summing order, for loops on the hot path. */
export const SCORE_TERM_LIST: readonly (ScoreTerm & { readonly name: ScoreTermName })[] = (Object.keys(SCORE_TERMS) as ScoreTermName[]).map((name) => ({
  name,
  ...SCORE_TERMS[name],
}));

/** The affinity score of one hit: Σ weight × value over the terms. */
export function personalScore(hit: HitView, tags: readonly string[], ctx: RankContext): number {
  const w = ctx.weights;
  let score = 0;
  for (const term of SCORE_TERM_LIST) score += w[term.name] * term.value(hit, tags, ctx);
  return score;
}

/** The reasons of every term for one hit, in the table's order. */
export function termReasons(hit: HitView, tags: readonly string[], ctx: RankContext): string[] {
  const reasons: string[] = [];
  for (const term of SCORE_TERM_LIST) reasons.push(...term.reasons(hit, tags, ctx, term.value(hit, tags, ctx)));
  return reasons;
}
