import { describe, expect, it } from 'vitest';
import { personalize } from '../../src/personalization/personalize.js';
import { config, day, hit, hits, profileFrom, purchase, record } from './fixtures.js';

// A tag the shopper avoids pushes its hits down, on its own: no other signal on the page moves
// anything, so the only way the avoided hits can end below the others is their demotion.

const cfg = config();
const buy = (id: string, organic: boolean) => ({ id, quantity: 1, category: 'dairy', tags: organic ? ['organic'] : [] });

describe('an avoided tag demotes its hits', () => {
  it('a tag the shopper buys less often than the page carries it (negative lift) goes down', () => {
    // One organic purchase in five: a share of 0.2 against the page's 0.5, a lift of -0.6.
    const rarelyOrganic = profileFrom([purchase(day(0), buy('x1', true), buy('x2', false), buy('x3', false), buy('x4', false), buy('x5', false))], day(0));
    const page = hits(hit('a', { tags: ['organic'] }), hit('b'), hit('c', { tags: ['Organic'] }), hit('d'));
    // Full strength: only the shopper's affinities count, and the organic hits have nothing but the lift.
    const out = personalize({ hits: page, record: record(rarelyOrganic), strength: 1, config: cfg, now: day(0), explain: false });
    expect(out.order).toEqual([1, 3, 0, 2]);
    expect(out.moved.length).toBeGreaterThan(0);
  });

  it('a dietary preference set in the settings demotes hits with a conflicting tag, none of them matching', () => {
    const page = hits(hit('steak', { tags: ['contains-meat'] }), hit('rice'), hit('bread'), hit('gummies', { tags: ['Gelatin'] }));
    const out = personalize({ hits: page, record: record(null, { dietary: ['vegetarian'] }), strength: 0.5, config: cfg, now: day(0), explain: true });
    expect(out.order).toEqual([1, 2, 0, 3]);
    expect(out.section.explain!.find((e) => e.id === 'steak')!.reasons).toContain('not vegetarian');
  });

  it('the demotion follows the strength: none at 0, enough at 0.6 to pass a neutral hit', () => {
    const page = hits(hit('steak', { tags: ['contains-meat'] }), hit('rice'));
    const settings = { dietary: ['halal', 'vegetarian'] };
    expect(personalize({ hits: page, record: record(null, settings), strength: 0, config: cfg, now: day(0), explain: false }).order).toEqual([0, 1]);
    expect(personalize({ hits: page, record: record(null, settings), strength: 0.6, config: cfg, now: day(0), explain: false }).order).toEqual([1, 0]);
  });
});
