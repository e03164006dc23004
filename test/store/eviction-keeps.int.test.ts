import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { ingestEvents } from '../../src/events/ingest-events.js';
import { createProfileStore } from '../../src/store/create-profile-store.js';
import { purchase } from './profile-fixtures.js';
import { redisPerTest, resilientStore, storeConfig } from './store-harness.js';
import { countingUpdater } from './test-updater.js';

// What the LRU may forget and what it may not: an opt-out is never evicted (memory store), and a
// stream of unknown shoppers never evicts the known shoppers' near-cache copies.

const { ownRedis, closeAfter } = redisPerTest();
const OPTED_OUT = { personalization: false, features: {}, dietary: [], updatedAt: 1 };

describe('memory store: opt-outs outlive the LRU', () => {
  it('after many more shoppers than the LRU holds, the opted-out shopper is still opted out and their events are not stored', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const store = createProfileStore({ config: storeConfig({ maxShoppers: 20 }), metrics, logger: createLogger('silent'), updater: countingUpdater });
    closeAfter(() => store.close());
    await store.writeSettings('says-no', OPTED_OUT);
    for (let i = 0; i < 200; i++) await store.applyEvents(`other-${i}`, [purchase(1, [{ id: 'sku' }])], 1);
    expect(store.health().memoryShoppers).toBe(20);
    expect((await store.read('says-no', 2)).record.settings?.personalization).toBe(false);
    const ingested = await ingestEvents({ store, metrics }, 'says-no', [purchase(2, [{ id: 'sku' }])], 'api', 2);
    expect(ingested.stored).toBe(false);
    expect((await store.read('says-no', 3)).record.profile).toBeNull();
    // Opting back in is remembered like any other shopper.
    await store.writeSettings('says-no', { ...OPTED_OUT, personalization: true });
    expect((await store.read('says-no', 4)).record.settings?.personalization).toBe(true);
  });
});

describe('near cache: unknown shoppers are kept apart', () => {
  it('reads of many unknown ids do not evict a known shopper’s copy', async () => {
    const server = await ownRedis();
    const { store } = resilientStore({ redisUrl: server.url, keyPrefix: 'unk', nearCacheTtlMs: 60_000, maxShoppers: 10 });
    closeAfter(() => store.close());
    await store.ready();
    await store.applyEvents('known', [purchase(Date.now(), [{ id: 'sku-k' }])], Date.now());
    expect((await store.read('known', Date.now())).source).toBe('redis');
    for (let i = 0; i < 100; i++) expect((await store.read(`stranger-${i}`, Date.now())).record.profile).toBeNull();
    expect(store.health().memoryShoppers).toBe(1);
    const again = await store.read('known', Date.now());
    expect(again.source).toBe('near-cache');
    expect(again.record.profile?.products['sku-k']).toBeDefined();
    // An unknown shopper's next read is answered without Redis, until they write.
    expect((await store.read('stranger-1', Date.now())).source).toBe('near-cache');
    await store.applyEvents('stranger-1', [purchase(Date.now(), [{ id: 'sku-s' }])], Date.now());
    expect((await store.read('stranger-1', Date.now())).record.profile?.products['sku-s']).toBeDefined();
  });
});
