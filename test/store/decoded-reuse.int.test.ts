import { describe, expect, it } from 'vitest';
import { purchase } from './profile-fixtures.js';
import { directStore, redisPerTest, resilientStore } from './store-harness.js';

// With the near cache off every search reads Redis; a profile Redis returns unchanged must not
// be decoded again (same object, so its soundness check is memoized too), and a changed one —
// written here, by another replica, or erased — must never be answered from the old decode.

const { ownRedis, closeAfter } = redisPerTest();
let prefix = 0;

async function setup() {
  const server = await ownRedis();
  const keyPrefix = `dr${++prefix}`;
  // A generous breaker timeout: a slow call on a loaded machine would fall back and blur the test.
  const { store, config } = resilientStore({ redisUrl: server.url, keyPrefix, nearCacheTtlMs: 0, breaker: { timeoutMs: 2_000 } });
  await store.ready();
  // Another replica on the same Redis, and a plain Redis store to write behind this one's back.
  const { store: other } = resilientStore({ redisUrl: server.url, keyPrefix, nearCacheTtlMs: 0, breaker: { timeoutMs: 2_000 } });
  await other.ready();
  const direct = await directStore(config);
  closeAfter(() => store.close(), () => other.close(), () => direct.close());
  return { store, other, direct };
}

describe('resilient store: decoded profile reuse (near cache off)', () => {
  it('unchanged bytes from Redis: the same decoded object on every read', async () => {
    const { store } = await setup();
    const now = Date.now();
    await store.applyEvents('reuse-1', [purchase(now, [{ id: 'sku-a' }])], now);
    const first = await store.read('reuse-1', Date.now());
    const second = await store.read('reuse-1', Date.now());
    const third = await store.read('reuse-1', Date.now());
    expect(first.source).toBe('redis');
    expect(second.source).toBe('redis');
    expect(first.record.profile?.products['sku-a']?.n).toBe(1);
    expect(second.record.profile).toBe(first.record.profile);
    expect(third.record.profile).toBe(first.record.profile);
  });

  it('a shopper first seen by a read is decoded once: the second read reuses it', async () => {
    const { store, other } = await setup();
    const now = Date.now();
    await other.applyEvents('reuse-2', [purchase(now, [{ id: 'sku-a' }])], now);
    const first = await store.read('reuse-2', Date.now());
    const second = await store.read('reuse-2', Date.now());
    expect(first.record.profile?.products['sku-a']?.n).toBe(1);
    expect(second.record.profile).toBe(first.record.profile);
  });

  it('never the old decode after a write: this process, another replica, a direct Redis write, an erasure', async () => {
    const { store, other, direct } = await setup();
    const id = 'reuse-3';
    const read = async () => (await store.read(id, Date.now())).record.profile;
    await store.applyEvents(id, [purchase(Date.now(), [{ id: 'sku-a' }])], Date.now());
    const before = await read();
    expect(await read()).toBe(before);

    // This process writes: the next read is the new profile, then reused again.
    await store.applyEvents(id, [purchase(Date.now(), [{ id: 'sku-b' }])], Date.now());
    const afterOwn = await read();
    expect(afterOwn).not.toBe(before);
    expect(afterOwn?.products['sku-b']?.n).toBe(1);
    expect(await read()).toBe(afterOwn);

    // Another replica writes (this process saw nothing): Redis's new bytes win.
    await other.applyEvents(id, [purchase(Date.now(), [{ id: 'sku-c' }])], Date.now());
    const afterOther = await read();
    expect(afterOther).not.toBe(afterOwn);
    expect(afterOther?.products['sku-c']?.n).toBe(1);
    expect(await read()).toBe(afterOther);

    // A write straight to Redis, bypassing every sidecart.
    await direct.applyEvents(id, [purchase(Date.now(), [{ id: 'sku-a' }])], Date.now());
    const afterDirect = await read();
    expect(afterDirect?.products['sku-a']?.n).toBe(2);
    expect(before?.products['sku-a']?.n).toBe(1);

    // Erased by another replica: no profile, and none comes back from the old decode.
    await other.erase(id, false);
    expect(await read()).toBeNull();
    expect(await read()).toBeNull();
    await other.applyEvents(id, [purchase(Date.now(), [{ id: 'sku-d' }])], Date.now());
    const reborn = await read();
    expect(Object.keys(reborn?.products ?? {})).toEqual(['sku-d']);
  });
});
