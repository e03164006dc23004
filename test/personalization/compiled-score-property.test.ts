import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HitView } from '../../src/adapters/adapter.js';
import { complementAnchors, complementScores } from '../../src/personalization/complementary.js';
import { scorerFor } from '../../src/personalization/compiled-score.js';
import { activePreferences } from '../../src/personalization/dietary.js';
import { buildPriceLevels } from '../../src/personalization/price-fit.js';
import { profileView } from '../../src/personalization/profile-view.js';
import { buildSession, hitTags, type RankContext } from '../../src/personalization/rank-context.js';
import { rankHits } from '../../src/personalization/rank.js';
import { personalScore } from '../../src/personalization/score-terms.js';
import { tagLiftOnPage } from '../../src/personalization/tag-lift.js';
import type { EventItem, SessionContext, ShopperEvent } from '../../src/personalization/types.js';
import { config, DAY, profileFrom, T0 } from './fixtures.js';

// The scorer compiled per profile view gives exactly the score-term table's scores (Object.is,
// so the same doubles) and the same order, on random profiles (all event types, seasons, prices,
// tags in any case), sessions, preferences, weights, switches and pages.

const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
const brands = ['Oatly', 'Alpro', 'Arla', ''];
const categories = ['milk', 'bread', 'fruit', ''];
const tags = ['vegan', 'organic', 'Vegan', 'dairy', 'gluten-free', 'contains-egg', 'Organic Food'];

const item: fc.Arbitrary<EventItem> = fc.record({
  id: fc.constantFrom(...ids),
  quantity: fc.integer({ min: 1, max: 4 }),
  price: fc.option(fc.double({ min: 0.5, max: 9, noNaN: true }), { nil: undefined }),
  brand: fc.option(fc.constantFrom(...brands.filter(Boolean)), { nil: undefined }),
  category: fc.option(fc.constantFrom(...categories.filter(Boolean)), { nil: undefined }),
  tags: fc.option(fc.subarray(tags.filter((t) => t === t.toLowerCase())), { nil: undefined }),
});

const events = fc.array(
  fc.record({
    type: fc.constantFrom('purchase', 'purchase', 'add_to_cart', 'click', 'view', 'remove_from_cart'),
    // Half the events in one winter, so some products are seasonal.
    day: fc.oneof(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 50 })),
    items: fc.array(item, { minLength: 1, maxLength: 4 }),
  }),
  { minLength: 1, maxLength: 40 },
);

const hitArb: fc.Arbitrary<Omit<HitView, 'index'>> = fc.record({
  id: fc.constantFrom(...ids, 'x', 'y'),
  brand: fc.option(fc.constantFrom(...brands), { nil: undefined }),
  category: fc.option(fc.constantFrom(...categories), { nil: undefined }),
  tags: fc.subarray(tags),
  price: fc.option(fc.double({ min: 0.3, max: 12, noNaN: true }), { nil: undefined }),
});

const weight = fc.constantFrom(0, 0.2, 0.3, 0.5, 1, 1.7);

describe('compiled scoring', () => {
  it('scores and orders every page exactly as the score-term table does', () => {
    fc.assert(
      fc.property(
        events,
        fc.array(hitArb, { minLength: 1, maxLength: 30 }),
        fc.record({ product: weight, brand: weight, category: weight, tag: weight, dietary: weight, price: weight, session: weight, complementary: weight }),
        fc.record({ affinity: fc.boolean(), seasonal: fc.boolean(), dietary: fc.boolean(), price: fc.boolean(), complementary: fc.boolean() }),
        fc.subarray(['vegan', 'organic', 'gluten-free']),
        fc.array(fc.constantFrom(...ids), { maxLength: 5 }),
        fc.integer({ min: 380, max: 800 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (history, pageHits, weights, on, dietary, recent, nowDay, strength) => {
          const cfg = config({ weights, features: { seasonal: true }, dietary: { hardFilter: ['gluten-free'] } });
          const list: ShopperEvent[] = history.map((e, i) => ({ id: `e${i}`, type: e.type as ShopperEvent['type'], at: T0 + e.day * DAY, items: e.items }));
          const now = T0 + nowDay * DAY + 12_345;
          const profile = profileFrom(list, now, cfg);
          const view = profileView(profile, cfg, now);
          const page: HitView[] = pageHits.map((h, index) => ({ ...h, index }));
          const session: SessionContext = { recent: recent.map((id, i) => ({ id, type: 'view', at: now - i })), queries: [], updatedAt: now };
          const preferences = on.dietary ? activePreferences(profile, { personalization: true, features: {}, dietary, updatedAt: 0 }, cfg.dietary, view.inferred) : [];
          const ctx: RankContext = {
            profile,
            view,
            now,
            halfLifeDays: cfg.halfLifeDays,
            weights: cfg.weights,
            preferences,
            complements: on.complementary ? complementScores(complementAnchors(profile, session, now, cfg.halfLifeDays), profile, undefined) : new Map(),
            priceLevels: on.price ? buildPriceLevels(page, profile) : new Map(),
            tagLift: on.affinity ? tagLiftOnPage(page, view.tagShare) : new Map(),
            session: on.affinity ? buildSession(session) : new Map(),
            dietary: preferences.length > 0,
            seasonal: on.seasonal,
            affinity: on.affinity,
          };
          const scorer = scorerFor(ctx);
          expect(scorer).not.toBeNull();
          for (const h of page) {
            const t = hitTags(h);
            const compiled = scorer!(h, t);
            const table = personalScore(h, t, ctx);
            if (!Object.is(compiled, table)) expect({ hit: h, compiled }).toEqual({ hit: h, compiled: table });
          }
          expect(rankHits(page, ctx, strength)).toEqual(rankHits(page, ctx, strength, 'table'));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is not used across a season change between the view and the page', () => {
    const cfg = config();
    const now = Date.UTC(2026, 2, 1) - 1; // the last millisecond of February
    const profile = profileFrom([{ id: 'e1', type: 'purchase', at: now - DAY, items: [{ id: 'a', quantity: 1 }] }], now, cfg);
    const view = profileView(profile, cfg, now);
    const base = { profile, view, halfLifeDays: cfg.halfLifeDays, weights: cfg.weights, preferences: [], complements: new Map(), priceLevels: new Map(), tagLift: new Map(), session: new Map(), dietary: false, affinity: true };
    expect(scorerFor({ ...base, now, seasonal: true })).not.toBeNull();
    expect(scorerFor({ ...base, now: now + 1, seasonal: true })).toBeNull();
  });
});
