import type { SidecartConfig } from '../config/schema.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ProfileUpdater } from '../personalization/profile-update.js';
import { MemoryProfileStore } from './memory-profile-store.js';
import type { ManagedProfileStore } from './profile-store.js';
import { createRedisClient } from './redis-client.js';
import { RedisProfileStore } from './redis-profile-store.js';
import { ReplayJournal } from './replay-journal.js';
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
    journal: openJournal(store, options.logger),
    updater: options.updater,
    metrics: options.metrics,
    logger: options.logger,
  });
}

/** The replay journal the config asks for: a file in `journal.dir`, memory if opted in, or none. */
function openJournal(store: SidecartConfig['store'], logger: Logger | undefined): ReplayJournal {
  const { dir, memory, maxDiskBytes, commitIntervalMs } = store.journal;
  if (dir) {
    const { journal, tornBytes } = ReplayJournal.onDisk(dir, { maxEntries: store.journalMaxEntries, maxBytes: maxDiskBytes }, commitIntervalMs);
    if (tornBytes > 0) logger?.warn({ dir, tornBytes }, 'replay journal: a torn last record (the process died mid-write) was cut off; it had not been acknowledged');
    logger?.info({ dir, entries: journal.size, bytes: journal.bytes }, 'replay journal on disk opened');
    return journal;
  }
  if (memory) return ReplayJournal.inMemory({ maxEntries: store.journalMaxEntries, maxBytes: store.journalMaxBytes });
  logger?.info('no replay journal (store.journal.dir unset, store.journal.memory false): writes during a Redis outage are answered 503');
  return ReplayJournal.none();
}
