import { describe, expect, it } from 'vitest';
import { purchase } from './profile-fixtures.js';
import { directStore, redisPerTest, resilientStore } from './store-harness.js';

// One breaker, two timeouts: a read that holds a search gives up after timeoutMs, a write (off
// the search path) after writeTimeoutMs. Redis is paused for ~150 ms with both in flight.

const { ownRedis, closeAfter } = redisPerTest();
let prefix = 0;

async function pausedWriteAndRead(writeTimeoutMs: number) {
  const server = await ownRedis();
  const keyPrefix = `wt${++prefix}`;
  // A high volume threshold: the breaker must not open during the test, only time calls out.
  const { store, config } = resilientStore({ redisUrl: server.url, keyPrefix, breaker: { timeoutMs: 25, writeTimeoutMs, volumeThreshold: 100 } });
  await store.ready();
  const direct = await directStore(config);
  closeAfter(() => store.close(), () => direct.close());
  const now = Date.now();
  await store.applyEvents('slow-redis', [purchase(now, [{ id: 'sku-before' }])], now);

  server.pause();
  const resumed = new Promise<void>((resolve) =>
    setTimeout(() => {
      server.resume();
      resolve();
    }, 150),
  );
  try {
    // The write starts first: the read after it must still get the read timeout.
    const writing = store.applyEvents('slow-redis', [purchase(Date.now(), [{ id: 'sku-during' }])], Date.now());
    const readStarted = performance.now();
    const read = await store.read('slow-redis', Date.now());
    const readMs = performance.now() - readStarted;
    const write = await writing;
    await resumed;
    const inRedis = await direct.read('slow-redis');
    return { read, readMs, write, inRedis, settings: store.breakerSettings() };
  } finally {
    server.resume();
  }
}

describe('resilient store: writes have their own timeout', () => {
  it('a write outlasting a short Redis pause lands in Redis, while a read in the same pause falls back after the read timeout', async () => {
    const { read, readMs, write, inRedis, settings } = await pausedWriteAndRead(2_000);
    expect(settings).toMatchObject({ timeout: 25, writeTimeout: 2_000 });
    expect(read.source).toBe('fallback');
    expect(readMs).toBeLessThan(140); // gave up well before Redis came back
    expect(write).toMatchObject({ applied: 1, journaled: false });
    expect(Object.keys(inRedis.record?.profile?.products ?? {}).sort()).toEqual(['sku-before', 'sku-during']);
  });

  it('with the write timeout as short as the read timeout, the same write is journaled instead', async () => {
    const { read, write } = await pausedWriteAndRead(25);
    expect(read.source).toBe('fallback');
    expect(write).toMatchObject({ applied: 1, journaled: true });
  });
});
