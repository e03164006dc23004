import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeSectionJson } from '../../src/adapters/section-json.js';
import { personalize } from '../../src/personalization/personalize.js';
import type { HitView } from '../../src/personalization/hit-view.js';
import type { ShopperEvent } from '../../src/personalization/types.js';
import { config, DAY, profileFrom, T0 } from '../personalization/fixtures.js';

// The section's JSON with the shared entries' JSON kept: byte for byte what JSON.stringify
// writes, on random values (frozen and unfrozen entries, toJSON, undefined, nested arrays) and on
// real sections, cold and with every kept part warm.

const freezeSome = (value: unknown, freeze: boolean): unknown => (freeze && value !== null && typeof value === 'object' ? Object.freeze(value) : value);

const leaf = fc.oneof(fc.string({ maxLength: 6 }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined));
const entry = fc
  .tuple(fc.dictionary(fc.constantFrom('id', 'name', 'n', '0', '__proto__', 'é"'), leaf, { maxKeys: 4 }), fc.boolean())
  .map(([object, freeze]) => freezeSome(object, freeze));
const odd = fc.constantFrom<unknown>({ toJSON: () => 'x' }, { toJSON: (key: string) => key }, new Date(0), () => 1, [[1, [2]]], { nested: { deep: [1] } }, Object.freeze({ inner: Object.freeze({ a: 1 }) }));
const member = fc.oneof({ weight: 3, arbitrary: leaf }, { weight: 4, arbitrary: fc.array(fc.oneof(entry, leaf, odd), { maxLength: 5 }) }, { weight: 2, arbitrary: entry }, { weight: 1, arbitrary: odd });
const section = fc.oneof(
  { weight: 8, arbitrary: fc.dictionary(fc.constantFrom('enabled', 'applied', 'usual', 'reorder', '1', 'explain', 'toJSON'), member, { maxKeys: 7 }) },
  { weight: 1, arbitrary: fc.oneof(leaf, odd, fc.array(entry)) },
);

describe('writeSectionJson', () => {
  it('writes what JSON.stringify writes, twice (kept parts warm)', () => {
    fc.assert(
      fc.property(section, (value) => {
        expect(writeSectionJson(value)).toBe(JSON.stringify(value));
        expect(writeSectionJson(value)).toBe(JSON.stringify(value));
        // An entry that is not frozen may change between searches: its old JSON must not come back.
        const entries = value !== null && typeof value === 'object' ? Object.values(value).flat() : [];
        for (const e of entries) if (e !== null && typeof e === 'object' && !Object.isFrozen(e)) (e as Record<string, unknown>).changed = 1;
        expect(writeSectionJson(value)).toBe(JSON.stringify(value));
      }),
      { numRuns: 1_000 },
    );
  });

  it("writes a personalized section's bytes exactly, on every later search of the same profile too", () => {
    const cfg = config({ features: { price_sensitivity: true, seasonal: true } });
    const now = T0 + 200 * DAY;
    const ids = ['sku-1', 'sku-2', 'sku-3', 'sku-4', 'sku-5'];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 199 }), fc.subarray(ids, { minLength: 1 })), { minLength: 1, maxLength: 20 }),
        fc.array(fc.tuple(fc.constantFrom(...ids, 'sku-9'), fc.option(fc.constantFrom('Oat drink 1 l', 'Rice 500 g', 'Eggs'), { nil: undefined })), { minLength: 1, maxLength: 10 }),
        fc.subarray(['vegan', 'halal']),
        fc.boolean(),
        (orders, page, dietary, explain) => {
          const events: ShopperEvent[] = orders.map(([d, items], i) => ({ id: `o${i}`, type: 'purchase', at: T0 + d * DAY, items: items.map((id) => ({ id, quantity: 1 + (i % 3), price: 2, category: 'c', tags: ['vegan'] })) }));
          const profile = profileFrom(events, now, cfg);
          const hits: HitView[] = page.map(([id, name], index) => ({ index, id, name, tags: index % 2 ? ['vegan'] : [], category: 'c', price: 1 + index }));
          const settings = { personalization: true, features: {}, dietary, updatedAt: 0 };
          for (let round = 0; round < 2; round++) {
            const { section: s } = personalize({ hits, record: { profile, settings, session: null }, strength: 0.7, config: cfg, now, explain });
            expect(writeSectionJson(s)).toBe(JSON.stringify(s));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
