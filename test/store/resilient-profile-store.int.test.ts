import { isStoreUnavailable } from '../../src/store/store-unavailable.js';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, startRedis, type RedisServer } from '../support/redis-server.js';
import { purchase } from './profile-fixtures.js';
import { describeProfileStoreContract } from './profile-store-contract.js';
import { counterValue, directStore, resilientStore, waitFor } from './store-harness.js';

const servers: RedisServer[] = [];
const stores: { close(): Promise<void> }[] = [];
let prefix = 0;

async function redis(port?: number): Promise<RedisServer> {
  const server = await startRedis(port ? { port } : {});
  servers.push(server);
  return server;
}

function track<T extends { close(): Promise<void> }>(store: T): T {
  stores.push(store);
  return store;
}

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close().catch(() => undefined)));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

describeProfileStoreContract('resilient (Redis up)', async () => {
  const server = await redis();
  // A generous timeout: on a loaded machine a slow call would fall back and blur the contract.
  const { store } = resilientStore({ redisUrl: server.url, keyPrefix: `c${++prefix}`, breaker: { timeoutMs: 2_000 } });
  await store.ready();
  return { store, cleanup: () => store.close() };
});

/** Every call must succeed: the caller of a resilient store never sees Redis fail. */
function counting() {
  const failures: unknown[] = [];
  const guard = <T>(p: Promise<T>) => p.catch((error) => failures.push(error) as never);
  return { failures, guard };
}

