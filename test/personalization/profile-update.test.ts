import { describe, expect, it } from 'vitest';
import { decayedWeight } from '../../src/personalization/decay.js';
import { applyEvents, createProfileUpdater } from '../../src/personalization/profile-update.js';
import type { ShopperProfile } from '../../src/personalization/types.js';
import { config, day, event, profileFrom, purchase } from './fixtures.js';

describe('applyEvents', () => {
  it('weighs signals by event type with the seed defaults and decays them with the half-life', () => {
    const p = profileFrom([purchase(day(0), 'milk'), event('view', day(0), 'oat'), event('remove_from_cart', day(0), 'soda')], day(0));
    expect(p.products.milk!.w).toBeCloseTo(1.0);
    expect(p.products.oat!.w).toBeCloseTo(0.3);
    expect(p.products.soda!.w).toBeCloseTo(-0.4);
    expect(p.products.oat!.n).toBe(0);
    // 30-day half-life: one month later the purchase is worth half.
    expect(decayedWeight(p.products.milk!, day(30), 30)).toBeCloseTo(0.5);
  });

  it('takes signal weights and half-life from config', () => {
    const cfg = config({ signalWeights: { view: 2 }, halfLifeDays: 10 });
    const p = profileFrom([event('view', day(0), 'oat'), event('view', day(10), 'oat')], day(10), cfg);
    expect(p.products.oat!.w).toBeCloseTo(2 * 0.5 + 2);
  });

  it('counts purchases, usual quantity by majority and purchase gaps', () => {
    const p = profileFrom(
      [
        purchase(day(0), { id: 'eggs', quantity: 2 }),
        purchase(day(7), { id: 'eggs', quantity: 2 }),
        purchase(day(14), { id: 'eggs', quantity: 1 }),
        purchase(day(21), { id: 'eggs', quantity: 2 }),
      ],
      day(21),
    );
    const eggs = p.products.eggs!;
    expect(eggs.n).toBe(4);
    expect(eggs.q).toBe(2);
    expect(eggs.gn).toBe(3);
    expect(eggs.gm).toBeCloseTo(7);
    expect(eggs.gv).toBeCloseTo(0);
    expect(eggs.last).toBe(day(21));
    expect(p.orders).toBe(4);
    expect(p.basketMean).toBe(1);
    expect(p.firstAt).toBe(day(0));
  });

  it('drops gaps longer than maxGapDays', () => {
    const p = profileFrom([purchase(day(0), 'x'), purchase(day(100), 'x'), purchase(day(110), 'x')], day(110));
    expect(p.products.x!.gn).toBe(1);
    expect(p.products.x!.gm).toBeCloseTo(10);
  });

  it('gives the same profile whatever order the events arrive in (replay)', () => {
    const events = [purchase(day(0), 'a', 'b'), event('click', day(3), 'c'), purchase(day(10), 'a'), purchase(day(20), 'a', { id: 'b', quantity: 1, brand: 'Oatly' })];
    const inOrder = profileFrom(events, day(20));
    const oldestLast = profileFrom([events[1]!, events[2]!, events[3]!, events[0]!], day(20));
    for (const id of ['a', 'b', 'c']) {
      expect(oldestLast.products[id]!.w).toBeCloseTo(inOrder.products[id]!.w);
      expect(oldestLast.products[id]!.n).toBe(inOrder.products[id]!.n);
      expect(oldestLast.products[id]!.last).toBe(inOrder.products[id]!.last);
      expect(oldestLast.products[id]!.gm).toBeCloseTo(inOrder.products[id]!.gm);
      expect(oldestLast.products[id]!.gn).toBe(inOrder.products[id]!.gn);
    }
    expect(oldestLast.brands.Oatly!.w).toBeCloseTo(inOrder.brands.Oatly!.w);
    expect(oldestLast.firstAt).toBe(day(0));
  });

  it('an old purchase replayed later does not move last bought back and keeps the gap sum', () => {
    const base = profileFrom([purchase(day(0), 'a'), purchase(day(20), 'a')], day(20));
    const later = applyEvents({ profile: base, session: null }, [purchase(day(10), 'a')], day(30)).profile!;
    expect(later.products.a!.last).toBe(day(20));
    expect(later.products.a!.gn).toBe(2);
    expect(later.products.a!.gm).toBeCloseTo(10);
  });

  it('does not modify its input', () => {
    const base = profileFrom([purchase(day(0), 'a')], day(0));
    const copy = structuredClone(base);
    applyEvents({ profile: base, session: null }, [purchase(day(5), 'a', 'b')], day(5));
    expect(base).toEqual(copy);
  });

  it('keeps the maxProducts products that matter most and maxAffinities per map', () => {
    const cfg = config({ maxProducts: 5, maxAffinities: 3 });
    const events = [purchase(day(0), 'fav'), purchase(day(1), 'fav'), purchase(day(2), 'fav')];
    for (let i = 0; i < 20; i++) events.push(event('view', day(3), `p${i}`));
    for (let i = 0; i < 10; i++) events.push(purchase(day(3), { id: `b${i}`, quantity: 1, brand: `brand${i}` }));
    const p = profileFrom(events, day(3), cfg);
    expect(Object.keys(p.products)).toHaveLength(5);
    expect(p.products.fav).toBeDefined();
    expect(Object.keys(p.brands)).toHaveLength(3);
  });

  it('counts dietary tags over purchased items, with implications (vegan is vegetarian)', () => {
    const p = profileFrom([purchase(day(0), { id: 'tofu', quantity: 1, tags: ['Vegan'] }, { id: 'cheese', quantity: 1, tags: ['vegetarian'] }, 'bread')], day(0));
    expect(p.dietaryBase).toBe(3);
    expect(p.dietaryCounts.vegan).toBe(1);
    expect(p.dietaryCounts.vegetarian).toBe(2);
    expect(p.dietaryCounts['lactose-free']).toBe(1);
  });

  it('repairs a corrupt stored profile instead of throwing', () => {
    const corrupt = { v: 1, orders: 'x', products: { a: { n: 'bad' }, b: null }, brands: 7 } as unknown as ShopperProfile;
    const out = applyEvents({ profile: corrupt, session: null }, [purchase(day(1), 'a')], day(1)).profile!;
    expect(out.orders).toBe(1);
    expect(out.products.a!.n).toBe(1);
    expect(out.products.b).toBeUndefined();
    expect(out.brands).toEqual({});
  });

  it('keeps a bounded session of recent views, clicks and searches, newest first', () => {
    const update = createProfileUpdater(config());
    const events = Array.from({ length: 30 }, (_, i) => event('view', day(0) + i, `v${i}`));
    events.push({ id: 'q', type: 'search', at: day(1), items: [], query: 'oat milk' });
    const { session } = update({ profile: null, session: null }, events, day(1));
    expect(session!.recent).toHaveLength(20);
    expect(session!.recent[0]!.id).toBe('v29');
    expect(session!.queries).toEqual(['oat milk']);
  });
});

