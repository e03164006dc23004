import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/metrics.js';
import { ENTRY_OVERHEAD_BYTES, MemoryProfileStore } from '../../src/store/memory-profile-store.js';
import { encodeProfile } from '../../src/store/profile-codec.js';
import { purchase, typicalProfile } from './profile-fixtures.js';
import { describeProfileStoreContract } from './profile-store-contract.js';
import { countingUpdater } from './test-updater.js';

const limits = { maxShoppers: 1000, maxBytes: 10_000_000, sessionTtlMs: 3_600_000, seenEventIdsMax: 128, updater: countingUpdater };

describeProfileStoreContract('memory', async () => ({ store: new MemoryProfileStore(limits) }));

describe('memory store limits', () => {
  const now = Date.UTC(2026, 10, 25, 12);

  it('evicts the least recently used shopper past maxShoppers', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const store = new MemoryProfileStore({ ...limits, maxShoppers: 3, metrics });
    for (const id of ['a', 'b', 'c']) await store.applyEvents(id, [purchase(now, [{ id: 'sku-1' }])], now);
    await store.read('a', now); // a is now the most recent; b is the oldest
    await store.applyEvents('d', [purchase(now, [{ id: 'sku-1' }])], now);
    expect((await store.read('b', now)).record.profile).toBeNull();
    expect((await store.read('a', now)).record.profile).not.toBeNull();
    expect(store.stats()).toMatchObject({ shoppers: 3, evictions: 1 });
    expect((await metrics.memoryEvictions.get()).values[0]?.value).toBe(1);
    expect((await metrics.memoryEntries.get()).values[0]?.value).toBe(3);
  });

  it('counts bytes from the encoded profile and evicts past maxBytes', async () => {
    const store = new MemoryProfileStore({ ...limits, maxBytes: 3 * (ENTRY_OVERHEAD_BYTES + 1200) });
    const profile = typicalProfile(now);
    for (let i = 0; i < 5; i++) store.put(`shopper-${i}`, { profile, settings: null, session: null }, now);
    const stats = store.stats();
    expect(stats.bytes).toBeLessThanOrEqual(stats.maxBytes);
    expect(stats.shoppers).toBe(3);
    const perShopper = stats.bytes / stats.shoppers;
    expect(perShopper).toBeGreaterThanOrEqual(ENTRY_OVERHEAD_BYTES + encodeProfile(profile).length);
  });

  it('forgets session context after its TTL but keeps the profile', async () => {
    const store = new MemoryProfileStore({ ...limits, sessionTtlMs: 1000 });
    await store.applyEvents('s', [purchase(now, [{ id: 'sku-1' }]), { id: 'v1', type: 'view', at: now, items: [{ id: 'sku-2', quantity: 1 }] }], now);
    expect((await store.read('s', now + 999)).record.session).not.toBeNull();
    const later = (await store.read('s', now + 1001)).record;
    expect(later.session).toBeNull();
    expect(later.profile?.products['sku-1']?.n).toBe(1);
  });

  it('remembers a bounded number of event ids per shopper', async () => {
    const store = new MemoryProfileStore({ ...limits, seenEventIdsMax: 2 });
    const [e1, e2, e3] = [purchase(now, [{ id: 'x' }]), purchase(now, [{ id: 'x' }]), purchase(now, [{ id: 'x' }])];
    await store.applyEvents('s', [e1!, e2!, e3!], now);
    expect(await store.applyEvents('s', [e3!, e2!], now)).toMatchObject({ applied: 0, duplicates: 2 });
    // The oldest id fell out of the window: accepted again (the bound is the documented trade-off).
    expect(await store.applyEvents('s', [e1!], now)).toMatchObject({ applied: 1 });
  });

  it('keeps a stale copy readable after markStale, with its age', async () => {
    const store = new MemoryProfileStore(limits);
    store.put('s', { profile: typicalProfile(now), settings: null, session: null }, now);
    store.markStale('s');
    const cached = store.peek('s', now);
    expect(cached?.record.profile?.orders).toBe(38);
    expect(cached?.storedAt).toBe(Number.NEGATIVE_INFINITY);
  });
});
