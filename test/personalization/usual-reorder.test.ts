import { describe, expect, it } from 'vitest';
import { reorderItems, urgencyOf } from '../../src/personalization/reorder.js';
import { personalize } from '../../src/personalization/personalize.js';
import { usualItems } from '../../src/personalization/usual.js';
import { config, day, profileFrom, purchase, record } from './fixtures.js';

const cfg = config();

describe('usual items', () => {
  it('lists products bought in at least half of the orders, with their usual quantity', () => {
    const p = profileFrom(
      [
        purchase(day(0), { id: 'milk', quantity: 2 }, 'bread'),
        purchase(day(7), { id: 'milk', quantity: 2 }),
        purchase(day(14), { id: 'milk', quantity: 3 }, 'bread', 'cake'),
        purchase(day(21), { id: 'milk', quantity: 2 }),
      ],
      day(21),
    );
    const usual = usualItems(p, cfg.usual);
    expect(usual.map((u) => u.id)).toEqual(['milk', 'bread']);
    expect(usual[0]).toMatchObject({ usualQuantity: 2, timesBought: 4, frequency: 1, lastBought: day(21) });
    expect(usual[0]!.quantityConsistency).toBeCloseTo(0.75);
    expect(usual[1]).toMatchObject({ timesBought: 2, frequency: 0.5 });
  });

  it('needs minOrders orders and two purchases of the product', () => {
    expect(usualItems(profileFrom([purchase(day(0), 'milk')], day(0)), cfg.usual)).toEqual([]);
    const p = profileFrom([purchase(day(0), 'milk'), purchase(day(1), 'eggs')], day(1));
    expect(usualItems(p, cfg.usual)).toEqual([]);
    expect(usualItems(null, cfg.usual)).toEqual([]);
  });

  it('appear in the section with a badge, and names when the hit is on the page', () => {
    const p = profileFrom([purchase(day(0), 'milk'), purchase(day(7), 'milk')], day(7));
    const out = personalize({ hits: [{ index: 0, id: 'milk', tags: [], name: 'Whole milk' }], record: record(p), strength: 0.5, config: cfg, now: day(8), explain: false });
    expect(out.section.usual).toEqual([
      { id: 'milk', name: 'Whole milk', usualQuantity: 1, timesBought: 2, lastBought: new Date(day(7)).toISOString(), frequency: 1, quantityConsistency: 1 },
    ]);
    expect(out.section.badges).toContain('Your usual');
    expect(out.section.applied).toContain('usual');
  });
});

describe('reorder reminders', () => {
  // Coffee every 10 days: bought on days 0, 10, 20.
  const coffee = profileFrom([purchase(day(0), 'coffee'), purchase(day(10), 'coffee'), purchase(day(20), 'coffee')], day(20));

  it('uses the mean gap as the cycle and is due from dueFactor × cycle', () => {
    expect(reorderItems(coffee, day(27), cfg.reorder)).toEqual([]); // 7 days < 0.8 × 10
    const soon = reorderItems(coffee, day(28), cfg.reorder);
    expect(soon).toEqual([expect.objectContaining({ id: 'coffee', cycleDays: 10, daysUntilDue: 2, urgency: 'due_soon', regularity: 1 })]);
    expect(reorderItems(coffee, day(31), cfg.reorder)[0]).toMatchObject({ daysUntilDue: -1, urgency: 'due_now' });
  });

  it('classifies urgency by days left', () => {
    expect(urgencyOf(0)).toBe('due_now');
    expect(urgencyOf(-3)).toBe('due_now');
    expect(urgencyOf(2)).toBe('due_soon');
    expect(urgencyOf(5)).toBe('upcoming');
  });

  it('says nothing with too little data (fewer than three purchases)', () => {
    const twice = profileFrom([purchase(day(0), 'coffee'), purchase(day(10), 'coffee')], day(10));
    expect(reorderItems(twice, day(30), cfg.reorder)).toEqual([]);
    expect(reorderItems(null, day(30), cfg.reorder)).toEqual([]);
  });

  it('drops a product the shopper stopped buying (far past its cycle)', () => {
    expect(reorderItems(coffee, day(20 + 2 * 10 + cfg.reorder.horizonDays + 1), cfg.reorder)).toEqual([]);
  });

  it('lowers regularity when the gaps vary', () => {
    const uneven = profileFrom([purchase(day(0), 'tea'), purchase(day(4), 'tea'), purchase(day(20), 'tea')], day(20));
    const [tea] = reorderItems(uneven, day(30), cfg.reorder);
    expect(tea!.cycleDays).toBe(10);
    expect(tea!.regularity).toBeLessThan(0.2);
  });

  it('shows in the section with a badge, and is off when the shopper turns it off', () => {
    const on = personalize({ hits: [], record: record(coffee), strength: 0.5, config: cfg, now: day(29), explain: false });
    expect(on.section.reorder[0]).toMatchObject({ id: 'coffee', daysUntilDue: 1, urgency: 'due_soon', usualQuantity: 1, quantityConsistency: 1 });
    expect(on.section.badges).toContain('Time to reorder');
    const off = personalize({ hits: [], record: record(coffee, { features: { reorder: false } }), strength: 0.5, config: cfg, now: day(29), explain: false });
    expect(off.section.reorder).toEqual([]);
    expect(off.section.features).not.toContain('reorder');
  });
});
