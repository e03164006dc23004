import { afterAll, beforeAll, expect } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import type { CoPurchaseSettings } from '../../src/store/co-purchase-store.js';
import { createRedisClient } from '../../src/store/redis-client.js';
import { RedisCoPurchaseStore } from '../../src/store/redis-co-purchase-store.js';
import { createKeyLayout } from '../../src/store/redis-keys.js';
import { startRedisCluster, type RedisCluster } from '../support/redis-server.js';
import { describeCoPurchaseContract, SETTINGS } from './co-purchase-contract.js';

// The co-purchase store on a 3-master Cluster: one key per product (no hash tag), so a basket's
// products and a search's anchors live on different nodes; every command and script touches one key.

let cluster: RedisCluster;
const stores: RedisCoPurchaseStore[] = [];
let prefix = 0;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
}, 60_000);
afterAll(async () => {
  for (const s of stores) await s.close();
  await cluster?.stop();
});

describeCoPurchaseContract('redis cluster', async (overrides: Partial<CoPurchaseSettings> = {}) => {
  const config = configSchema.parse({ store: { redis: { mode: 'cluster', nodes: cluster.seeds, commandTimeoutMs: 2_000, connectTimeoutMs: 2_000 }, breaker: { timeoutMs: 2_000 } } });
  const store = new RedisCoPurchaseStore({
    connect: () => createRedisClient(config.store.redis, 'test-co-purchases'),
    keys: createKeyLayout(`ccp${++prefix}`),
    settings: () => ({ ...SETTINGS, ...overrides }),
    breaker: config.store.breaker,
  });
  stores.push(store);
  expect(await store.ready(20_000)).toBe(true);
  return store;
});
