import type { HitView } from './hit-view.js';
import { dietaryFit } from './dietary-vocabulary.js';
import { hitTags, type RankContext } from './rank-context.js';
import { termReasons } from './score-terms.js';

// Per-hit explanations, built only when asked (`explain`): where the hit was, where it is now,
// and in plain words why ("bought 5 times", "you like Oatly", "vegan"). Each score term says its
// own reasons (score-terms.ts), so a new term explains itself.

export interface ExplainEntry {
  id: string;
  from: number;
  /** New position; −1 when a hard dietary filter removed the hit. */
  to: number;
  reasons: string[];
}

export function hitReasons(hit: HitView, ctx: RankContext): string[] {
  return termReasons(hit, hitTags(hit), ctx);
}

/** One entry per hit: kept hits in their new order, then hits a hard filter removed (`to` = −1). */
export function explainOrder(hits: readonly HitView[], order: readonly number[], ctx: RankContext, removed: readonly number[] = []): ExplainEntry[] {
  const entries: ExplainEntry[] = [];
  for (let to = 0; to < order.length; to++) {
    const from = order[to]!;
    const hit = hits[from]!;
    entries.push({ id: hit.id, from, to, reasons: hitReasons(hit, ctx) });
  }
  for (const from of removed) {
    const hit = hits[from]!;
    const tags = hitTags(hit);
    const by = ctx.preferences.filter((p) => p.hard && dietaryFit(p.rule, tags) === -1).map((p) => p.name);
    entries.push({ id: hit.id, from, to: -1, reasons: [`hidden by the store's ${by.join(', ')} filter`] });
  }
  return entries;
}