describe('resilient store: Redis failures', () => {
  it('Redis killed (SIGKILL) under reads and writes: no failed call, recent shoppers still served, outage writes replayed once', async () => {
    const server = await redis();
    const { store, config, metrics } = resilientStore({ redisUrl: server.url, keyPrefix: `k${++prefix}`, nearCacheTtlMs: 50 });
    track(store);
    await store.ready();
    const { failures, guard } = counting();
    const shoppers = Array.from({ length: 8 }, (_, i) => `kill-${i}`);
    const now = () => Date.now();
    for (const id of shoppers) {
      await store.applyEvents(id, [purchase(now(), [{ id: 'sku-before' }])], now());
      expect((await store.read(id, now())).record.profile).not.toBeNull();
    }
    let seq = 0;
    const journaledItems = new Map<string, string[]>();
    const step = async () => {
      const id = shoppers[seq % shoppers.length]!;
      const item = `sku-${++seq}`;
      const result = await guard(store.applyEvents(id, [purchase(now(), [{ id: item }])], now()));
      if (result?.journaled) journaledItems.set(id, [...(journaledItems.get(id) ?? []), item]);
      const read = await guard(store.read(id, now()));
      return read;
    };
    for (let i = 0; i < 20; i++) await step();
    await server.kill('SIGKILL');
    const outageReads: boolean[] = [];
    // Longer than the breaker's 2 s window, so the successes before the kill roll out of it.
    const outageEnds = Date.now() + 2_500;
    while (Date.now() < outageEnds) {
      const read = await step();
      outageReads.push(Boolean(read?.record.profile?.products['sku-before']));
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(store.health().breaker).toBe('open');
    await server.restart();
    const recoveryEnds = Date.now() + 600;
    while (Date.now() < recoveryEnds) await step();
    await waitFor(() => store.health().breaker === 'closed' && store.health().journalEntries === 0, 20_000, 'breaker closed and journal replayed');

    expect(failures).toEqual([]);
    expect(outageReads.length).toBeGreaterThan(10);
    expect(outageReads.every(Boolean)).toBe(true);
    const journaledCount = [...journaledItems.values()].reduce((n, items) => n + items.length, 0);
    expect(journaledCount).toBeGreaterThan(5);
    const inspector = await directStore(config);
    for (const [id, items] of journaledItems) {
      const { record } = await inspector.read(id);
      for (const item of items) expect(record.profile?.products[item]?.n, `${id} ${item}`).toBe(1);
    }
    expect(await counterValue(metrics.journalReplayed)).toBeGreaterThanOrEqual(journaledCount);
    expect(await counterValue(metrics.storeFallbacks)).toBeGreaterThan(0);
    await inspector.close();
  });

  it('Redis hung (SIGSTOP): the breaker opens after its timeout, no read waits past timeout + margin, SIGCONT → half-open → closed', async () => {
    const server = await redis();
    const timeoutMs = 150;
    const { store, metrics, config } = resilientStore({ redisUrl: server.url, keyPrefix: `h${++prefix}`, commandTimeoutMs: 2_000, breaker: { timeoutMs, resetTimeoutMs: 400 } });
    track(store);
    await store.ready();
    await store.applyEvents('hung-1', [purchase(Date.now(), [{ id: 'sku-a' }])], Date.now());
    await store.read('hung-1', Date.now());
    server.pause();
    const waits: number[] = [];
    let personalized = 0;
    let reads = 0;
    const ends = Date.now() + 1_500;
    const written: string[] = [];
    while (Date.now() < ends) {
      const started = performance.now();
      const { record, source } = await store.read('hung-1', Date.now());
      waits.push(performance.now() - started);
      reads++;
      if (record.profile?.products['sku-a'] && source === 'fallback') personalized++;
      // Writes too: the first ones reach the frozen server's socket and run after SIGCONT, and
      // are journaled as well; replaying them must not count them twice.
      if (written.length < 10) {
        const item = `sku-w${written.length}`;
        const writeStarted = performance.now();
        await store.applyEvents('hung-2', [purchase(Date.now(), [{ id: item }])], Date.now());
        waits.push(performance.now() - writeStarted);
        written.push(item);
      }
    }
    expect(store.health().breaker).not.toBe('closed');
    // Without the breaker a read would wait for the 2 s command timeout. The margin is wide
    // because other tests share the 2 cores; the median shows that an open breaker costs nothing.
    const sorted = [...waits].sort((a, b) => a - b);
    expect(sorted[sorted.length - 1]).toBeLessThan(timeoutMs + 600);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThan(20);
    expect(personalized).toBe(reads);
    // Once open, reads no longer wait at all: far more reads than timeouts fit in the window.
    expect(waits.length).toBeGreaterThan(50);
    expect(await counterValue(metrics.breakerEvents, { event: 'timeout' })).toBeGreaterThanOrEqual(3);
    server.resume();
    await waitFor(() => store.health().breaker === 'closed', 15_000, 'breaker closed after SIGCONT');
    expect(await counterValue(metrics.breakerEvents, { event: 'halfOpen' })).toBeGreaterThanOrEqual(1);
    expect(await counterValue(metrics.breakerEvents, { event: 'close' })).toBeGreaterThanOrEqual(1);
    await waitFor(async () => (await store.read('hung-1', Date.now())).source === 'redis', 10_000, 'reads from Redis again');
    await waitFor(() => store.health().journalEntries === 0, 15_000, 'journal replayed');
    const inspector = await directStore(config);
    const { record } = await inspector.read('hung-2');
    for (const item of written) expect(record.profile?.products[item]?.n, item).toBe(1);
    await inspector.close();
  });

  it('Redis absent at start: serves from memory, then uses Redis when it appears; flush replays what it missed', async () => {
    const port = await freePort();
    const { store, config, metrics } = resilientStore({ redisUrl: `redis://127.0.0.1:${port}`, keyPrefix: `a${++prefix}` });
    track(store);
    for (let i = 0; i < 6; i++) {
      const result = await store.applyEvents('absent-1', [purchase(Date.now(), [{ id: `early-${i}` }])], Date.now());
      expect(result.journaled).toBe(true);
    }
    expect((await store.read('absent-1', Date.now())).record.profile?.products['early-5']?.n).toBe(1);
    await waitFor(() => store.health().breaker === 'open', 5_000, 'breaker open');
    expect(store.health()).toMatchObject({ redisReady: false, journalEntries: 6 });
    await redis(port);
    const flushed = await store.flush(15_000);
    expect(flushed).toEqual({ replayed: 6, remaining: 0 });
    await waitFor(() => store.health().redisReady, 10_000, 'redis ready');
    expect(await counterValue(metrics.redisUp)).toBe(1);
    await store.applyEvents('absent-1', [purchase(Date.now(), [{ id: 'late' }])], Date.now());
    const inspector = await directStore(config);
    const { record } = await inspector.read('absent-1');
    expect(Object.keys(record.profile?.products ?? {}).sort()).toEqual(['early-0', 'early-1', 'early-2', 'early-3', 'early-4', 'early-5', 'late']);
    await waitFor(async () => (await store.read('absent-1', Date.now())).source === 'redis', 10_000, 'reads from Redis');
    await inspector.close();
  });

  it('journal overflow is refused (StoreUnavailableError, never an acknowledgement) and counted; an erasure clears the shopper from the journal', async () => {
    const port = await freePort();
    const { store, metrics } = resilientStore({ redisUrl: `redis://127.0.0.1:${port}`, keyPrefix: `o${++prefix}`, journalMaxEntries: 3 });
    track(store);
    const results: (boolean | string)[] = [];
    for (let i = 0; i < 5; i++) {
      results.push(
        await store.applyEvents(i < 3 ? 'gone' : 'kept', [purchase(Date.now(), [{ id: `x-${i}` }])], Date.now()).then(
          (r) => r.journaled,
          (e: unknown) => (isStoreUnavailable(e) ? `${e.reason} ${e.retryAfterSeconds}` : String(e)),
        ),
      );
    }
    expect(results).toEqual([true, true, true, 'journal-full 1', 'journal-full 1']);
    // A refused write left no trace: "kept" is not in memory either (its retry must not be a duplicate).
    expect((await store.read('kept', Date.now())).record.profile).toBeNull();
    expect(await counterValue(metrics.journalDropped)).toBe(2);
    expect(await counterValue(metrics.journalDepth)).toBe(3);
    await store.erase('gone', false);
    // The three writes of "gone" left; its erasure is journaled so Redis forgets it too.
    expect(store.health().journalEntries).toBe(1);
    expect((await store.read('gone', Date.now())).record.profile).toBeNull();
  });

  it('a breaker rebuilt by reconfigure keeps its open state, then recovers when Redis appears', async () => {
    const port = await freePort();
    const { store, config } = resilientStore({ redisUrl: `redis://127.0.0.1:${port}`, keyPrefix: `ro${++prefix}` });
    track(store);
    for (let i = 0; i < 4; i++) await store.read(`ro-${i}`, Date.now());
    await waitFor(() => store.health().breaker === 'open', 5_000, 'breaker open');
    store.reconfigure({ ...config.store.breaker, volumeThreshold: 7, rollingCountTimeoutMs: 3_000, rollingCountBuckets: 3 });
    expect(store.breakerSettings().volumeThreshold).toBe(7);
    expect(store.health().breaker).not.toBe('closed');
    await redis(port);
    await waitFor(async () => (await store.read('ro-0', Date.now())).source === 'redis', 15_000, 'reads from Redis after the rebuild');
    expect(store.health().breaker).toBe('closed');
  });

  it('a breaker option changed at runtime takes effect without a restart', async () => {
    const server = await redis();
    const { store, config } = resilientStore({ redisUrl: server.url, keyPrefix: `r${++prefix}`, commandTimeoutMs: 5_000, breaker: { timeoutMs: 100, volumeThreshold: 1_000 } });
    track(store);
    await store.ready();
    server.pause();
    const timed = async () => {
      const started = performance.now();
      await store.read('live', Date.now());
      return performance.now() - started;
    };
    const first: number[] = [];
    for (let i = 0; i < 6; i++) first.push(await timed());
    // Each waits for the 100 ms breaker timeout, not the 5 s command timeout.
    expect(Math.min(...first)).toBeGreaterThanOrEqual(90);
    expect(Math.max(...first)).toBeLessThan(100 + 600);
    // volumeThreshold 1000: six failures out of six, still closed.
    expect(store.health().breaker).toBe('closed');
    store.reconfigure({ ...config.store.breaker, timeoutMs: 400, volumeThreshold: 1_000 });
    expect(store.breakerSettings().timeout).toBe(400);
    expect(await timed()).toBeGreaterThanOrEqual(350);
    store.reconfigure({ ...config.store.breaker, timeoutMs: 400, volumeThreshold: 2 });
    expect(store.breakerSettings()).toMatchObject({ timeout: 400, volumeThreshold: 2 });
    for (let i = 0; i < 3; i++) await timed();
    expect(store.health().breaker).toBe('open');
    // Open: no wait for the 400 ms timeout any more.
    expect(Math.min(await timed(), await timed(), await timed())).toBeLessThan(150);
    server.resume();
  });
});
