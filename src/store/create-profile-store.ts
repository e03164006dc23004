import type { SidecartConfig } from '../config/schema.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ProfileUpdater } from '../personalization/profile-update.js';
import { MemoryProfileStore } from './memory-profile-store.js';
import type { ManagedProfileStore } from './profile-store.js';
import { createRedisClient } from './redis-client.js';
import { RedisProfileStore } from './redis-profile-store.js';
import { ResilientProfileStore } from './resilient-profile-store.js';

export interface CreateProfileStoreOptions {
  config: SidecartConfig;
  metrics?: Metrics;
  logger?: Logger;
  /** The pure profile update (personalization); the store only calls it. */
  updater: ProfileUpdater;
}

/** True when the config names a Redis to use (a URL, cluster nodes or sentinels). */
export function isRedisConfigured(redis: SidecartConfig['store']['redis']): boolean {
  if (redis.mode === 'cluster') return redis.nodes.length > 0 || Boolean(redis.url);
  if (redis.mode === 'sentinel') return redis.sentinels.length > 0;
  return Boolean(redis.url);
}

/**
 * The store for this config: the memory store when no Redis is configured ("start without Redis"),
 * otherwise Redis behind the breaker with memory as near cache and fallback.
 *
 * @example
 * const store = createProfileStore({ config, metrics, logger, updater: createProfileUpdater(config.personalization) });
 * const { record, source } = await store.read('shopper-42', Date.now());
 */
export function createProfileStore(options: CreateProfileStoreOptions): ManagedProfileStore {
  const { store } = options.config;
  const memory = new MemoryProfileStore({
    maxShoppers: store.memory.maxShoppers,
    maxBytes: store.memory.maxBytes,
    sessionTtlMs: store.memory.sessionTtlMs,
    seenEventIdsMax: store.seenEventIdsMax,
    updater: options.updater,
    metrics: options.metrics,
  });
  if (!isRedisConfigured(store.redis)) {
    options.metrics?.redisUp.set(0);
    return memory;
  }
  const redis = new RedisProfileStore({
    client: createRedisClient(store.redis),
    keyPrefix: store.redis.keyPrefix,
    retentionDays: store.redis.retentionDays,
    sessionTtlMs: store.memory.sessionTtlMs,
    seenEventIdsMax: store.seenEventIdsMax,
    seenEventIdsTtlMs: store.seenEventIdsTtlMs,
    updater: options.updater,
    metrics: options.metrics,
  });
  return new ResilientProfileStore({
    redis,
    memory,
    breaker: store.breaker,
    nearCacheTtlMs: store.memory.nearCacheTtlMs,
    journalMaxEntries: store.journalMaxEntries,
    journalMaxBytes: store.journalMaxBytes,
    metrics: options.metrics,
    logger: options.logger,
  });
}
