import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { createKeyLayout } from '../../src/store/redis-keys.js';
import { startFixtureBackend, type FixtureBackend } from '../support/child-process.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { startSidecart, type RunningSidecart } from '../support/sidecart-harness.js';

// Event times: the events API refuses a time no date can hold (or a wildly wrong one), and a bad
// time already stored (old data, written before the bound existed) never breaks a read of it.

const TOKEN = 'admin-token-event-times-3f1a9';
const PREFIX = 'times';
const FAR = 9e15; // past the largest time a Date holds (8.64e15 ms)
let backend: FixtureBackend;
let redis: RedisServer;
let direct: Redis;
let proxy: RunningSidecart;

beforeAll(async () => {
  [backend, redis] = await Promise.all([startFixtureBackend(), startRedis()]);
  direct = new Redis({ port: redis.port, host: '127.0.0.1', lazyConnect: true });
  await direct.connect();
  proxy = await startSidecart({
    upstream: { url: backend.url },
    routes: [{ path: '/products/_search', adapter: 'elasticsearch', budgetMs: 500 }],
    store: { redis: { url: redis.url, keyPrefix: PREFIX, commandTimeoutMs: 2000 }, breaker: { timeoutMs: 2000, writeTimeoutMs: 2000 } },
    admin: { token: TOKEN },
  });
  const started = Date.now();
  while (proxy.sidecart.store.health?.().redisReady !== true) {
    if (Date.now() - started > 10_000) throw new Error('Redis connection not ready');
    await new Promise((r) => setTimeout(r, 50));
  }
});

afterAll(async () => {
  await proxy?.close();
  direct?.disconnect();
  await redis?.stop();
  await backend?.stop();
});

async function get(url: string, headers: Record<string, string>) {
  const res = await request(url, { headers });
  const text = await res.body.text();
  return { status: res.statusCode, text };
}

describe('event times', () => {
  it('refuses at 9e15, a day ahead and before 2000 with 400 naming the field, and keeps nothing', async () => {
    for (const at of [FAR, Date.now() + 2 * 86_400_000, '1999-12-31T23:59:59Z']) {
      const res = await request(`${proxy.url}/sidecart/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': 'time-traveller' },
        body: JSON.stringify({ events: [{ type: 'purchase', items: [{ id: 'p1' }] }, { type: 'purchase', at, items: [{ id: 'p2' }] }] }),
      });
      const body = (await res.body.json()) as { field?: string };
      expect(res.statusCode).toBe(400);
      expect(body.field).toBe('events.1.at');
    }
    expect(await direct.keys(`${PREFIX}:{u:time-traveller}:*`)).toEqual([]);
  });

  it('answers /me, the export and the admin read 200 for a shopper whose stored times no date can hold', async () => {
    const shopper = 'old-data';
    // Written past the API's bound, as data stored before it existed: through the store and codec into Redis.
    await proxy.sidecart.store.applyEvents(
      shopper,
      [
        { id: 'far-1', type: 'purchase', at: FAR, items: [{ id: 'p-far', quantity: 1 }] },
        { id: 'far-2', type: 'view', at: FAR, items: [{ id: 'p-seen', quantity: 1 }] },
      ],
      Date.now(),
    );
    // And a session written raw, as an older version may have left it.
    const keys = createKeyLayout(PREFIX).shopper(shopper);
    await direct.set(keys.session, JSON.stringify({ recent: [{ id: 'p-seen', type: 'view', at: FAR }], queries: [], updatedAt: FAR }), 'PX', 60_000);
    expect(await direct.exists(keys.profile)).toBe(1);

    const me = await get(`${proxy.url}/sidecart/v1/me`, { 'x-user-id': shopper });
    expect(me.status).toBe(200);
    const description = JSON.parse(me.text) as { stored: { what: string; since: string | null; details: unknown }[] };
    const visit = description.stored.find((s) => s.what.startsWith('What you viewed'));
    expect(visit?.since).toBeNull();
    expect(JSON.stringify(description)).toContain('p-far');

    const exported = await get(`${proxy.url}/sidecart/v1/me/export`, { 'x-user-id': shopper });
    expect(exported.status).toBe(200);
    expect(exported.text).toContain('p-far');

    const admin = await get(`${proxy.opsUrl}/admin/shoppers/${shopper}`, { authorization: `Bearer ${TOKEN}` });
    expect(admin.status).toBe(200);
    expect(admin.text).toContain('p-far');

    // The search path reads the same record: personalized or passed through, never an error.
    const search = await request(`${proxy.url}/products/_search?q=milk&size=24`, { headers: { 'x-user-id': shopper } });
    await search.body.dump();
    expect(search.statusCode).toBe(200);
  });
});
