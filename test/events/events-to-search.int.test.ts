import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startFixtureBackend, type FixtureBackend } from '../support/child-process.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { startSidecart, type RunningSidecart } from '../support/sidecart-harness.js';

// Issue 4's integration: events in (events API and a traffic tap), personalized search out,
// through the proxy, for the memory store and for a real Redis.

interface EsHit {
  _id: string;
  _source: { brand: string };
}
interface EsResponse {
  hits: { hits: EsHit[] };
  _personalization?: { enabled: boolean; applied: string[]; usual: { id: string; usualQuantity: number; timesBought: number }[]; confidence: number };
}

const SEARCH = '/products/_search?q=milk&size=24';
const DAY = 86_400_000;
let backend: FixtureBackend;
let redis: RedisServer;

beforeAll(async () => {
  [backend, redis] = await Promise.all([startFixtureBackend(), startRedis()]);
});

afterAll(async () => {
  await backend?.stop();
  await redis?.stop();
});

function sidecartConfig(store: Record<string, unknown>) {
  return {
    upstream: { url: backend.url },
    routes: [{ path: '/products/_search', adapter: 'elasticsearch', budgetMs: 500, strength: 0.8 }],
    // Generous timeouts: the test machine is shared and slow; the budget is not what is tested here.
    store,
    events: { taps: [{ path: '/echo/cart', method: 'POST', type: 'add_to_cart', itemsPath: 'lines', idPath: 'sku', quantityPath: 'qty' }] },
  };
}

async function search(proxy: RunningSidecart, shopper?: string) {
  const res = await request(`${proxy.url}${SEARCH}`, { headers: shopper ? { 'x-user-id': shopper } : {} });
  return { status: res.statusCode, headers: res.headers, body: JSON.parse(await res.body.text()) as EsResponse };
}

async function backendHits(): Promise<EsHit[]> {
  const res = await request(`${backend.url}${SEARCH}`);
  return ((await res.body.json()) as EsResponse).hits.hits;
}

/** The shopper buys the backend's last milk hit twice (API) and puts the second-to-last in the cart (tap). */
async function shop(proxy: RunningSidecart, shopper: string, favourite: EsHit, carted: EsHit) {
  const now = Date.now();
  const api = await request(`${proxy.url}/sidecart/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-id': shopper },
    body: JSON.stringify({
      events: [
        { id: 'buy-1', type: 'purchase', at: now - 14 * DAY, items: [{ id: favourite._id, brand: favourite._source.brand, quantity: 3 }] },
        { id: 'buy-2', type: 'purchase', at: now - 7 * DAY, items: [{ id: favourite._id, brand: favourite._source.brand, quantity: 3 }] },
      ],
    }),
  });
  expect(api.statusCode).toBe(202);
  expect(await api.body.json()).toMatchObject({ accepted: 2, stored: expect.stringMatching(/^(redis|memory)$/) });
  const cart = await request(`${proxy.url}/echo/cart`, { method: 'POST', headers: { 'x-user-id': shopper, 'content-type': 'application/json' }, body: JSON.stringify({ lines: [{ sku: carted._id, qty: 1 }] }) });
  expect(cart.statusCode).toBe(200);
  await cart.body.dump();
  // The tap writes after the response; wait (bounded) until the cart add is in the profile.
  const deadline = Date.now() + 10_000;
  while (!(await proxy.sidecart.store.read(shopper, Date.now())).record.profile?.products[carted._id]) {
    if (Date.now() > deadline) throw new Error('the tapped cart add never reached the profile');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Until its Redis connection is up, a sidecart answers from memory by design; wait for it. */
async function waitForRedis(proxy: RunningSidecart) {
  const deadline = Date.now() + 10_000;
  while (!proxy.sidecart.store.health?.().redisReady) {
    if (Date.now() > deadline) throw new Error('sidecart never connected to Redis');
    await new Promise((r) => setTimeout(r, 25));
  }
}

function expectPersonalized(res: Awaited<ReturnType<typeof search>>, backendIds: string[], favourite: EsHit, carted: EsHit) {
  expect(res.status).toBe(200);
  expect(res.headers['x-sidecart']).toBe('personalized');
  const ids = res.body.hits.hits.map((h) => h._id);
  expect([...ids].sort()).toEqual([...backendIds].sort()); // nothing lost, nothing invented
  // The backend put them last; the shopper's usual and the product just put in the cart lead now
  // (which of the two first is the ranking's call: a fresh cart add is strong session intent).
  expect(ids.slice(0, 2).sort()).toEqual([favourite._id, carted._id].sort());
  expect(res.body._personalization).toMatchObject({ enabled: true });
  expect(res.body._personalization!.usual).toEqual(expect.arrayContaining([expect.objectContaining({ id: favourite._id, usualQuantity: 3, timesBought: 2 })]));
  expect(res.body._personalization!.confidence).toBeGreaterThan(0);
}

describe.each([
  { name: 'memory store', store: () => ({}) },
  {
    name: 'real Redis',
    store: () => ({ redis: { url: redis.url, commandTimeoutMs: 2_000, connectTimeoutMs: 2_000 }, breaker: { timeoutMs: 2_000 } }),
  },
])('events in, personalized search out ($name)', ({ name, store }) => {
  it('personalizes the shopper’s search from API events and a tapped cart call', async () => {
    const hits = await backendHits();
    const backendIds = hits.map((h) => h._id);
    const favourite = hits.at(-1)!;
    const carted = hits.at(-2)!;
    const shopper = `shopper-${name.replace(/\W/g, '')}`;
    const proxy = await startSidecart(sidecartConfig(store()));
    try {
      if (name === 'real Redis') await waitForRedis(proxy);
      const before = await search(proxy, shopper);
      expect(before.headers['x-sidecart']).toMatch(/^passthrough/);
      expect(before.body.hits.hits.map((h) => h._id)).toEqual(backendIds);

      await shop(proxy, shopper, favourite, carted);
      expectPersonalized(await search(proxy, shopper), backendIds, favourite, carted);
      if (name === 'real Redis') expect(proxy.sidecart.store.health?.().journalEntries).toBe(0); // written to Redis, not journaled

      // Another shopper still gets the backend's order.
      const other = await search(proxy, 'someone-else');
      expect(other.body.hits.hits.map((h) => h._id)).toEqual(backendIds);
    } finally {
      await proxy.close();
    }

    if (name === 'real Redis') {
      // The profile lives in Redis: a new sidecart process state (empty memory) personalizes the same way.
      expect(await redis.cli('--scan', '--pattern', `sidecart:{u:${shopper}}*`)).toContain(shopper);
      const fresh = await startSidecart(sidecartConfig(store()));
      try {
        await waitForRedis(fresh);
        expectPersonalized(await search(fresh, shopper), backendIds, favourite, carted);
      } finally {
        await fresh.close();
      }
    }
  });
});
