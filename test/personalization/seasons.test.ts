import { describe, expect, it } from 'vitest';
import { personalize } from '../../src/personalization/personalize.js';
import { reorderItems } from '../../src/personalization/reorder.js';
import { addSeasonPurchase, inSeason, productSeason, seasonIndex, unpackSeasons } from '../../src/personalization/seasons.js';
import type { ProductStat } from '../../src/personalization/types.js';
import { config, hit, hits, profileFrom, purchase, record } from './fixtures.js';

const at = (month: number, dayOfMonth = 1) => Date.UTC(2026, month - 1, dayOfMonth);
const blank = (): ProductStat => ({ n: 0, q: 0, w: 0, t: 0, last: 0, gn: 0, gm: 0, gv: 0, qn: 0 });
const seasonalCfg = config({ features: { seasonal: true } });

describe('seasons', () => {
  it('maps months to seasons (northern hemisphere)', () => {
    expect([12, 1, 2, 3, 6, 9, 11].map((m) => seasonIndex(at(m)))).toEqual([0, 0, 0, 1, 2, 3, 3]);
  });

  it('packs counts and halves them when one is full', () => {
    const s = blank();
    for (let i = 0; i < 15; i++) addSeasonPurchase(s, at(7));
    addSeasonPurchase(s, at(1));
    expect(unpackSeasons(s.ss)).toEqual([1, 0, 15, 0]);
    addSeasonPurchase(s, at(7));
    expect(unpackSeasons(s.ss)).toEqual([0, 0, 8, 0]);
  });

  it('calls a product seasonal with 3+ purchases, 75% in one season; too little data: not seasonal', () => {
    const s = blank();
    [6, 7, 8].forEach((m) => addSeasonPurchase(s, at(m)));
    expect(productSeason(s)).toBe('summer');
    expect(inSeason(s, at(7, 20))).toBe(true);
    expect(inSeason(s, at(11))).toBe(false);
    const two = blank();
    [6, 7].forEach((m) => addSeasonPurchase(two, at(m)));
    expect(productSeason(two)).toBeNull();
    const allYear = blank();
    [1, 4, 7, 10].forEach((m) => addSeasonPurchase(allYear, at(m)));
    expect(productSeason(allYear)).toBeNull();
  });

  it('keeps season counts only when the store enables the feature', () => {
    const events = [6, 7, 8].map((m) => purchase(at(m, 10), 'ice-cream'));
    expect(profileFrom(events, at(9)).products['ice-cream']!.ss).toBeUndefined();
    expect(profileFrom(events, at(9), seasonalCfg).products['ice-cream']!.ss).toBeDefined();
  });

  it('out of season: no reminder and half the ranking lift', () => {
    const events = [
      ...[6, 7, 8].map((m) => purchase(at(m, 10), 'ice-cream')),
      purchase(at(8, 25), 'soup'),
    ];
    const p = profileFrom(events, at(9), seasonalCfg);
    expect(reorderItems(p, at(9, 20), seasonalCfg.reorder, { seasonal: true }).map((r) => r.id)).toEqual([]);
    expect(reorderItems(p, at(9, 20), seasonalCfg.reorder, { seasonal: false }).map((r) => r.id)).toContain('ice-cream');
    const page = hits(hit('soup'), hit('ice-cream'));
    const winter = personalize({ hits: page, record: record(p), strength: 1, config: seasonalCfg, now: at(12, 1), explain: true });
    expect(winter.order).toEqual([0, 1]); // halved out of season, ice-cream no longer beats soup
    expect(winter.section.explain![1]!.reasons).toContain('out of season');
    const summer = personalize({ hits: page, record: record(p), strength: 1, config: seasonalCfg, now: at(8, 30), explain: false });
    expect(summer.order).toEqual([1, 0]);
  });
});
