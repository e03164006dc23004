import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { personalize } from '../../src/personalization/personalize.js';
import { config, day, hit, hits, profileFrom, purchase, record } from './fixtures.js';

const cfg = config();
const now = day(30);
const shopper = profileFrom(
  [
    purchase(day(20), 'oat-milk', { id: 'oat-yog', quantity: 1, brand: 'Oatly' }),
    purchase(day(25), { id: 'oat-milk', quantity: 1, brand: 'Oatly' }),
    purchase(day(28), 'oat-milk', 'bread'),
    purchase(day(29), 'oat-milk', 'oat-milk-2'),
    purchase(day(29.5), 'oat-milk'),
  ],
  now,
);
const page = hits(hit('cow-milk'), hit('soy-milk'), hit('almond-milk'), hit('oat-milk'), hit('oatly-barista', { brand: 'Oatly' }), hit('rice-milk'));

describe('ranking', () => {
  it('strength 0 keeps exactly the backend order', () => {
    const out = personalize({ hits: page, record: record(shopper), strength: 0, config: cfg, now, explain: false });
    expect(out.order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(out.moved).toEqual([]);
    expect(out.section.applied).not.toContain('smart_ranking');
  });

  it('moves the products the shopper buys up and says so', () => {
    const out = personalize({ hits: page, record: record(shopper), strength: 0.5, config: cfg, now, explain: true });
    expect(out.order[0]).toBe(3); // oat-milk, bought 5 times
    expect(out.moved).toContain(3);
    expect(out.section.applied).toContain('smart_ranking');
    expect(out.section.badges).toContain('Personalized for you');
    const oat = out.section.explain!.find((e) => e.id === 'oat-milk')!;
    expect(oat).toMatchObject({ from: 3, to: 0 });
    expect(oat.reasons).toContain('bought 5 times');
    expect(out.section.explain!.find((e) => e.id === 'oatly-barista')!.reasons).toContain('you like Oatly');
  });

  it('is stable: hits the shopper has no affinity for keep their backend order', () => {
    const out = personalize({ hits: page, record: record(shopper), strength: 1, config: cfg, now, explain: false });
    expect(out.order.slice(0, 2)).toEqual([3, 4]); // at full strength, brand affinity lifts the Oatly barista too
    const neutral = out.order.filter((i) => [0, 1, 2, 5].includes(i));
    expect(neutral).toEqual([0, 1, 2, 5]);
  });

  it("the shopper's own strength overrides the route's", () => {
    const out = personalize({ hits: page, record: record(shopper, { strength: 0 }), strength: 1, config: cfg, now, explain: false });
    expect(out.order).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('never drops or invents a hit, whatever the profile and strength', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), { minLength: 0, maxLength: 30 }),
        fc.array(fc.constantFrom('a', 'b', 'c', 'x', 'y'), { minLength: 1, maxLength: 8 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (results, bought, strength) => {
          const profile = profileFrom(bought.map((id, i) => purchase(day(i), { id, quantity: 1, brand: id, tags: ['vegan'] })), day(10));
          const list = hits(...results.map((id) => hit(id, { brand: id, tags: id === 'b' ? ['contains-meat'] : [] })));
          const out = personalize({ hits: list, record: record(profile, { dietary: ['vegetarian'] }), strength, config: cfg, now: day(10), explain: false });
          expect([...out.order].sort((x, y) => x - y)).toEqual(list.map((_, i) => i));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a shopper with no history gets the backend order and an honest empty section', () => {
    const out = personalize({ hits: page, record: record(null), strength: 1, config: cfg, now, explain: false });
    expect(out.order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(out.section).toMatchObject({ enabled: true, applied: [], confidence: 0, badges: [], usual: [], reorder: [] });
    expect(out.section.features).toContain('smart_ranking');
  });

  it('switching smart_ranking off keeps the backend order', () => {
    const out = personalize({ hits: page, record: record(shopper, { features: { smart_ranking: false } }), strength: 1, config: cfg, now, explain: false });
    expect(out.order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(out.section.features).not.toContain('smart_ranking');
  });

  it('an opted-out shopper gets the backend order and a disabled section', () => {
    const out = personalize({ hits: page, record: record(shopper, { personalization: false }), strength: 1, config: cfg, now, explain: false });
    expect(out.order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(out.section.enabled).toBe(false);
  });

  it('a corrupt profile falls back to defaults and never throws', () => {
    const corrupt = { orders: 3, products: { 'oat-milk': { n: 'many' } }, brands: null } as never;
    const out = personalize({ hits: page, record: record(corrupt), strength: 1, config: cfg, now, explain: true });
    expect([...out.order].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(out.section.usual).toEqual([]);
  });

  it('corrupt settings and session fall back to defaults', () => {
    const rec = {
      profile: shopper,
      settings: { personalization: true, features: 'all', dietary: 'vegan', strength: Number.NaN, updatedAt: 0 },
      session: { recent: 'x', queries: null, updatedAt: 0 },
    } as never;
    const out = personalize({ hits: page, record: rec, strength: 0.5, config: cfg, now, explain: false });
    expect(out.order[0]).toBe(3); // the route strength applies; ranking still works
    expect(out.section.enabled).toBe(true);
    expect(out.section.features).toContain('smart_ranking');
  });

  it('recently viewed products get a session boost', () => {
    const rec = { ...record(null), session: { recent: [{ id: 'rice-milk', type: 'view' as const, at: now }], queries: [], updatedAt: now } };
    const out = personalize({ hits: page, record: rec, strength: 1, config: cfg, now, explain: false });
    // A new shopper without a profile: the session alone lifts what they just looked at.
    expect(out.order).toEqual([5, 0, 1, 2, 3, 4]);
    const withProfile = { ...rec, profile: shopper };
    const out2 = personalize({ hits: page, record: withProfile, strength: 1, config: cfg, now, explain: true });
    expect(out2.order.indexOf(5)).toBeLessThan(5);
    expect(out2.section.explain!.find((e) => e.id === 'rice-milk')!.reasons).toContain('seen this session');
  });
});
