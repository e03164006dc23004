import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startFixtureBackend, type FixtureBackend } from '../support/child-process.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { startSidecart, type RunningSidecart } from '../support/sidecart-harness.js';
import { configSchema } from '../../src/config/schema.js';
import { createProfileUpdater } from '../../src/personalization/profile-update.js';
import { createProfileStore } from '../../src/store/create-profile-store.js';

// Store-wide complementary items (personalization.complementaryStoreWide) over real sockets with a real Redis: several shoppers'
// purchases become pair counts; another shopper's search lists the partner with a reason, and
// nothing in that response names the other shoppers or their baskets.

interface Section {
  applied: string[];
  features: string[];
  complementary?: { id: string; reason: string }[];
}
interface EsResponse {
  hits: { hits: { _id: string }[] };
  _personalization?: Section;
}

const SEARCH = '/products/_search?q=milk&size=24';
const DAY = 86_400_000;
let backend: FixtureBackend;
let redis: RedisServer;
let prefixes = 0;

beforeAll(async () => {
  [backend, redis] = await Promise.all([startFixtureBackend(), startRedis()]);
});

afterAll(async () => {
  await backend?.stop();
  await redis?.stop();
});

async function startProxy(storeWide: boolean): Promise<{ proxy: RunningSidecart; prefix: string }> {
  const prefix = `cpint${++prefixes}`;
  const proxy = await startSidecart({
    upstream: { url: backend.url },
    // Generous budget and timeouts: the machine is shared and slow; speed is not tested here.
    routes: [{ path: '/products/_search', adapter: 'elasticsearch', budgetMs: 2_000, strength: 0.5 }],
    store: { redis: { url: redis.url, keyPrefix: prefix, commandTimeoutMs: 2_000, connectTimeoutMs: 2_000 }, breaker: { timeoutMs: 2_000 } },
    personalization: { features: { complementary: true }, complementaryStoreWide: storeWide },
  });
  const deadline = Date.now() + 10_000;
  while (!proxy.sidecart.store.health?.().redisReady) {
    if (Date.now() > deadline) throw new Error('sidecart never connected to Redis');
    await new Promise((r) => setTimeout(r, 25));
  }
  if (storeWide) expect(await proxy.sidecart.coPurchases.ready(10_000)).toBe(true);
  return { proxy, prefix };
}

