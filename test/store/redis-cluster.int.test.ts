import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster, type RedisCluster } from '../support/redis-server.js';
import { purchase } from './profile-fixtures.js';
import { describeProfileStoreContract } from './profile-store-contract.js';
import { directStore, resilientStore, waitFor } from './store-harness.js';

let cluster: RedisCluster;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

let prefix = 0;

describeProfileStoreContract('resilient on a 3-master Cluster', async () => {
  const { store } = resilientStore({ cluster: cluster.seeds, keyPrefix: `cc${++prefix}`, breaker: { timeoutMs: 2_000 } });
  expect(await store.ready(20_000)).toBe(true);
  return { store, cleanup: () => store.close() };
});

describe('Redis Cluster', () => {
  it('writes and reads profiles across slots on all three masters, each shopper on one node', async () => {
    const { store, config } = resilientStore({ cluster: cluster.seeds, keyPrefix: 'cl', breaker: { timeoutMs: 2_000 } });
    expect(await store.ready(20_000)).toBe(true);
    const shoppers = Array.from({ length: 30 }, (_, i) => `cluster-shopper-${i}`);
    const now = Date.now();
    for (const [i, id] of shoppers.entries()) {
      const result = await store.applyEvents(id, [purchase(now, [{ id: `sku-${i}` }]), { id: `view-${i}`, type: 'view', at: now, items: [{ id: 'sku-v', quantity: 1 }] }], now);
      expect(result).toMatchObject({ applied: 2, journaled: false });
      await store.writeSettings(id, { personalization: true, features: {}, dietary: [`d${i}`], updatedAt: now });
    }
    expect(store.health().breaker).toBe('closed');
    // Read back through a separate cluster client: what is in Redis, not the near cache.
    const inspector = await directStore(config);
    for (const [i, id] of shoppers.entries()) {
      const { record } = await inspector.read(id);
      expect(record.profile?.products[`sku-${i}`]?.n).toBe(1);
      expect(record.settings?.dietary).toEqual([`d${i}`]);
      expect(record.session?.recent[0]?.id).toBe('sku-v');
    }
    const keysPerNode = await Promise.all(cluster.nodes.map(async (n) => Number(await n.cli('dbsize'))));
    expect(keysPerNode.every((k) => k > 0)).toBe(true);
    // The hash tag keeps all of one shopper's keys on one node.
    const owner = await Promise.all(cluster.nodes.map((n) => n.cli('exists', 'cl:{u:cluster-shopper-0}:p', 'cl:{u:cluster-shopper-0}:s', 'cl:{u:cluster-shopper-0}:c', 'cl:{u:cluster-shopper-0}:e')));
    expect(owner.filter((o) => o === '4').length).toBe(1);
    await inspector.close();
    await store.close();
  });

  it('serves from memory while a master is hung and catches up after it returns', async () => {
    const { store, config } = resilientStore({ cluster: cluster.seeds, keyPrefix: 'cf', commandTimeoutMs: 300, breaker: { timeoutMs: 200 } });
    expect(await store.ready(20_000)).toBe(true);
    const now = Date.now();
    await store.applyEvents('cf-1', [purchase(now, [{ id: 'before' }])], now);
    await store.read('cf-1', now);
    const owners = await Promise.all(cluster.nodes.map(async (n) => ((await n.cli('exists', 'cf:{u:cf-1}:p')) === '1' ? n : null)));
    const slotOwner = owners.find(Boolean);
    expect(slotOwner).toBeTruthy();
    slotOwner!.pause();
    try {
      for (let i = 0; i < 8; i++) {
        const read = await store.read('cf-1', Date.now());
        expect(read.record.profile?.products.before?.n).toBe(1);
        await store.applyEvents('cf-1', [purchase(Date.now(), [{ id: `during-${i}` }])], Date.now());
      }
    } finally {
      slotOwner!.resume();
    }
    await waitFor(() => store.health().journalEntries === 0 && store.health().breaker === 'closed', 20_000, 'journal replayed to the cluster');
    const inspector = await directStore(config);
    const { record } = await inspector.read('cf-1');
    for (let i = 0; i < 8; i++) expect(record.profile?.products[`during-${i}`]?.n).toBe(1);
    await inspector.close();
    await store.close();
  });
});
