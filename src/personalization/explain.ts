import type { HitView } from './hit-view.js';
import { dietaryFit } from './dietary-vocabulary.js';
import { inSeason } from './seasons.js';
import { hitTags, personalScore, type RankContext, type ScoreParts } from './rank-context.js';

// Per-hit explanations, built only when asked (`explain`): where the hit was, where it is now,
// and in plain words why ("bought 5 times", "you like Oatly", "vegan").

export interface ExplainEntry {
  id: string;
  from: number;
  /** New position; −1 when a hard dietary filter removed the hit. */
  to: number;
  reasons: string[];
}

/** A component counts as a reason from this squashed value on (about one recent purchase). */
const NOTABLE = 0.3;

export function hitReasons(hit: HitView, ctx: RankContext): string[] {
  const parts: ScoreParts = { product: 0, brand: 0, category: 0, tag: 0, session: 0, dietary: 0, complementary: 0, price: 0 };
  const tags = hitTags(hit);
  personalScore(hit, tags, ctx, parts);
  const reasons: string[] = [];
  const stat = ctx.profile?.products[hit.id];
  if (ctx.affinity && stat) {
    if (stat.n > 0) reasons.push(stat.n === 1 ? 'bought once' : `bought ${stat.n} times`);
    else if (stat.w > 0) reasons.push('you looked at this before');
  }
  if (ctx.seasonal && stat) {
    const season = inSeason(stat, ctx.now);
    if (season !== null) reasons.push(season ? 'in season' : 'out of season');
  }
  if (parts.brand >= NOTABLE && hit.brand) reasons.push(`you like ${hit.brand}`);
  if (parts.category >= NOTABLE && hit.category) reasons.push(`you often buy ${hit.category}`);
  if (parts.tag >= NOTABLE) {
    const best = tags.find((t) => (ctx.tagLift.get(t) ?? 0) >= NOTABLE);
    if (best) reasons.push(`you often choose ${best}`);
  }
  if (parts.session > 0) reasons.push('seen this session');
  if (parts.price >= 0.5) reasons.push('in your usual price range');
  if (parts.complementary > 0) reasons.push(`often bought with ${ctx.complements.get(hit.id)!.anchor}`);
  if (ctx.dietary) {
    for (const p of ctx.preferences) {
      const fit = dietaryFit(p.rule, tags);
      if (fit === 1) reasons.push(p.name);
      else if (fit === -1) reasons.push(`not ${p.name}`);
    }
  }
  return reasons;
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
