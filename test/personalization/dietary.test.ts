import { describe, expect, it } from 'vitest';
import { activePreferences } from '../../src/personalization/dietary.js';
import { dietaryFit, dietaryRule, normalizeTag } from '../../src/personalization/dietary-vocabulary.js';
import { personalize } from '../../src/personalization/personalize.js';
import { config, day, hit, hits, profileFrom, purchase, record } from './fixtures.js';

const cfg = config();
const page = hits(hit('steak', { tags: ['contains-meat'] }), hit('pasta', { tags: ['contains-gluten'] }), hit('tofu', { tags: ['Vegan'] }), hit('rice'));

function veganBuyer(n: number, other = 0) {
  const events = [];
  for (let i = 0; i < n; i++) events.push(purchase(day(i), { id: `v${i}`, quantity: 1, tags: ['vegan'] }));
  for (let i = 0; i < other; i++) events.push(purchase(day(i), { id: `o${i}`, quantity: 1 }));
  return profileFrom(events, day(n));
}

describe('dietary vocabulary', () => {
  it('normalizes tags and defines matches and conflicts', () => {
    expect(normalizeTag(' Gluten Free ')).toBe('gluten-free');
    const veg = dietaryRule('vegetarian', [])!;
    expect(dietaryFit(veg, ['vegan'])).toBe(1);
    expect(dietaryFit(veg, ['contains-meat'])).toBe(-1);
    expect(dietaryFit(veg, ['vegan', 'gelatin'])).toBe(-1); // conflict wins over match
    expect(dietaryFit(veg, ['organic'])).toBe(0);
    expect(dietaryFit(dietaryRule('halal', [])!, ['pork'])).toBe(-1);
    expect(dietaryRule('local', [])).toBeNull();
    expect(dietaryFit(dietaryRule('local', ['Local'])!, ['non-local'])).toBe(-1);
  });
});

describe('dietary preferences', () => {
  it('infers a preference from purchases with a confidence, only over enough purchases', () => {
    expect(activePreferences(veganBuyer(4), null, cfg.dietary)).toEqual([]); // 4 < inferMinPurchases
    const prefs = activePreferences(veganBuyer(8, 1), null, cfg.dietary);
    const vegan = prefs.find((p) => p.name === 'vegan')!;
    expect(vegan).toMatchObject({ source: 'inferred', hard: false });
    expect(vegan.confidence).toBeGreaterThan(0.4);
    expect(vegan.confidence).toBeLessThan(1);
    // 8 of 11 = 73% < 80%: no inference.
    expect(activePreferences(veganBuyer(8, 3), null, cfg.dietary).find((p) => p.name === 'vegan')).toBeUndefined();
  });

  it('an explicit preference has confidence 1 and wins over the inferred one', () => {
    const prefs = activePreferences(veganBuyer(10), { personalization: true, features: {}, dietary: ['Vegan', 'halal'], updatedAt: 0 }, cfg.dietary);
    expect(prefs.filter((p) => p.name === 'vegan')).toEqual([expect.objectContaining({ source: 'explicit', confidence: 1 })]);
    expect(prefs.find((p) => p.name === 'halal')!.source).toBe('explicit');
  });

  it('moves matching hits up and conflicting hits down, without removing them', () => {
    const out = personalize({ hits: page, record: record(null, { dietary: ['vegetarian'] }), strength: 0.5, config: cfg, now: day(0), explain: true });
    expect(out.order).toHaveLength(4);
    expect(out.order[0]).toBe(2); // tofu
    expect(out.order.indexOf(0)).toBeGreaterThan(1); // steak below tofu and pasta
    expect(out.section.applied).toContain('dietary');
    expect(out.section.preferences).toEqual([{ name: 'vegetarian', source: 'explicit', confidence: 1 }]);
    expect(out.section.explain!.find((e) => e.id === 'steak')!.reasons).toContain('not vegetarian');
  });

  it("removes conflicting hits only for an explicit preference in the store's hard filter", () => {
    const strict = config({ dietary: { hardFilter: ['vegetarian', 'vegan'] } });
    const out = personalize({ hits: page, record: record(null, { dietary: ['vegetarian'] }), strength: 0, config: strict, now: day(0), explain: true });
    expect(out.order).toEqual([1, 2, 3]); // steak removed, the rest in backend order at strength 0
    expect(out.moved).toEqual([]);
    expect(out.section.explain!.at(-1)).toEqual({ id: 'steak', from: 0, to: -1, reasons: ["hidden by the store's vegetarian filter"] });
    expect(out.section.applied).toContain('dietary_filter');
    // An inferred vegan preference demotes but never hides.
    const inferred = personalize({ hits: page, record: record(veganBuyer(10)), strength: 0.5, config: strict, now: day(10), explain: false });
    expect(inferred.order).toHaveLength(4);
    expect(inferred.order.indexOf(0)).toBeGreaterThan(0);
  });

  it('is off with the dietary feature off', () => {
    const out = personalize({ hits: page, record: record(null, { dietary: ['vegetarian'], features: { dietary: false } }), strength: 1, config: cfg, now: day(0), explain: false });
    expect(out.order).toEqual([0, 1, 2, 3]);
    expect(out.section.preferences).toBeUndefined();
  });
});
