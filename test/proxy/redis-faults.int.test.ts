import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { createRedisClient } from '../../src/store/redis-client.js';
import { RedisProfileStore } from '../../src/store/redis-profile-store.js';
import type { ResilientProfileStore } from '../../src/store/resilient-profile-store.js';
import { createProfileUpdater } from '../../src/personalization/profile-update.js';
import { configSchema } from '../../src/config/schema.js';
import { startFixtureBackend, type FixtureBackend } from '../support/child-process.js';
import { freePort, startRedis, type RedisServer } from '../support/redis-server.js';
import { startSidecart, type RunningSidecart } from '../support/sidecart-harness.js';

// Redis failures seen from the storefront: through the proxy, with a real redis-server that the
// test kills (SIGKILL), freezes (SIGSTOP) or starts late. The promise: zero failed responses,
// shoppers read before still personalized, events accepted during an outage in Redis afterwards,
// each applied once.

const SEARCH = '/products/_search?q=dairy&size=24';
const BUDGET_MS = 100;
let backend: FixtureBackend;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  backend = await startFixtureBackend();
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});
afterAll(async () => {
  await backend?.stop();
});

async function start(redisUrl: string): Promise<{ proxy: RunningSidecart; store: ResilientProfileStore }> {
  const proxy = await startSidecart({
    upstream: { url: backend.url },
    routes: [{ path: '/products/_search', adapter: 'elasticsearch', budgetMs: BUDGET_MS }],
    store: {
      redis: { url: redisUrl, commandTimeoutMs: 100, connectTimeoutMs: 200 },
      breaker: { timeoutMs: 50, resetTimeoutMs: 500, volumeThreshold: 3, errorThresholdPercentage: 50, rollingCountTimeoutMs: 2000, rollingCountBuckets: 10 },
      // Outage writes are kept (and answered 202) only with a journal; this file is about replay.
      journal: { memory: true },
    },
    events: { rateLimitPerSecond: 0 },
  });
  cleanups.push(() => proxy.close());
  return { proxy, store: proxy.sidecart.store as unknown as ResilientProfileStore };
}

async function search(proxy: RunningSidecart, shopper: string) {
  const started = performance.now();
  const res = await request(`${proxy.url}${SEARCH}`, { headers: { 'x-user-id': shopper } });
  await res.body.dump();
  return { status: res.statusCode, sidecart: String(res.headers['x-sidecart']), ms: performance.now() - started };
}

