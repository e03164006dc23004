import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProfileStore } from '../../src/store/create-profile-store.js';
import type { ResilientProfileStore } from '../../src/store/resilient-profile-store.js';
import { startRedis, startRedisSentinel, type RedisSentinel, type RedisServer } from '../support/redis-server.js';
import { purchase } from './profile-fixtures.js';
import { storeConfig, waitFor } from './store-harness.js';
import { countingUpdater } from './test-updater.js';

let master: RedisServer;
let replica: RedisServer;
let sentinel: RedisSentinel;

beforeAll(async () => {
  master = await startRedis();
  replica = await startRedis({ args: ['--replicaof', '127.0.0.1', String(master.port)] });
  sentinel = await startRedisSentinel(master.port);
  await waitFor(async () => (await replica.cli('info', 'replication')).includes('master_link_status:up'), 15_000, 'replica in sync');
}, 60_000);
afterAll(async () => {
  await sentinel?.stop();
  await Promise.all([master?.stop(), replica?.stop()]);
});

describe('Redis Sentinel', () => {
  it('finds the master through Sentinel and keeps serving across a failover', async () => {
    const base = storeConfig({ keyPrefix: 'sn', breaker: { resetTimeoutMs: 300 } });
    const config = { ...base, store: { ...base.store, redis: { ...base.store.redis, mode: 'sentinel' as const, sentinels: [{ host: '127.0.0.1', port: sentinel.port }], sentinelName: 'mymaster' } } };
    const store = createProfileStore({ config, updater: countingUpdater }) as ResilientProfileStore;
    try {
      expect(await store.ready(15_000)).toBe(true);
      await store.applyEvents('sentinel-1', [purchase(Date.now(), [{ id: 'before' }])], Date.now());
      await waitFor(async () => (await replica.cli('exists', 'sn:{u:sentinel-1}:p')) === '1', 10_000, 'write replicated');
      await master.kill('SIGKILL');
      // During detection and promotion, calls must keep succeeding (memory + journal).
      for (let i = 0; i < 5; i++) {
        const result = await store.applyEvents('sentinel-1', [purchase(Date.now(), [{ id: `during-${i}` }])], Date.now());
        expect(result.applied).toBe(1);
      }
      await waitFor(async () => (await replica.cli('info', 'replication')).includes('role:master'), 30_000, 'replica promoted');
      await waitFor(() => store.health().journalEntries === 0 && store.health().breaker === 'closed', 30_000, 'journal replayed to the new master');
      // One slow call on a loaded machine may still fall back; the store must settle on Redis.
      await waitFor(async () => (await store.read('sentinel-1', Date.now())).source === 'redis', 10_000, 'reads from the new master');
      const { record } = await store.read('sentinel-1', Date.now());
      expect(record.profile?.products.before?.n).toBe(1);
      for (let i = 0; i < 5; i++) expect(record.profile?.products[`during-${i}`]?.n).toBe(1);
    } finally {
      await store.close();
    }
  }, 90_000);
});
