import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { complementScores } from '../../src/personalization/complementary.js';
import { normalizeTag } from '../../src/personalization/dietary-vocabulary.js';
import { entryFor, keyedRecord, ownEntry, setEntry } from '../../src/personalization/keyed-record.js';
import { enabledFeatures } from '../../src/personalization/features.js';
import { personalize } from '../../src/personalization/personalize.js';
import { repairProfile, usableProfile } from '../../src/personalization/profile-guard.js';
import { applyEvents } from '../../src/personalization/profile-update.js';
import type { ShopperEvent, ShopperProfile } from '../../src/personalization/types.js';
import { usualItems } from '../../src/personalization/usual.js';
import { decodeProfile, decodeSettings, encodeProfile, encodeSettings } from '../../src/store/profile-codec.js';
import { applySettingsUpdate } from '../../src/controls/settings-update.js';
import { ADVERSARIAL_KEYS, FC_SEED, adversarialKey, builtInPrototypeKeys } from '../security/adversarial-keys.js';
import { config, day, hit, hits, record } from './fixtures.js';

// Product ids, brands, categories and tags are shoppers' strings. None of them may reach a
// prototype, and none may read as something the profile does not hold (`toString` on a plain
// object is a function, not a product).

const cfg = config({ features: { seasonal: true } });
const pristine = builtInPrototypeKeys();

afterEach(() => {
  // A failure here means this very process was polluted: every later test would be suspect.
  expect(builtInPrototypeKeys()).toEqual(pristine);
});

const MAPS = ['products', 'brands', 'categories', 'tags', 'dietaryCounts'] as const;

function expectKeyedMaps(profile: ShopperProfile): void {
  for (const map of MAPS) expect(Object.getPrototypeOf(profile[map]), map).toBeNull();
}

function eventWith(key: string, type: ShopperEvent['type'], at: number, n: number): ShopperEvent {
  return { id: `adv-${n}`, type, at, items: [{ id: key, quantity: 2, brand: key, category: key, tags: [key, 'vegan'], price: 1.5 }] };
}

describe('the profile updater with adversarial keys', () => {
  it.each(ADVERSARIAL_KEYS)('%s as item id, brand, category and tag is an ordinary entry', (key) => {
    const events = [eventWith(key, 'view', day(1), 1), eventWith(key, 'purchase', day(2), 2), eventWith(key, 'purchase', day(9), 3)];
    const profile = applyEvents({ profile: null, session: null }, events, day(9), cfg).profile!;
    expect(builtInPrototypeKeys()).toEqual(pristine);
    expectKeyedMaps(profile);
    expect(Object.keys(profile.products)).toEqual([key]);
    expect(Object.hasOwn(profile.brands, key) && Object.hasOwn(profile.categories, key)).toBe(true);
    // Tags are normalized (lower case, `_` to `-`): `toString` is kept as `tostring`.
    expect(Object.keys(profile.tags).sort()).toEqual([normalizeTag(key), 'vegan'].sort());
    const stat = profile.products[key]!;
    expect(stat).toMatchObject({ n: 2, q: 2, brand: key, category: key, p: 1.5 });
    expect(usableProfile(profile, day(9))).toBe(profile);
    // Through the codec (Redis and the memory store keep encoded bytes) and back: same keys, no prototype.
    const decoded = decodeProfile(encodeProfile(profile));
    expectKeyedMaps(decoded);
    expect(Object.keys(decoded.products)).toEqual([key]);
    expect(decoded.products[key]!.n).toBe(2);
    expect(usableProfile(decoded, day(9))).toBe(decoded);
  });

  it('fast-check: random batches never touch a prototype; every map stays prototype-free and every entry sound', () => {
    const item = fc.record({
      id: adversarialKey,
      quantity: fc.integer({ min: 1, max: 5 }),
      brand: fc.option(adversarialKey, { nil: undefined }),
      category: fc.option(adversarialKey, { nil: undefined }),
      tags: fc.option(fc.array(adversarialKey, { maxLength: 4 }), { nil: undefined }),
    });
    const eventArb = fc.record({
      type: fc.constantFrom('purchase', 'add_to_cart', 'view', 'click', 'search', 'remove_from_cart'),
      day: fc.integer({ min: 0, max: 60 }),
      items: fc.array(item, { minLength: 1, maxLength: 6 }),
    });
    fc.assert(
      fc.property(fc.array(fc.array(eventArb, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 4 }), (batches) => {
        let state: Parameters<typeof applyEvents>[0] = { profile: null, session: null };
        let n = 0;
        const ids = new Set<string>();
        for (const batch of batches) {
          const events = batch.map((e): ShopperEvent => {
            for (const i of e.items) ids.add(i.id);
            return { id: `f-${n++}`, type: e.type, at: day(e.day), items: e.items.map((i) => ({ ...i })) };
          });
          // Every write goes through the codec, as in both stores.
          const next = applyEvents(state, events, day(61), cfg);
          state = { profile: decodeProfile(encodeProfile(next.profile!)), session: next.session };
        }
        const profile = state.profile!;
        expect(builtInPrototypeKeys()).toEqual(pristine);
        expectKeyedMaps(profile);
        for (const id of Object.keys(profile.products)) {
          expect(ids.has(id)).toBe(true);
          expect(typeof profile.products[id]!.n).toBe('number');
        }
        expect(usableProfile(profile, day(61))).toBe(profile);
        // Ranking a page of adversarial ids: a permutation, never a throw (personalize would fall back to `untouched`).
        const page = hits(...ADVERSARIAL_KEYS.map((k) => hit(k, { brand: k, category: k, tags: [k] })));
        const out = personalize({ hits: page, record: record(profile), strength: 1, config: cfg, now: day(61), explain: true });
        expect([...out.order].sort((a, b) => a - b)).toEqual(page.map((h) => h.index));
        expect(out.section.enabled).toBe(true);
      }),
      { seed: FC_SEED, numRuns: 150 },
    );
  });
});

