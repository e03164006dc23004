import { describe, expect, it } from 'vitest';
import { personalize } from '../../src/personalization/personalize.js';
import { tagLiftOnPage, tagShares } from '../../src/personalization/tag-lift.js';
import type { ShopperProfile } from '../../src/personalization/types.js';
import { config, day, hit, hits, profileFrom, purchase, record } from './fixtures.js';

const page = hits(hit('a'), hit('b', { tags: ['organic'] }), hit('c'), hit('d', { tags: ['Organic'] }));
const buildTagLift = (onPage: typeof page, profile: ShopperProfile, now: number, halfLifeDays: number) => tagLiftOnPage(onPage, tagShares(profile, now, halfLifeDays));
const buy = (id: string, organic: boolean) => ({ id, quantity: 1, category: 'dairy', tags: organic ? ['organic'] : [] });

describe('tag lift', () => {
  it('lifts a tag the shopper picks more often than the page carries it', () => {
    const organicFan = profileFrom([purchase(day(0), buy('x1', true), buy('x2', true), buy('x3', true), buy('x4', false))], day(0));
    const lift = buildTagLift(page, organicFan, day(0), 30);
    expect(lift.get('organic')).toBeCloseTo((0.75 - 0.5) / 0.5);
    const out = personalize({ hits: page, record: record(organicFan), strength: 1, config: config(), now: day(0), explain: true });
    expect(out.order.slice(0, 2)).toEqual([1, 3]);
    expect(out.section.explain![0]!.reasons).toContain('you often choose organic');
  });

  it('demotes it for a shopper who mostly avoids it, and is empty without tags', () => {
    const rarely = profileFrom([purchase(day(0), buy('x1', true), buy('x2', false), buy('x3', false), buy('x4', false), buy('x5', false))], day(0));
    expect(buildTagLift(page, rarely, day(0), 30).get('organic')).toBeCloseTo((0.2 - 0.5) / 0.5);
    const none = profileFrom([purchase(day(0), buy('x1', false))], day(0));
    expect(buildTagLift(page, none, day(0), 30).size).toBe(0);
  });
});
