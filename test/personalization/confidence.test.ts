import { describe, expect, it } from 'vitest';
import { confidence, confidenceParts, volumeScore } from '../../src/personalization/confidence.js';
import { day, profileFrom, purchase } from './fixtures.js';

describe('confidence', () => {
  it('is 0 without data', () => {
    expect(confidence(null, day(0), 30)).toBe(0);
  });

  it('grows with volume in steps', () => {
    expect([0, 5, 10, 20, 50].map(volumeScore)).toEqual([0, 0.3, 0.5, 0.7, 0.9]);
  });

  it('combines volume, recency and consistency 0.5 / 0.3 / 0.2', () => {
    const events = [];
    for (let i = 0; i < 12; i++) events.push(purchase(day(i * 7), 'milk', 'bread'));
    const p = profileFrom(events, day(77));
    const fresh = confidenceParts(p, day(77), 30);
    expect(fresh.volume).toBe(0.7); // 24 signals
    expect(fresh.recency).toBe(1);
    expect(fresh.consistency).toBeCloseTo(1);
    expect(fresh.total).toBeCloseTo(0.5 * 0.7 + 0.3 + 0.2, 1);
    // Two half-lives later the same data is worth less.
    expect(confidence(p, day(137), 30)).toBeCloseTo(0.5 * 0.7 + 0.3 * 0.25 + 0.2, 1);
  });

  it('drops when the purchase rhythm is irregular', () => {
    const regular = profileFrom([0, 10, 20, 30].map((d) => purchase(day(d), 'milk')), day(30));
    const irregular = profileFrom([0, 2, 20, 30].map((d) => purchase(day(d), 'milk')), day(30));
    expect(confidence(irregular, day(30), 30)).toBeLessThan(confidence(regular, day(30), 30));
  });
});
