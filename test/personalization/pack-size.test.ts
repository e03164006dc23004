import { describe, expect, it } from 'vitest';
import { formatPack, parsePackSize, usualAmount } from '../../src/personalization/pack-size.js';
import { personalize } from '../../src/personalization/personalize.js';
import { config, day, hit, hits, profileFrom, purchase, record } from './fixtures.js';

describe('pack sizes from product names', () => {
  it.each([
    ['Whole Milk 1 l', { count: 1, amount: 1000, unit: 'ml' }, '1 l'],
    ['Cola 6 x 330 ml', { count: 6, amount: 330, unit: 'ml' }, '6 × 330 ml'],
    ['Water 24x0.5L', { count: 24, amount: 500, unit: 'ml' }, '24 × 500 ml'],
    ['Flour 1,5kg', { count: 1, amount: 1500, unit: 'g' }, '1.5 kg'],
    ['Wine 75cl', { count: 1, amount: 750, unit: 'ml' }, '750 ml'],
    ['Free-range eggs 12 pack', { count: 1, amount: 12, unit: 'pcs' }, '12 pcs'],
    ['Rolls, pack of 4', { count: 1, amount: 4, unit: 'pcs' }, '4 pcs'],
  ])('%s', (name, pack, shown) => {
    const parsed = parsePackSize(name);
    expect(parsed).toEqual(pack);
    expect(formatPack(parsed!)).toBe(shown);
  });

  it('says nothing for names without a size (too little data), including percentages and model numbers', () => {
    for (const name of ['Bananas', '2% Reduced Fat Milk', 'Organic Baby Spinach', 'Vitamin B12', '', undefined]) expect(parsePackSize(name)).toBeNull();
  });

  it('the usual quantity as an amount of that pack', () => {
    expect(usualAmount({ count: 6, amount: 330, unit: 'ml' }, 2)).toBe('3.96 l');
    expect(usualAmount({ count: 1, amount: 500, unit: 'g' }, 3)).toBe('1.5 kg');
    expect(usualAmount({ count: 1, amount: 12, unit: 'pcs' }, 2)).toBe('24 pcs');
  });
});

describe('quantity memory per pack size in the section', () => {
  // Two pack sizes of milk are two products, each with its own usual quantity.
  const orders = [0, 7, 14, 21].map((d) => purchase(day(d), { id: 'milk-1l', quantity: 2 }, { id: 'milk-2l', quantity: 1 }, { id: 'bananas', quantity: 6 }));
  const profile = profileFrom(orders, day(22));
  const page = hits(hit('milk-1l', { name: 'Whole Milk 1 l' }), hit('milk-2l', { name: 'Whole Milk 2 l' }), hit('bananas', { name: 'Bananas' }));

  it('shows each pack with its own usual quantity and amount; no pack for a name without a size', () => {
    const { section } = personalize({ hits: page, record: record(profile), strength: 0.5, config: config(), now: day(22), explain: false });
    const byId = Object.fromEntries(section.usual.map((u) => [u.id, u]));
    expect(byId['milk-1l']).toMatchObject({ usualQuantity: 2, packSize: '1 l', usualAmount: '2 l', quantityConsistency: 1 });
    expect(byId['milk-2l']).toMatchObject({ usualQuantity: 1, packSize: '2 l', usualAmount: '2 l' });
    expect(byId['bananas']).toMatchObject({ usualQuantity: 6 });
    expect(byId['bananas']!.packSize).toBeUndefined();
  });

  it('with quantity_memory off: no consistency, no pack', () => {
    const { section } = personalize({ hits: page, record: record(profile, { features: { quantity_memory: false } }), strength: 0.5, config: config(), now: day(22), explain: false });
    const milk = section.usual.find((u) => u.id === 'milk-1l')!;
    expect(milk.usualQuantity).toBe(2);
    expect(milk.packSize).toBeUndefined();
    expect(milk.quantityConsistency).toBeUndefined();
  });

  it('an item not on the page has no name, so no pack (nothing is guessed)', () => {
    const { section } = personalize({ hits: hits(hit('bread')), record: record(profile), strength: 0.5, config: config(), now: day(22), explain: false });
    expect(section.usual.find((u) => u.id === 'milk-1l')!.packSize).toBeUndefined();
  });
});
