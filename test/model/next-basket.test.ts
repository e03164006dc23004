import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/load-config.js';
import { configSchema } from '../../src/config/schema.js';
import { foldSplit } from '../../src/evaluation/next-basket-cv.js';
import { loadConfiguredModel } from '../../src/model/load-configured-model.js';
import { modelFileOf, parseModelFile, serializeModel } from '../../src/model/model-file.js';
import { trainNextBasket } from '../../src/model/train-next-basket.js';
import { NEXT_BASKET_FEATURES, productFeatures, unseenLines, type NextBasketModel } from '../../src/personalization/next-basket-model.js';
import { nextBasketModelFor, registerNextBasketModel } from '../../src/personalization/next-basket-registry.js';
import { personalize } from '../../src/personalization/personalize.js';
import { applyEvents } from '../../src/personalization/profile-update.js';
import type { ShopperEvent, ShopperProfile } from '../../src/personalization/types.js';
import { decodeProfile, encodeProfile } from '../../src/store/profile-codec.js';

const config = configSchema.parse({}).personalization;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

/** Shoppers with staples (every order), a fortnightly product and one-offs: enough signal to learn from. */
function histories(shoppers: number): ShopperEvent[][] {
  const out: ShopperEvent[][] = [];
  for (let s = 0; s < shoppers; s++) {
    const events: ShopperEvent[] = [];
    for (let o = 0; o < 8; o++) {
      const items = [{ id: `milk-${s % 3}`, quantity: 1 }, { id: `one-off-${s}-${o}`, quantity: 1 }];
      if (o % 2 === 0) items.push({ id: `coffee-${s % 2}`, quantity: 1 });
      if ((s + o) % 3 === 0) items.push({ id: 'bread', quantity: 1 });
      events.push({ id: `s${s}-o${o}`, type: 'purchase', at: T0 + (o * 7 + (s % 3)) * DAY, items });
    }
    out.push(events);
  }
  return out;
}

function replay(events: ShopperEvent[]): ShopperProfile {
  let profile: ShopperProfile | null = null;
  for (const e of events) profile = applyEvents({ profile, session: null }, [e], e.at, config, { purchaseOrders: true }).profile;
  return profile!;
}

describe('next-basket model training', () => {
  it('gives the same model file, byte for byte, for the same history and seed', () => {
    const train = () => {
      const { model, summary } = trainNextBasket(histories(30), { config, seed: 42, maxRows: 500 });
      return serializeModel(modelFileOf(model, { seed: 42, shoppers: summary.shoppers, orders: summary.orders, rows: summary.rows, from: 'fixture' }));
    };
    const first = train();
    expect(train()).toBe(first);
    // And the file reads back into the model that wrote it.
    const model = parseModelFile(first);
    expect(model.weights).toHaveLength(NEXT_BASKET_FEATURES.length);
    expect(model.weights.every(Number.isFinite)).toBe(true);
  });

  it('learns that staples come back: the staple scores above a one-off', () => {
    const { model } = trainNextBasket(histories(30), { config, seed: 1 });
    registerNextBasketModel('(test: trained)', model);
    const profile = replay(histories(1)[0]!);
    const { section } = personalize({ hits: [], record: { profile, settings: null, session: null }, strength: 0.5, config: { ...config, model: '(test: trained)' }, now: T0 + 56 * DAY, explain: false });
    const listed = [...section.usual.map((u) => u.id), ...section.reorder.map((r) => r.id)];
    expect(listed).toContain('milk-0');
    expect(listed.filter((id) => id.startsWith('one-off'))).toEqual([]);
  });
});

