import type { HitView } from './hit-view.js';
import type { PersonalizationConfig } from '../config/schema.js';
import { priceFit } from './price-fit.js';
import type { ProfileView } from './profile-view.js';
import { dietaryScore, type RankContext } from './rank-context.js';
import { SCORE_TERM_LIST, type ScoreTermName } from './score-terms.js';
import { inSeason, OUT_OF_SEASON_FACTOR, seasonIndex } from './seasons.js';

// The score-term table (score-terms.ts) compiled for one profile view: the profile-only terms
// (product, brand, category) become maps of weight × value, built once per view (a view is one
// profile object, config and minute) and seasonal switch, and the sum runs as straight-line code
// instead of eight calls through the table. Same products, same additions in the same order, so
// the same doubles: the compiled score equals personalScore() bit for bit (property-tested). A
// table whose terms differ from the ones compiled here is not compiled (scorerFor returns null)
// and the ranker sums the table as before.

const COMPILED_TERMS: readonly ScoreTermName[] = ['product', 'brand', 'category', 'tag', 'session', 'dietary', 'complementary', 'price'];
const tableIsCompiled = SCORE_TERM_LIST.length === COMPILED_TERMS.length && SCORE_TERM_LIST.every((t, i) => t.name === COMPILED_TERMS[i]);

export interface CompiledProfileTerms {
  /** Product id → weights.product × its product term (out-of-season factor applied when seasonal). */
  product: Map<string, number>;
  brand: Map<string, number>;
  category: Map<string, number>;
}

const compiled = new WeakMap<ProfileView, [CompiledProfileTerms | undefined, CompiledProfileTerms | undefined]>();

function weighted(values: ReadonlyMap<string, number>, weight: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, value] of values) out.set(key, weight * value);
  return out;
}

function compileTerms(view: ProfileView, weights: PersonalizationConfig['weights'], seasonal: boolean): CompiledProfileTerms {
  const product = new Map<string, number>();
  for (const [id, value] of view.product) {
    const adjusted = seasonal && value > 0 && inSeason(view.profile.products[id], view.at) === false ? value * OUT_OF_SEASON_FACTOR : value;
    product.set(id, weights.product * adjusted);
  }
  return { product, brand: weighted(view.brand, weights.brand), category: weighted(view.category, weights.category) };
}

/** The view's compiled profile terms for this seasonal switch, built on first use. */
export function compiledTerms(view: ProfileView, seasonal: boolean): CompiledProfileTerms {
  let pair = compiled.get(view);
  if (!pair) compiled.set(view, (pair = [undefined, undefined]));
  const slot = seasonal ? 1 : 0;
  return (pair[slot] ??= compileTerms(view, view.config.weights, seasonal));
}

export type HitScorer = (hit: HitView, tags: readonly string[]) => number;

/**
 * The affinity scorer for one page's context, or null when the table cannot be compiled (the
 * ranker then calls personalScore). The view's month is the context's (a view is built for the
 * minute of `now`), so the seasonal rule reads the same season.
 */
export function scorerFor(ctx: RankContext): HitScorer | null {
  if (!tableIsCompiled) return null;
  const view = ctx.affinity ? ctx.view : null;
  if (view && view.config.weights !== ctx.weights) return null;
  // The compiled product term read the season of the view's minute.
  if (view && ctx.seasonal && seasonIndex(view.at) !== seasonIndex(ctx.now)) return null;
  const terms = view ? compiledTerms(view, ctx.seasonal) : null;
  const w = ctx.weights;
  const { tagLift, session, complements, priceLevels, preferences } = ctx;
  const affinity = ctx.affinity;
  const dietary = ctx.dietary;
  return (hit, tags) => {
    let score = 0;
    if (terms) {
      score += terms.product.get(hit.id) ?? 0;
      score += hit.brand ? (terms.brand.get(hit.brand) ?? 0) : 0;
      score += hit.category ? (terms.category.get(hit.category) ?? 0) : 0;
      let tag = 0;
      for (const t of tags) {
        const v = tagLift.get(t) ?? 0;
        if (Math.abs(v) > Math.abs(tag)) tag = v;
      }
      score += w.tag * tag;
    }
    score += affinity ? w.session * (session.get(hit.id) ?? 0) : 0;
    score += dietary ? w.dietary * dietaryScore(preferences, tags) : 0;
    score += complements.size > 0 ? w.complementary * (complements.get(hit.id)?.score ?? 0) : 0;
    score += priceLevels.size > 0 ? w.price * priceFit(hit, priceLevels) : 0;
    return score;
  };
}
