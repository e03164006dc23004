import { describe, expect, it } from 'vitest';
import { basketPairs } from '../../src/personalization/co-purchase-pairs.js';
import { complementAnchors, complementScores } from '../../src/personalization/complementary.js';
import { personalize } from '../../src/personalization/personalize.js';
import type { SessionContext } from '../../src/personalization/types.js';
import { config, day, hit, hits, profileFrom, purchase, record } from './fixtures.js';

const cfg = config({ features: { complementary: true } });
const profile = profileFrom([purchase(day(0), 'pasta', 'sauce'), purchase(day(5), 'pasta'), purchase(day(9), 'pasta', 'parmesan', 'basil')], day(10));
// Store-wide counts: of 10 baskets with pasta, 6 held sauce, 4 held parmesan, 2 held wine.
const coPurchases = { pasta: { pasta: 10, sauce: 6, parmesan: 4, wine: 2 } };
// Pasta is in the cart this session: it is the anchor.
const cart: SessionContext = { recent: [{ id: 'pasta', type: 'add_to_cart', at: day(10) }], queries: [], updatedAt: day(10) };
const shopper = { ...record(profileFrom([purchase(day(0), 'rice')], day(0))), session: cart };

describe('complementary items', () => {
  it('anchors on the cart first, else on the staples', () => {
    const session: SessionContext = { recent: [{ id: 'bread', type: 'add_to_cart', at: day(10) }], queries: [], updatedAt: day(10) };
    expect(complementAnchors(profile, session, day(10), 30)).toEqual(['bread']);
    expect(complementAnchors(profile, null, day(10), 30)[0]).toBe('pasta');
    expect(complementAnchors(null, null, day(10), 30)).toEqual([]);
  });

  it('scores store pairs by P(partner | anchor) with a minimum support, and own baskets weakly', () => {
    const scores = complementScores(['pasta'], profile, coPurchases);
    expect(scores.get('sauce')).toMatchObject({ score: 0.6, source: 'store' });
    expect(scores.get('wine')).toBeUndefined(); // 2 < MIN_SUPPORT
    expect(scores.get('basil')).toMatchObject({ source: 'own', anchor: 'pasta' }); // same basket as the last pasta
    expect(scores.has('pasta')).toBe(false);
  });

  it('lists suggestions not already on the page or in the cart, with a reason', () => {
    const page = hits(hit('sauce'), hit('rice'));
    const out = personalize({ hits: page, record: shopper, strength: 0.5, config: cfg, now: day(10), explain: false, coPurchases });
    const ids = out.section.complementary!.map((c) => c.id);
    expect(ids).not.toContain('sauce'); // on the page
    expect(ids).not.toContain('pasta'); // in the cart
    expect(out.section.complementary!.find((c) => c.id === 'parmesan')).toEqual({ id: 'parmesan', reason: 'often bought with pasta' });
    expect(out.section.applied).toContain('complementary');
  });

  it('lifts a complement in the ranking and explains it; the store can switch it off', () => {
    const page = hits(hit('bread'), hit('wine'), hit('sauce'));
    const on = personalize({ hits: page, record: shopper, strength: 1, config: cfg, now: day(10), explain: true, coPurchases });
    expect(on.order[0]).toBe(2);
    expect(on.section.explain![0]!.reasons).toContain('often bought with pasta');
    expect(on.section.applied.filter((a) => a === 'complementary')).toHaveLength(1);
    const off = personalize({ hits: page, record: shopper, strength: 1, config: config({ features: { complementary: false } }), now: day(10), explain: false, coPurchases });
    expect(off.section.complementary).toBeUndefined();
    expect(off.section.features).not.toContain('complementary');
  });
});

describe('co-purchase pairs for the store', () => {
  it('yields every ordered pair of a purchase basket plus the basket count, bounded', () => {
    const pairs = basketPairs(purchase(day(0), 'a', 'b', 'a'));
    expect(pairs).toEqual([['a', 'a'], ['a', 'b'], ['b', 'a'], ['b', 'b']]);
    expect(basketPairs({ id: 'v', type: 'view', at: 0, items: [{ id: 'a', quantity: 1 }] })).toEqual([]);
    expect(basketPairs(purchase(day(0), 'a', 'b', 'c'), 2)).toHaveLength(4);
  });
});