describe('model file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sidecart-model-'));

  it('refuses a file that is not a model, saying why', () => {
    expect(() => parseModelFile('{')).toThrow(/not JSON/);
    expect(() => parseModelFile(JSON.stringify({ kind: 'sidecart-next-basket', version: 1 }))).toThrow(/learner|features/);
    const good = JSON.parse(serializeModel(modelFileOf(trainNextBasket(histories(5), { config, seed: 1 }).model, { seed: 1, shoppers: 5, orders: 40, rows: 1, from: 'x' }))) as Record<string, unknown>;
    expect(() => parseModelFile(JSON.stringify({ ...good, weights: [1, 2] }))).toThrow(/weights/);
    expect(() => parseModelFile(JSON.stringify({ ...good, features: ['a'] }))).toThrow(/features/);
  });

  it('stops the start naming the key and the file when personalization.model is unusable', () => {
    const bad = join(dir, 'bad-model.json');
    writeFileSync(bad, '{"kind":"something else"}');
    const sidecartConfig = configSchema.parse({ personalization: { model: bad } });
    let error: unknown;
    try {
      loadConfiguredModel(sidecartConfig, '/etc/sidecart/config.yaml');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('/etc/sidecart/config.yaml');
    expect((error as Error).message).toContain('personalization.model');
    expect((error as Error).message).toContain(bad);
    const missing = configSchema.parse({ personalization: { model: join(dir, 'absent.json') } });
    expect(() => loadConfiguredModel(missing, 'c.yaml')).toThrow(/personalization\.model.*cannot read/);
  });

  it('loads a good file under its name; no name, no model', () => {
    const path = join(dir, 'good-model.json');
    const { model, summary } = trainNextBasket(histories(10), { config, seed: 3 });
    writeFileSync(path, serializeModel(modelFileOf(model, { seed: 3, shoppers: summary.shoppers, orders: summary.orders, rows: summary.rows, from: 'x' })));
    const sidecartConfig = configSchema.parse({ personalization: { model: path } });
    loadConfiguredModel(sidecartConfig, 'c.yaml');
    expect(nextBasketModelFor(sidecartConfig.personalization)?.weights).toEqual(model.weights);
    expect(nextBasketModelFor(config)).toBeNull();
  });
});

describe('profiles and the model', () => {
  // Encoded by the codec before it kept each product's last order (format 1, deflated).
  const OLD_PROFILE = 'Aej8HRQY7wcUFMIlAQVkYWlyeQAAAAACAAVza3UtMQUaEBAECAQAQQA4AM8CAAAcCwAA';

  it('an old encoded profile still reads, and the model can score it', () => {
    const profile = decodeProfile(Buffer.from(OLD_PROFILE, 'base64'));
    expect(profile.orders).toBe(5);
    expect(Object.keys(profile.products).sort()).toEqual(['sku-1', 'sku-2']);
    const stat = profile.products['sku-1']!;
    expect(stat).toMatchObject({ n: 4, q: 2, gn: 3, gm: 7, category: 'dairy' });
    expect(stat.lo).toBeUndefined();
    const tables = { popularity: new Map<string, number>(), popularityFloor: 0.01, repeat: new Map<string, number>(), repeatFloor: 0.5, halfLifeDays: 30 };
    const x = productFeatures(profile, stat, 'sku-1', Date.UTC(2026, 0, 17), tables);
    expect(x).toHaveLength(NEXT_BASKET_FEATURES.length);
    expect(x.every(Number.isFinite)).toBe(true);
  });

  it('the codec keeps the last order and the order-decayed frequency', () => {
    const profile = replay(histories(1)[0]!);
    const back = decodeProfile(encodeProfile(profile));
    for (const id of Object.keys(profile.products)) {
      expect(back.products[id]!.lo).toBe(profile.products[id]!.lo);
      // Kept to 1/16 (the codec's one-column encoding): within half a step.
      expect(Math.abs(back.products[id]!.f! - profile.products[id]!.f!)).toBeLessThanOrEqual(1 / 32);
    }
    expect(profile.products['milk-0']!.lo).toBe(8);
    expect(profile.products['coffee-0']!.lo).toBe(7);
  });
});