async function postEvents(proxy: RunningSidecart, shopper: string, events: unknown[]) {
  const res = await request(`${proxy.url}/sidecart/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-id': shopper },
    body: JSON.stringify({ events }),
  });
  expect(res.statusCode).toBe(202);
  await res.body.dump();
}

async function search(proxy: RunningSidecart, shopper: string): Promise<{ header: string; text: string; body: EsResponse }> {
  const res = await request(`${proxy.url}${SEARCH}`, { headers: { 'x-user-id': shopper } });
  const text = await res.body.text();
  return { header: String(res.headers['x-sidecart']), text, body: JSON.parse(text) as EsResponse };
}

/** Three shoppers buy pasta with sauce; one of them also buys something only they bought. */
async function otherShoppersBuy(proxy: RunningSidecart) {
  const at = Date.now() - DAY;
  const baskets: [string, string, string[]][] = [
    ['shopper-ann', 'ann-order-1', ['pasta-500g', 'tomato-sauce', 'ann-private-item']],
    ['shopper-bob', 'bob-order-9', ['pasta-500g', 'tomato-sauce']],
    ['shopper-cem', 'cem-order-4', ['tomato-sauce', 'pasta-500g', 'parmesan']],
  ];
  for (const [shopper, id, products] of baskets) {
    await postEvents(proxy, shopper, [{ id, type: 'purchase', at, items: products.map((p) => ({ id: p, quantity: 1 })) }]);
  }
  // A retried checkout must not count twice.
  await postEvents(proxy, 'shopper-bob', [{ id: 'bob-order-9', type: 'purchase', at, items: [{ id: 'pasta-500g', quantity: 1 }, { id: 'tomato-sauce', quantity: 1 }] }]);
}

describe('store-wide complementary items through the proxy (real Redis)', () => {
  it("a shopper with pasta in the cart is offered the sauce other shoppers bought with it, with a reason and no trace of them", async () => {
    const { proxy, prefix } = await startProxy(true);
    try {
      await otherShoppersBuy(proxy);
      // Purchases are counted after the events answer; wait (bounded) for the third basket.
      const deadline = Date.now() + 10_000;
      while (Number(await redis.cli('ZSCORE', `${prefix}:cp:pasta-500g`, 'tomato-sauce')) < 3) {
        if (Date.now() > deadline) throw new Error('the co-purchase counts never reached Redis');
        await new Promise((r) => setTimeout(r, 25));
      }
      expect(await redis.cli('ZSCORE', `${prefix}:cp:pasta-500g`, 'pasta-500g')).toBe('3');

      await postEvents(proxy, 'shopper-dee', [{ id: 'dee-cart-1', type: 'add_to_cart', at: Date.now(), items: [{ id: 'pasta-500g', quantity: 1 }] }]);
      const res = await search(proxy, 'shopper-dee');
      expect(res.header).toBe('personalized');
      const section = res.body._personalization!;
      expect(section.features).toContain('complementary');
      expect(section.applied).toContain('complementary');
      expect(section.complementary).toEqual([{ id: 'tomato-sauce', reason: 'often bought with pasta-500g' }]);
      // Only counts crossed: no other shopper's id, order id, or the item only one of them bought.
      for (const trace of ['shopper-ann', 'shopper-bob', 'shopper-cem', 'ann-order-1', 'bob-order-9', 'cem-order-4', 'ann-private-item', 'parmesan']) {
        expect(res.text).not.toContain(trace);
      }

      // The shopper switches the feature off: no list, and the section says it is off.
      const put = await request(`${proxy.url}/sidecart/v1/me/settings`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-user-id': 'shopper-dee' },
        body: JSON.stringify({ features: { complementary: false } }),
      });
      expect(put.statusCode).toBe(200);
      await put.body.dump();
      const off = await search(proxy, 'shopper-dee');
      expect(off.body._personalization?.features ?? []).not.toContain('complementary');
      expect(off.body._personalization?.complementary).toBeUndefined();
    } finally {
      await proxy.close();
    }
  });

  it('with the store switch off, purchases write no counts and searches offer nothing from other shoppers', async () => {
    const { proxy, prefix } = await startProxy(false);
    try {
      await otherShoppersBuy(proxy);
      await postEvents(proxy, 'shopper-dee', [{ id: 'dee-cart-1', type: 'add_to_cart', at: Date.now(), items: [{ id: 'pasta-500g', quantity: 1 }] }]);
      const res = await search(proxy, 'shopper-dee');
      expect(res.header).toBe('personalized');
      // The feature is on for the shopper, but with own baskets only there is nothing to pair yet.
      expect(res.body._personalization!.features).toContain('complementary');
      expect(res.body._personalization!.complementary).toEqual([]);
      expect(await redis.cli('KEYS', `${prefix}:cp*`)).toBe('');
    } finally {
      await proxy.close();
    }
  });

  it('a hanging co-purchase Redis costs the search its store-wide items, never the personalization', async () => {
    // Profiles in memory, counts in a Redis of their own that the test freezes (SIGSTOP).
    const frozen = await startRedis();
    const memoryConfig = configSchema.parse({});
    const store = createProfileStore({ config: memoryConfig, updater: createProfileUpdater(memoryConfig.personalization) });
    const proxy = await startSidecart(
      {
        upstream: { url: backend.url },
        routes: [{ path: '/products/_search', adapter: 'elasticsearch', budgetMs: 1_000, strength: 0.5 }],
        store: { redis: { url: frozen.url, keyPrefix: 'frozen' } },
        personalization: { complementaryStoreWide: true },
      },
      store,
    );
    try {
      expect(await proxy.sidecart.coPurchases.ready(10_000)).toBe(true);
      await otherShoppersBuy(proxy);
      const deadline = Date.now() + 10_000;
      while (Number(await frozen.cli('ZSCORE', 'frozen:cp:pasta-500g', 'tomato-sauce')) < 3) {
        if (Date.now() > deadline) throw new Error('the co-purchase counts never reached Redis');
        await new Promise((r) => setTimeout(r, 25));
      }
      await postEvents(proxy, 'shopper-dee', [{ id: 'dee-cart-1', type: 'add_to_cart', at: Date.now(), items: [{ id: 'pasta-500g', quantity: 1 }] }]);
      expect((await search(proxy, 'shopper-dee')).body._personalization!.complementary).toEqual([{ id: 'tomato-sauce', reason: 'often bought with pasta-500g' }]);

      frozen.pause();
      try {
        // The count read hangs (then fails on the breaker's timeout); the search still personalizes.
        const res = await search(proxy, 'shopper-dee');
        expect(res.header).toBe('personalized');
        expect(res.body._personalization!.complementary).toEqual([]);
      } finally {
        frozen.resume();
      }
    } finally {
      await proxy.close();
      await frozen.stop();
    }
  });
});
