import { describe, expect, it } from 'vitest';
import { personalize } from '../../src/personalization/personalize.js';
import { buildPriceLevels, priceFit } from '../../src/personalization/price-fit.js';
import { config, day, hit, hits, profileFrom, purchase, record } from './fixtures.js';

const coffee = (id: string, price: number) => ({ id, quantity: 1, category: 'coffee', price });
// The shopper buys the cheap end of coffee (about 4), the page spans 4..16.
const thrifty = profileFrom([purchase(day(0), coffee('c1', 4), coffee('c2', 4.2)), purchase(day(7), coffee('c3', 3.8))], day(7));
const page = hits(
  hit('premium', { category: 'coffee', price: 16 }),
  hit('mid', { category: 'coffee', price: 8 }),
  hit('budget', { category: 'coffee', price: 4 }),
  hit('tea', { category: 'tea', price: 3 }),
);

describe('price sensitivity', () => {
  it("places the shopper's level relative to the page's prices per category", () => {
    const levels = buildPriceLevels(page, thrifty);
    const l = levels.get('coffee')!;
    expect(l.level).toBeLessThan(0);
    expect(levels.has('tea')).toBe(false); // too few priced hits and no purchases there
    expect(priceFit(page[2]!, levels)).toBeGreaterThan(0.9);
    expect(priceFit(page[0]!, levels)).toBe(0);
    expect(priceFit(page[3]!, levels)).toBe(0);
  });

  it('needs two priced purchases in the category (too little data: no effect)', () => {
    const once = profileFrom([purchase(day(0), coffee('c1', 4))], day(0));
    expect(buildPriceLevels(page, once).size).toBe(0);
    expect(buildPriceLevels(page, null).size).toBe(0);
  });

  it('lifts hits at the shopper price level when on, never removes a hit, and is off by default', () => {
    const on = personalize({ hits: page, record: record(thrifty, { features: { price_sensitivity: true } }), strength: 1, config: config(), now: day(8), explain: true });
    expect(on.order[0]).toBe(2);
    expect(on.order).toHaveLength(4);
    expect(on.section.applied).toContain('price_sensitivity');
    expect(on.section.explain![0]!.reasons).toContain('in your usual price range');
    const off = personalize({ hits: page, record: record(thrifty), strength: 1, config: config(), now: day(8), explain: false });
    expect(off.order).toEqual([0, 1, 2, 3]);
  });
});