describe('order columns only where a model reads them', () => {
  it('with no model configured, the updater keeps no order columns and the codec writes format 1', () => {
    let profile: ShopperProfile | null = null;
    for (const e of histories(1)[0]!) profile = applyEvents({ profile, session: null }, [e], e.at, config).profile;
    expect(Object.values(profile!.products).every((s) => s.lo === undefined && s.f === undefined)).toBe(true);
    expect([0x01, 0x81]).toContain(encodeProfile(profile!)[0]);
    const withModel = { ...config, model: '/models/next-basket.json' };
    profile = null;
    for (const e of histories(1)[0]!) profile = applyEvents({ profile, session: null }, [e], e.at, withModel).profile;
    expect(Object.values(profile!.products).some((s) => s.lo !== undefined)).toBe(true);
    expect([0x02, 0x82]).toContain(encodeProfile(profile!)[0]);
  });
});

describe('usual and reorder with a model', () => {
  // Six weekly orders: apples in every one, bananas in the first two, cherries in the last only.
  const orders: ShopperEvent[] = Array.from({ length: 6 }, (_, o) => ({
    id: `o${o}`,
    type: 'purchase',
    at: T0 + o * 7 * DAY,
    items: [{ id: 'apples', quantity: 1 }, ...(o < 2 ? [{ id: 'bananas', quantity: 1 }] : []), ...(o === 5 ? [{ id: 'cherries', quantity: 1 }] : [])],
  }));
  const profile = replay(orders);
  const now = T0 + 42 * DAY;
  // A literal model: share of orders and "bought in the last order" raise the probability.
  const weights = NEXT_BASKET_FEATURES.map((name) => (name === 'share_of_orders' ? 6 : name === 'bought_last_order' ? 3 : 0));
  const model: NextBasketModel = {
    mean: weights.map(() => 0),
    scale: weights.map(() => 1),
    weights,
    bias: -4,
    popularity: new Map(),
    popularityFloor: 0.01,
    repeat: new Map(),
    repeatFloor: 0.5,
    halfLifeDays: 30,
  };
  registerNextBasketModel('(test: literal)', model);
  const lists = (model?: string) => {
    const { section } = personalize({ hits: [], record: { profile, settings: null, session: null }, strength: 0.5, config: { ...config, model }, now, explain: false });
    return { usual: section.usual.map((u) => u.id), reorder: section.reorder.map((r) => r.id) };
  };

  it('the rules list apples only', () => {
    expect(lists()).toEqual({ usual: ['apples'], reorder: ['apples'] });
  });

  it('the model adds what it predicts (cherries, bought last time) and leaves out bananas; apples, a week past their weekly cycle, are due', () => {
    expect(lists('(test: literal)')).toEqual({ usual: ['cherries'], reorder: ['apples'] });
  });
});

describe('list size', () => {
  it("counts the basket's new products from the shopper's basket size and share of repeat purchases", () => {
    // Six orders of two lines: apples in every one (5 repeats), bananas twice (1 repeat), cherries once; 12 lines, 3 products.
    const orders: ShopperEvent[] = Array.from({ length: 6 }, (_, o) => ({
      id: `o${o}`,
      type: 'purchase',
      at: T0 + o * 7 * DAY,
      items: [{ id: 'apples', quantity: 1 }, { id: o < 2 ? 'bananas' : o === 5 ? 'cherries' : `one-off-${o}`, quantity: 1 }],
    }));
    const profile = replay(orders);
    // 12 lines over 6 distinct products: 6 repeats, so half of a 2-line basket is expected to be new.
    expect(unseenLines(profile)).toBeCloseTo(1, 6);
  });
});

describe('cross-validation split', () => {
  it('never puts a shopper in both the training and the test side, and tests every shopper once', () => {
    const ids = Array.from({ length: 103 }, (_, i) => String(i * 7));
    const split = foldSplit(ids, 5, 20261206);
    const tested = new Map<number, number>();
    for (const { train, test } of split) {
      const trainSet = new Set(train);
      for (const i of test) {
        expect(trainSet.has(i)).toBe(false);
        tested.set(i, (tested.get(i) ?? 0) + 1);
      }
      expect(train.length + test.length).toBe(ids.length);
    }
    expect(tested.size).toBe(ids.length);
    expect([...tested.values()].every((n) => n === 1)).toBe(true);
    expect(foldSplit(ids, 5, 20261206)).toEqual(split);
  });
});
