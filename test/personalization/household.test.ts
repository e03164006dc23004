import { describe, expect, it } from 'vitest';
import { estimateHousehold } from '../../src/personalization/household.js';
import { personalize } from '../../src/personalization/personalize.js';
import { reorderItems } from '../../src/personalization/reorder.js';
import { config, day, profileFrom, purchase, record } from './fixtures.js';

const basket = (n: number, prefix = 'x') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('household inference', () => {
  it('says nothing with too little data', () => {
    expect(estimateHousehold(null)).toBeNull();
    expect(estimateHousehold(profileFrom([purchase(day(0), 'milk'), purchase(day(7), 'milk')], day(7)))).toBeNull();
  });

  it('estimates one person from small baskets and slow staples', () => {
    const single = profileFrom([0, 14, 28, 42].map((d) => purchase(day(d), 'milk', 'bread', 'eggs', 'tea', 'apples', 'rice')), day(42));
    expect(estimateHousehold(single)).toMatchObject({ size: 1, stapleCycleDays: 14 });
  });

  it('estimates a family from big baskets and fast staples, with a bounded confidence', () => {
    const orders = [0, 3.5, 7, 10.5, 14, 17.5, 21, 24.5, 28, 31.5].map((d) => purchase(day(d), ...basket(15)));
    const family = estimateHousehold(profileFrom(orders, day(32)))!;
    expect(family.size).toBe(4);
    expect(family.stapleCycleDays).toBe(3.5);
    expect(family.confidence).toBeGreaterThan(0.5);
    expect(family.confidence).toBeLessThanOrEqual(0.7);
  });

  it("gives a product seen with one gap a reorder cycle from the household's rhythm", () => {
    const events = [0, 10, 20, 30].map((d) => purchase(day(d), 'milk', 'bread'));
    events.push(purchase(day(4), 'coffee'), purchase(day(20), 'coffee'));
    const p = profileFrom(events, day(30));
    const cfg = config();
    expect(reorderItems(p, day(35), cfg.reorder).find((r) => r.id === 'coffee')).toBeUndefined(); // one gap: too little data
    const withRhythm = reorderItems(p, day(35), cfg.reorder, { householdCycleDays: 10 });
    expect(withRhythm.find((r) => r.id === 'coffee')).toMatchObject({ cycleDays: 13, daysUntilDue: -2, regularity: 0 });
    const out = personalize({ hits: [], record: record(p, { features: { household: true } }), strength: 0.5, config: cfg, now: day(35), explain: false });
    expect(out.section.household).toMatchObject({ size: 1 });
    expect(out.section.reorder.map((r) => r.id)).toContain('coffee');
  });
});
