import { describe, expect, it } from 'vitest';
import { configSchema, type BreakerConfig } from '../../src/config/schema.js';
import { createRedisClient } from '../../src/store/redis-client.js';
import { RedisCoPurchaseStore } from '../../src/store/redis-co-purchase-store.js';
import { createKeyLayout } from '../../src/store/redis-keys.js';
import type { RedisServer } from '../support/redis-server.js';
import { SETTINGS } from './co-purchase-contract.js';
import { redisPerTest, resilientStore } from './store-harness.js';

// A live change of the breaker's settings takes effect in both Redis stores: volume threshold,
// rolling window and read timeout, each observed as a change in when the breaker opens or how long
// a read waits while Redis hangs (SIGSTOP).

const { ownRedis, closeAfter } = redisPerTest();
let prefix = 0;

/** What the tests need of a store: one read through its breaker, its breaker state, reconfigure. */
interface BreakerUnderTest {
  /** true when Redis answered; false when the read failed or fell back. */
  read(): Promise<boolean>;
  state(): string;
  reconfigure(next: BreakerConfig): void;
}

const BASE = { timeoutMs: 30, errorThresholdPercentage: 50, resetTimeoutMs: 60_000, volumeThreshold: 1_000, rollingCountTimeoutMs: 10_000, rollingCountBuckets: 10 };

function breakerConfig(overrides: Partial<BreakerConfig> = {}): BreakerConfig {
  return configSchema.parse({ store: { breaker: { ...BASE, ...overrides } } }).store.breaker;
}

async function profileStore(server: RedisServer, breaker: BreakerConfig): Promise<BreakerUnderTest> {
  const { store } = resilientStore({ redisUrl: server.url, keyPrefix: `brp${++prefix}`, commandTimeoutMs: 5_000, breaker });
  closeAfter(() => store.close());
  expect(await store.ready()).toBe(true);
  let shopper = 0;
  return {
    // A new shopper each time: nothing is answered from memory.
    read: async () => (await store.read(`shopper-${++shopper}`, Date.now())).source === 'redis',
    state: () => store.health().breaker,
    reconfigure: (next) => store.reconfigure(next),
  };
}

async function coPurchaseStore(server: RedisServer, breaker: BreakerConfig): Promise<BreakerUnderTest> {
  const redis = configSchema.parse({ store: { redis: { url: server.url, commandTimeoutMs: 5_000 } } }).store.redis;
  const store = new RedisCoPurchaseStore({
    connect: () => createRedisClient(redis, 'test-breaker-co-purchases'),
    keys: createKeyLayout(`brc${++prefix}`),
    settings: () => SETTINGS,
    breaker,
  });
  closeAfter(() => store.close());
  expect(await store.ready(5_000)).toBe(true);
  return {
    read: () => store.countsFor(['anchor']).then(
      () => true,
      () => false,
    ),
    state: () => store.breakerSettings().state,
    reconfigure: (next) => store.reconfigure(next),
  };
}

const stores = { 'resilient profile store': profileStore, 'co-purchase store': coPurchaseStore };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function timedRead(store: BreakerUnderTest): Promise<{ ok: boolean; ms: number }> {
  const started = performance.now();
  const ok = await store.read();
  return { ok, ms: performance.now() - started };
}

async function failedReads(store: BreakerUnderTest, count: number): Promise<void> {
  for (let i = 0; i < count; i++) expect(await store.read()).toBe(false);
}

describe.each(Object.entries(stores))('%s: a breaker setting changed live takes effect', (_name, build) => {
  it('volume threshold: a hung Redis that could not open the breaker opens it once the threshold is lowered', async () => {
    const server = await ownRedis();
    const store = await build(server, breakerConfig());
    expect(await store.read()).toBe(true);
    server.pause();
    try {
      await failedReads(store, 5);
      // 5 failed of 6 in the window, but 6 calls are under the threshold of 1,000.
      expect(store.state()).toBe('closed');
      store.reconfigure(breakerConfig({ volumeThreshold: 3 }));
      // The window's counts stay: the next failure is the seventh call, past 3, all but one failed.
      await failedReads(store, 1);
      expect(store.state()).toBe('open');
      // Open: a read fails at once instead of waiting for the 30 ms timeout.
      const open = await timedRead(store);
      expect(open.ok).toBe(false);
      expect(open.ms).toBeLessThan(25);
    } finally {
      server.resume();
    }
  });

  it('rolling window: failures older than a shortened window no longer count towards opening', async () => {
    const server = await ownRedis();
    // Opens at the 10th call with more than half failed.
    const long = breakerConfig({ volumeThreshold: 10 });
    const short = breakerConfig({ volumeThreshold: 10, rollingCountTimeoutMs: 400, rollingCountBuckets: 4 });
    const outcome = async (store: BreakerUnderTest) => {
      server.pause();
      try {
        await failedReads(store, 6);
        await sleep(700);
        await failedReads(store, 6);
        return store.state();
      } finally {
        server.resume();
      }
    };
    // As configured (10 s window): all 12 failures count, the breaker opens.
    const asBuilt = await build(server, long);
    expect(await outcome(asBuilt)).toBe('open');
    // The same calls after a live change to a 400 ms window: the first 6 have left it, 6 < 10.
    const changed = await build(server, long);
    changed.reconfigure(short);
    expect(await outcome(changed)).toBe('closed');
  });

  it('read timeout: a read waits for the new timeout from the next call on', async () => {
    const server = await ownRedis();
    const store = await build(server, breakerConfig());
    server.pause();
    try {
      const before = await timedRead(store);
      expect(before.ok).toBe(false);
      expect(before.ms).toBeGreaterThanOrEqual(25);
      expect(before.ms).toBeLessThan(150);
      store.reconfigure(breakerConfig({ timeoutMs: 300 }));
      const after = await timedRead(store);
      expect(after.ok).toBe(false);
      expect(after.ms).toBeGreaterThanOrEqual(280);
      expect(store.state()).toBe('closed');
    } finally {
      server.resume();
    }
  });
});