describe('one event naming a product on two lines', () => {
  const lines = (...quantities: number[]) => quantities.map((quantity) => ({ id: 'eggs', quantity }));

  it('sums the lines: one purchase of the total quantity, one signal, one basket item', () => {
    const p = profileFrom([purchase(day(0), ...lines(2, 3), 'milk')], day(0));
    expect(p.products.eggs).toMatchObject({ n: 1, q: 5 });
    expect(p.products.eggs!.w).toBeCloseTo(1.0);
    expect(p.signals).toBe(2);
    expect(p.orders).toBe(1);
    expect(p.basketMean).toBe(2);
    // Exactly what one line of five gives.
    expect(p).toEqual(profileFrom([purchase(day(0), { id: 'eggs', quantity: 5 }, 'milk')], day(0)));
  });

  it('the summed quantity becomes the usual one', () => {
    const p = profileFrom([purchase(day(0), ...lines(2, 3)), purchase(day(7), ...lines(1, 4)), purchase(day(14), { id: 'eggs', quantity: 5 })], day(14));
    expect(p.products.eggs).toMatchObject({ n: 3, q: 5, qn: 3 });
  });

  it("keeps a field only another line of the product carries", () => {
    const p = profileFrom([purchase(day(0), { id: 'eggs', quantity: 1 }, { id: 'eggs', quantity: 1, brand: 'Happy Hens', tags: ['organic'] })], day(0));
    expect(p.products.eggs).toMatchObject({ q: 2, brand: 'Happy Hens' });
    expect(Object.keys(p.brands)).toEqual(['Happy Hens']);
    expect(Object.keys(p.tags)).toEqual(['organic']);
  });
});