describe('keyed records', () => {
  it('setEntry never runs the __proto__ setter, on a prototype-free record or a plain object handed in by mistake', () => {
    for (const record of [keyedRecord<unknown>(), {} as Record<string, unknown>]) {
      for (const key of ADVERSARIAL_KEYS) setEntry(record, key, { w: 1 });
      expect(Object.keys(record).sort()).toEqual([...ADVERSARIAL_KEYS].sort());
      expect(ownEntry(record, 'hasOwnProperty')).toEqual({ w: 1 });
      expect(builtInPrototypeKeys()).toEqual(pristine);
    }
    expect(ownEntry({}, 'toString')).toBeUndefined();
    expect(entryFor(keyedRecord<number>(), 'constructor', () => 7)).toBe(7);
  });
});

describe('reads by adversarial keys see only own entries', () => {
  const profile = applyEvents(
    { profile: null, session: null },
    [eventWith('milk', 'purchase', day(1), 1), eventWith('milk', 'purchase', day(8), 2)],
    day(8),
    cfg,
  ).profile!;

  it('a hit named after an Object member gets no product affinity and no reason', () => {
    const page = hits(hit('toString'), hit('constructor'), hit('__proto__'), hit('milk'));
    const out = personalize({ hits: page, record: record(profile), strength: 1, config: cfg, now: day(8), explain: true });
    expect(out.order[0]).toBe(3);
    for (const entry of out.section.explain!.filter((e) => e.id !== 'milk')) expect(entry.reasons).toEqual([]);
  });

  it('co-purchase counts parsed from JSON (plain objects) give no partners for constructor or __proto__', () => {
    const counts = JSON.parse('{"milk":{"milk":10,"bread":5,"__proto__":9}}') as Record<string, Record<string, number>>;
    expect([...complementScores(['constructor', '__proto__', 'toString'], profile, counts).keys()]).toEqual([]);
    expect(complementScores(['milk'], profile, counts).get('__proto__')?.score).toBeCloseTo(0.9);
  });

  it('a profile parsed from JSON (plain maps, an own "__proto__" entry) is repaired into prototype-free maps', () => {
    const parsed = JSON.parse(JSON.stringify({ ...profile, products: { ...Object.fromEntries(Object.entries(profile.products)), ['__proto__']: profile.products.milk } })) as ShopperProfile;
    expect(Object.hasOwn(parsed.products, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(parsed.products)).toBe(Object.prototype);
    const usable = usableProfile(parsed, day(8))!;
    expect(usable).not.toBe(parsed);
    expectKeyedMaps(usable);
    expect(Object.keys(usable.products).sort()).toEqual(['__proto__', 'milk']);
    expectKeyedMaps(repairProfile(parsed, day(8)));
    expect(usualItems(usable, cfg.usual).map((u) => u.id)).not.toContain('toString');
  });

  it('settings: feature switches decode prototype-free; an update keeps them so', () => {
    const decoded = decodeSettings('{"personalization":true,"features":{"__proto__":true,"usual":false,"reorder":"no"},"dietary":[],"updatedAt":1}');
    expect(Object.getPrototypeOf(decoded.features)).toBeNull();
    expect(Object.keys(decoded.features).sort()).toEqual(['__proto__', 'usual']);
    const features = enabledFeatures(cfg, { profile: null, settings: decoded, session: null });
    expect(features).not.toContain('usual');
    expect(features).toContain('reorder');
    const updated = applySettingsUpdate(decoded, { features: { reorder: false } }, 2);
    expect(Object.getPrototypeOf(updated.features)).toBeNull();
    expect(Object.entries(decodeSettings(encodeSettings(updated)).features)).toEqual([
      ['__proto__', true],
      ['usual', false],
      ['reorder', false],
    ]);
  });
});
