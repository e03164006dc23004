import { describe, expect, it } from 'vitest';
import { stableFraction } from '../../src/identity/stable-fraction.js';
import { purchase } from './profile-fixtures.js';
import { redisPerTest, resilientStore } from './store-harness.js';

// Near-cache copies filled together (every hot shopper after a start or an outage) must not all
// expire in the same instant: each shopper's copy lives 80–100% of nearCacheTtlMs, never longer.

const { ownRedis, closeAfter } = redisPerTest();

/** A resilient store on a redis-server of its own, with the given near-cache TTL, ready. */
async function storeOnOwnRedis(keyPrefix: string, nearCacheTtlMs: number) {
  const server = await ownRedis();
  const { store } = resilientStore({ redisUrl: server.url, keyPrefix, nearCacheTtlMs, breaker: { timeoutMs: 2_000 } });
  closeAfter(() => store.close());
  await store.ready();
  return store;
}

describe('near cache: expiry spread by shopper', () => {
  it('stableFraction is stable and spreads bench-like ids over [0, 1)', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `bench-shopper-${String(i).padStart(4, '0')}`);
    const fractions = ids.map(stableFraction);
    expect(ids.map(stableFraction)).toEqual(fractions);
    // In [0, 1), and spread: not bunched at either end (a hash returning 0, or one constant, fails).
    expect(Math.min(...fractions)).toBeGreaterThanOrEqual(0);
    expect(Math.min(...fractions)).toBeLessThan(0.05);
    expect(Math.max(...fractions)).toBeLessThan(1);
    expect(Math.max(...fractions)).toBeGreaterThan(0.95);
    expect(new Set(fractions).size).toBe(fractions.length);
    // Every tenth of the range holds some of them.
    for (let d = 0; d < 10; d++) expect(fractions.some((f) => f >= d / 10 && f < (d + 1) / 10), `decile ${d}`).toBe(true);
  });

  it('copies filled at one instant expire between 80% and 100% of the TTL, spread over that window', async () => {
    const ttl = 10_000;
    const store = await storeOnOwnRedis('nc', ttl);
    const ids = Array.from({ length: 60 }, (_, i) => `near-${i}`);
    for (const id of ids) await store.applyEvents(id, [purchase(Date.now(), [{ id: 'sku-a' }])], Date.now());
    // One fill instant for all (reads take the clock as an argument).
    const filledAt = Date.now();
    for (const id of ids) expect((await store.read(id, filledAt)).source).toBe('redis');

    const sources = async (at: number) => Promise.all(ids.map(async (id) => (await store.read(id, at)).source));
    // Before 80%: every copy is fresh.
    expect(new Set(await sources(filledAt + ttl * 0.8 - 1))).toEqual(new Set(['near-cache']));
    // Inside the window, shopper by shopper: fresh exactly while age < ttl * (1 - 0.2 * fraction).
    const at = filledAt + ttl * 0.9;
    const expected = ids.map((id) => (at - filledAt < ttl * (1 - 0.2 * stableFraction(id)) ? 'near-cache' : 'redis'));
    const inWindow = await sources(at);
    expect(inWindow).toEqual(expected);
    expect(inWindow.filter((s) => s === 'redis').length).toBeGreaterThan(5);
    expect(inWindow.filter((s) => s === 'near-cache').length).toBeGreaterThan(5);
  });

  it('never older than the TTL', async () => {
    const ttl = 10_000;
    const store = await storeOnOwnRedis('nt', ttl);
    const ids = Array.from({ length: 40 }, (_, i) => `old-${i}`);
    const filledAt = Date.now();
    for (const id of ids) {
      await store.applyEvents(id, [purchase(filledAt, [{ id: 'sku-a' }])], filledAt);
      await store.read(id, filledAt);
    }
    for (const id of ids) expect((await store.read(id, filledAt + ttl)).source, id).toBe('redis');
  });
});
