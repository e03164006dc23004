import type { HitView } from './hit-view.js';
import { dietaryFit } from './dietary-vocabulary.js';
import { hitTags, type RankContext } from './rank-context.js';
import { scorerFor } from './compiled-score.js';
import { personalScore } from './score-terms.js';

// Reranking: blend the backend's order with the shopper's affinity under a strength knob.
//   score(i) = (1 − s) · (1 − i/N) + s · affinity(hit i)
// The backend's relevance is its position (i = 0 best). Strength 0 keeps the backend order
// exactly; ties keep the backend order (stable). No hit is dropped or added, except that an
// explicit preference in the store's hard filter removes the hits that conflict with it.

export interface RankOutcome {
  /** Indexes into `hits` in the new order. */
  order: number[];
  /** Indexes of hits removed by a hard dietary filter. */
  removed: number[];
  /** How many hits the shopper's affinity score touched (non-zero). */
  scored: number;
  /** Whether any hit's dietary score was non-zero. */
  dietaryTouched: boolean;
}

/**
 * `scoring: 'table'` sums the score-term table per hit (the reference); the default uses the
 * table compiled for the profile (compiled-score.ts), which gives the same scores.
 */
export function rankHits(hits: readonly HitView[], ctx: RankContext, strength: number, scoring: 'compiled' | 'table' = 'compiled'): RankOutcome {
  const n = hits.length;
  const s = Number.isFinite(strength) ? Math.min(1, Math.max(0, strength)) : 0;
  const hard = ctx.dietary ? ctx.preferences.filter((p) => p.hard) : [];
  const keys = new Float64Array(n);
  const kept: number[] = [];
  const removed: number[] = [];
  let scored = 0;
  let dietaryTouched = false;
  const needScore = s > 0 && (ctx.affinity || ctx.dietary);
  const scorer = needScore && scoring === 'compiled' ? scorerFor(ctx) : null;
  for (let i = 0; i < n; i++) {
    const hit = hits[i]!;
    const tags = needScore || hard.length > 0 ? hitTags(hit) : hit.tags;
    if (hard.length > 0 && hard.some((p) => dietaryFit(p.rule, tags) === -1)) {
      removed.push(i);
      continue;
    }
    kept.push(i);
    const relevance = 1 - i / n;
    if (!needScore) {
      keys[i] = relevance;
      continue;
    }
    const affinity = scorer ? scorer(hit, tags) : personalScore(hit, tags, ctx);
    if (affinity !== 0) scored += 1;
    if (ctx.dietary && !dietaryTouched && ctx.preferences.length > 0) {
      for (const p of ctx.preferences) if (dietaryFit(p.rule, tags) !== 0) dietaryTouched = true;
    }
    keys[i] = (1 - s) * relevance + s * affinity;
  }
  if (needScore) kept.sort((a, b) => keys[b]! - keys[a]! || a - b);
  return { order: kept, removed, scored, dietaryTouched };
}

/** Hits that ended above their place among the kept hits in backend order (moved up for the shopper). */
export function movedUp(order: readonly number[], n: number): number[] {
  // Rank of each kept hit among the kept hits in backend order (a hard filter shifts the rest up).
  const isKept = new Uint8Array(n);
  for (const idx of order) isKept[idx] = 1;
  const rankAmongKept = new Int32Array(n);
  for (let i = 0, r = 0; i < n; i++) if (isKept[i]) rankAmongKept[i] = r++;
  const moved: number[] = [];
  for (let pos = 0; pos < order.length; pos++) {
    const idx = order[pos]!;
    if (pos < rankAmongKept[idx]!) moved.push(idx);
  }
  return moved;
}
