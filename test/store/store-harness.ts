import { configSchema, type SidecartConfig } from '../../src/config/schema.js';
import { createLogger } from '../../src/logging/logger.js';
import { createMetrics, type Metrics } from '../../src/metrics/metrics.js';
import { createProfileStore } from '../../src/store/create-profile-store.js';
import { createRedisClient } from '../../src/store/redis-client.js';
import { RedisProfileStore } from '../../src/store/redis-profile-store.js';
import type { ResilientProfileStore } from '../../src/store/resilient-profile-store.js';
import { afterEach } from 'vitest';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { countingUpdater } from './test-updater.js';

// Builds stores the way the app does (createProfileStore from a parsed config), for store tests
// and for other parts' integration tests that need a Redis-backed store.

export interface StoreConfigInput {
  redisUrl?: string;
  cluster?: { host: string; port: number }[];
  keyPrefix?: string;
  commandTimeoutMs?: number;
  nearCacheTtlMs?: number;
  maxShoppers?: number;
  journalMaxEntries?: number;
  /** Default: the memory journal (most store tests are about replay, not where it is kept). */
  journal?: Partial<SidecartConfig['store']['journal']>;
  breaker?: Partial<SidecartConfig['store']['breaker']>;
}

export function storeConfig(input: StoreConfigInput): SidecartConfig {
  return configSchema.parse({
    store: {
      redis: {
        ...(input.redisUrl ? { url: input.redisUrl } : {}),
        ...(input.cluster ? { mode: 'cluster', nodes: input.cluster } : {}),
        keyPrefix: input.keyPrefix ?? 'sidecart',
        connectTimeoutMs: 500,
        commandTimeoutMs: input.commandTimeoutMs ?? 1_000,
      },
      memory: { nearCacheTtlMs: input.nearCacheTtlMs ?? 0, ...(input.maxShoppers ? { maxShoppers: input.maxShoppers } : {}) },
      // Generous defaults for a slow shared machine; tests that need others say so.
      breaker: { timeoutMs: 250, errorThresholdPercentage: 50, resetTimeoutMs: 500, volumeThreshold: 3, rollingCountTimeoutMs: 2_000, rollingCountBuckets: 10, ...input.breaker },
      journalMaxEntries: input.journalMaxEntries ?? 10_000,
      journal: input.journal ?? { memory: true },
    },
  });
}

export function resilientStore(input: StoreConfigInput): { store: ResilientProfileStore; metrics: Metrics; config: SidecartConfig } {
  const config = storeConfig(input);
  const metrics = createMetrics({ processMetrics: false });
  const store = createProfileStore({ config, metrics, logger: createLogger('silent'), updater: countingUpdater }) as ResilientProfileStore;
  return { store, metrics, config };
}

/** A plain Redis store (no cache, no breaker) to look at what really is in Redis. */
export async function directStore(config: SidecartConfig): Promise<RedisProfileStore> {
  const store = new RedisProfileStore({
    client: createRedisClient(config.store.redis, 'sidecart-test-inspector'),
    keyPrefix: config.store.redis.keyPrefix,
    retentionDays: 1,
    sessionTtlMs: 60_000,
    seenEventIdsMax: 128,
    seenEventIdsTtlMs: 60_000,
    updater: countingUpdater,
  });
  await store.ready(10_000);
  return store;
}

/** Polls `check` until true; a check that throws (a server mid-failover closing connections) counts as not yet. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  const attempt = async () => {
    try {
      return await check();
    } catch {
      return false;
    }
  };
  while (!(await attempt())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function counterValue(metric: { get(): Promise<{ values: { value: number; labels: Partial<Record<string, string | number>> }[] }> }, labels: Record<string, string> = {}): Promise<number> {
  const { values } = await metric.get();
  return values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l)).reduce((sum, v) => sum + v.value, 0);
}

/**
 * redis-servers and stores a test file starts, stopped after each of its tests: the stores
 * first (errors ignored), then the servers under them. Call once, at the top of the file.
 */
export function redisPerTest(): { ownRedis(): Promise<RedisServer>; closeAfter(...closers: (() => Promise<void>)[]): void } {
  const servers: RedisServer[] = [];
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close().catch(() => undefined)));
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });
  return {
    async ownRedis() {
      const server = await startRedis();
      servers.push(server);
      return server;
    },
    closeAfter: (...more) => void closers.push(...more),
  };
}