async function purchase(proxy: RunningSidecart, shopper: string, eventId: string, product: string) {
  const res = await request(`${proxy.url}/sidecart/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-id': shopper },
    body: JSON.stringify({ events: [{ id: eventId, type: 'purchase', items: [{ id: product, brand: 'Arla' }] }] }),
  });
  await res.body.dump();
  return res.statusCode;
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Reads profiles straight from Redis with a client of its own (not through sidecart). */
function directRedisReader(url: string) {
  const config = configSchema.parse({});
  const client = createRedisClient({ ...config.store.redis, url });
  const store = new RedisProfileStore({
    client,
    keyPrefix: 'sidecart',
    retentionDays: 365,
    sessionTtlMs: 3_600_000,
    seenEventIdsMax: 1000,
    seenEventIdsTtlMs: 86_400_000,
    updater: createProfileUpdater(config.personalization),
  });
  cleanups.push(() => store.close());
  return store;
}

describe('Redis behind the breaker, through the proxy', () => {
  it('SIGKILL under a steady stream: zero failed responses, known shoppers stay personalized, outage events land in Redis once', async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const { proxy, store } = await start(redis.url);
    expect(await store.ready(5000)).toBe(true);

    const readers = ['reader-1', 'reader-2', 'reader-3'];
    for (const shopper of readers) expect(await purchase(proxy, shopper, `${shopper}-seed`, 'sku-0001')).toBe(202);
    for (const shopper of readers) expect((await search(proxy, shopper)).sidecart).toBe('personalized');

    const failures: string[] = [];
    const outageEvents: string[] = [];
    let outage = false;
    let personalizedDuringOutage = 0;
    let searchesDuringOutage = 0;
    let n = 0;
    const stream = (async () => {
      const until = Date.now() + 4000;
      while (Date.now() < until) {
        n += 1;
        const shopper = readers[n % readers.length]!;
        // Read before the calls start: a write the old Redis took just before the kill went down
        // with it, so only calls that started after the kill and ended before the restart count.
        const startedInOutage = outage;
        const [found, status] = await Promise.all([search(proxy, shopper), purchase(proxy, `writer-${n}`, `w-${n}`, `p-${n}`)]);
        if (found.status !== 200) failures.push(`search ${found.status}`);
        if (status !== 202) failures.push(`event ${status}`);
        if (startedInOutage && outage) {
          searchesDuringOutage += 1;
          if (found.sidecart === 'personalized') personalizedDuringOutage += 1;
          if (status === 202) outageEvents.push(String(n));
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await new Promise((r) => setTimeout(r, 800));
    await redis.kill('SIGKILL');
    outage = true;
    await new Promise((r) => setTimeout(r, 1500));
    outage = false;
    await redis.restart();
    await stream;

    expect(failures).toEqual([]);
    expect(searchesDuringOutage).toBeGreaterThan(5);
    expect(personalizedDuringOutage).toBe(searchesDuringOutage);
    expect(outageEvents.length).toBeGreaterThan(5);

    // The journal drains into the restarted (empty) Redis; each outage event counted once.
    await waitFor(() => store.health().journalEntries === 0 && store.health().breaker === 'closed', 15_000, 'journal replay');
    const direct = directRedisReader(redis.url);
    expect(await direct.ready(5000)).toBe(true);
    for (const n of outageEvents) {
      const { record } = await direct.read(`writer-${n}`);
      expect(record.profile?.products[`p-${n}`]?.n, `writer-${n}`).toBe(1);
    }
  });

  it('SIGSTOP (hung Redis): the breaker opens, no search waits past budget + margin, SIGCONT closes it again', async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const { proxy, store } = await start(redis.url);
    expect(await store.ready(5000)).toBe(true);
    expect(await purchase(proxy, 'known', 'known-1', 'sku-0002')).toBe(202);

    redis.pause();
    cleanups.push(async () => redis.resume());
    const timings: number[] = [];
    const shoppers = Array.from({ length: 30 }, (_, i) => `cold-${i}`); // never read: no near-cache copy
    for (const shopper of shoppers) {
      const result = await search(proxy, shopper);
      expect(result.status).toBe(200);
      timings.push(result.ms);
    }
    expect(store.health().breaker).toBe('open');
    // Budget plus a margin for a loaded 2-core CI machine (upstream time is included here).
    expect(Math.max(...timings)).toBeLessThan(BUDGET_MS + 150);
    const open = await search(proxy, 'known');
    expect(open.sidecart).toBe('personalized');

    redis.resume();
    await waitFor(async () => {
      await search(proxy, `probe-${Date.now()}`);
      return store.health().breaker === 'closed';
    }, 10_000, 'breaker to close after SIGCONT');
  });

  it('Redis absent at start: sidecart serves from memory, then uses Redis once it appears', async () => {
    const port = await freePort();
    const { proxy, store } = await start(`redis://127.0.0.1:${port}`);
    expect(await purchase(proxy, 'early', 'early-1', 'sku-0003')).toBe(202);
    expect((await search(proxy, 'early')).sidecart).toBe('personalized');
    expect(store.health().redisReady).toBe(false);

    const redis: RedisServer = await startRedis({ port });
    cleanups.push(() => redis.stop());
    await waitFor(() => store.health().redisReady, 15_000, 'Redis to connect');
    await waitFor(async () => {
      await purchase(proxy, 'late', `late-${Date.now()}`, 'sku-0004');
      return (await redis.cli('--scan', '--pattern', 'sidecart:*late*')).length > 0;
    }, 15_000, 'a write to reach Redis');
    await waitFor(async () => (await redis.cli('--scan', '--pattern', 'sidecart:*early*')).length > 0, 15_000, 'the journaled early write to be replayed');
  });
});
