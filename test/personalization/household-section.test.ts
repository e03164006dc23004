import { describe, expect, it } from 'vitest';
import { personalize } from '../../src/personalization/personalize.js';
import { config, day, profileFrom, purchase, record } from './fixtures.js';

// What the household feature did, said in the section (so the storefront can show why a
// reorder date moved).

// Milk and bread every 10 days (the household's rhythm); coffee seen with one gap of 16 days.
const events = [0, 10, 20, 30].map((d) => purchase(day(d), 'milk', 'bread'));
events.push(purchase(day(4), 'coffee'), purchase(day(20), 'coffee'));
const profile = profileFrom(events, day(30));
const cfg = config();

describe('household in the section', () => {
  it('marks a reminder whose cycle leans on the household rhythm, and counts them', () => {
    const { section } = personalize({ hits: [], record: record(profile), strength: 0.5, config: cfg, now: day(35), explain: false });
    const coffee = section.reorder.find((r) => r.id === 'coffee');
    expect(coffee).toMatchObject({ cycleDays: 13, cycleSource: 'household' });
    expect(section.household).toMatchObject({ size: 1, reorderAdjusted: 1 });
    expect(section.applied).toContain('household');
    // Products with their own rhythm keep it and say nothing about the household.
    for (const r of section.reorder.filter((x) => x.id !== 'coffee')) expect(r.cycleSource).toBeUndefined();
  });

  it('switched off: no estimate, and one gap is too little data for a reminder', () => {
    const { section } = personalize({ hits: [], record: record(profile, { features: { household: false } }), strength: 0.5, config: cfg, now: day(35), explain: false });
    expect(section.household).toBeUndefined();
    expect(section.applied).not.toContain('household');
    expect(section.reorder.find((r) => r.id === 'coffee')).toBeUndefined();
  });

  it('too little data (two orders): no estimate, nothing adjusted', () => {
    const young = profileFrom([purchase(day(0), 'milk', 'coffee'), purchase(day(10), 'milk', 'coffee')], day(10));
    const { section } = personalize({ hits: [], record: record(young), strength: 0.5, config: cfg, now: day(18), explain: false });
    expect(section.household).toBeUndefined();
    expect(section.reorder.every((r) => r.cycleSource === undefined)).toBe(true);
  });
});
