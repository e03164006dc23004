import type { LiveConfig } from '../config/live-config.js';
import type { Logger } from '../logging/logger.js';
import type { CoPurchaseStore } from './co-purchase-store.js';
import { isRedisConfigured } from './create-profile-store.js';
import { MemoryCoPurchaseStore } from './memory-co-purchase-store.js';
import { createRedisClient } from './redis-client.js';
import { RedisCoPurchaseStore } from './redis-co-purchase-store.js';
import { createKeyLayout } from './redis-keys.js';

/**
 * The co-purchase store for this config: Redis when the profile store uses Redis (its own
 * connection, opened only once store-wide complementary is enabled), else a bounded memory LRU.
 * Bounds and the switch are read live, so a config reload applies them.
 *
 * @example
 * const coPurchases = createCoPurchaseStore({ live, logger });
 * await coPurchases.recordPurchase('shopper-42', purchase, Date.now());
 * const counts = await coPurchases.countsFor(['pasta'], Date.now()); // { pasta: { pasta: 12, sauce: 7 } }
 */
export function createCoPurchaseStore(options: { live: LiveConfig; logger?: Logger }): CoPurchaseStore {
  const config = options.live.current();
  const settings = () => options.live.current().personalization.coPurchases;
  if (!isRedisConfigured(config.store.redis)) return new MemoryCoPurchaseStore(settings);
  const store = new RedisCoPurchaseStore({
    connect: () => createRedisClient(config.store.redis, 'sidecart-co-purchases'),
    keys: createKeyLayout(config.store.redis.keyPrefix),
    settings,
    breaker: config.store.breaker,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  // Connect at start when the feature is on, so the first searches find a ready connection.
  if (config.personalization.complementaryStoreWide) void store.ready(0);
  return store;
}
