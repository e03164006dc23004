import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import type { CoPurchaseSettings } from '../../src/store/co-purchase-store.js';
import { createRedisClient, type RedisClient } from '../../src/store/redis-client.js';
import { RedisCoPurchaseStore } from '../../src/store/redis-co-purchase-store.js';
import { createKeyLayout } from '../../src/store/redis-keys.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { basket, describeCoPurchaseContract, NOW, SETTINGS } from './co-purchase-contract.js';

let server: RedisServer;
let admin: RedisClient;
const stores: RedisCoPurchaseStore[] = [];
let namespace = 0;

beforeAll(async () => {
  server = await startRedis();
  admin = createRedisClient(configSchema.parse({ store: { redis: { url: server.url } } }).store.redis, 'test-admin');
});
afterAll(async () => {
  for (const s of stores) await s.close();
  admin?.disconnect();
  await server?.stop();
});

async function redisStore(overrides: Partial<CoPurchaseSettings> = {}, url = server.url): Promise<{ store: RedisCoPurchaseStore; prefix: string }> {
  const config = configSchema.parse({ store: { redis: { url } } });
  const prefix = `cp${++namespace}`;
  const store = new RedisCoPurchaseStore({
    connect: () => createRedisClient(config.store.redis, 'test-co-purchases'),
    keys: createKeyLayout(prefix),
    settings: () => ({ ...SETTINGS, ...overrides }),
    breaker: config.store.breaker,
  });
  stores.push(store);
  if (url === server.url) expect(await store.ready(5_000)).toBe(true);
  return { store, prefix };
}

describeCoPurchaseContract('redis', async (overrides) => (await redisStore(overrides)).store);

describe('redis co-purchase store', () => {
  it('keeps one bounded sorted set per product with a TTL, and nothing that names a shopper', async () => {
    const { store, prefix } = await redisStore({ maxPartners: 2, ttlDays: 30 });
    const many = Array.from({ length: 12 }, (_, i) => `p${i}`);
    await store.recordPurchase('shopper-ann', basket('order-1', many), NOW);
    await store.recordPurchase('shopper-bob', basket('order-2', ['p0', 'p1']), NOW);
    const keys = (await admin.keys(`${prefix}:*`)).sort();
    // 12 product sets + 2 counted-purchase markers.
    expect(keys.filter((k) => k.startsWith(`${prefix}:cp:`))).toHaveLength(12);
    expect(keys.filter((k) => k.startsWith(`${prefix}:cpe:`))).toHaveLength(2);
    expect(keys.join(' ')).not.toMatch(/shopper|order/);
    // p0's set held 12 members (> 2 × 3) after the first basket: trimmed back to the strongest 3.
    expect(await admin.zcard(`${prefix}:cp:p0`)).toBeLessThanOrEqual(6);
    const members = await admin.zrange(`${prefix}:cp:p0`, '0', '-1');
    expect(members.join(' ')).not.toMatch(/shopper|order/);
    const ttl = await admin.pttl(`${prefix}:cp:p0`);
    expect(ttl).toBeGreaterThan(29 * 86_400_000);
    expect(ttl).toBeLessThanOrEqual(30 * 86_400_000);
  });

  it('with Redis unreachable: a purchase is dropped without an error, a read rejects fast', async () => {
    const { store } = await redisStore({}, 'redis://127.0.0.1:1');
    await expect(store.recordPurchase('ann', basket('o1', ['a', 'b']), NOW)).resolves.toBeUndefined();
    const started = Date.now();
    await expect(store.countsFor(['a'])).rejects.toBeTruthy();
    // Generous bound for a slow machine; without the fail-fast options this would hang.
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('redis co-purchase store breaker', () => {
  it('takes new breaker timeouts from a config reload', async () => {
    const { store } = await redisStore();
    expect(store.breakerTimeout()).toBe(25);
    store.reconfigure({ ...configSchema.parse({}).store.breaker, timeoutMs: 120 });
    expect(store.breakerTimeout()).toBe(120);
  });
});
