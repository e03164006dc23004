import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { directStore, resilientStore, storeConfig } from './store-harness.js';

// An opt-out is final in Redis: events accepted while Redis was away (from a process whose
// memory had no copy of the settings) and replayed later never recreate the shopper's profile.

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

const purchase = (id: string) => ({ id, type: 'purchase' as const, at: Date.now(), items: [{ id: 'sku-1', quantity: 1 }] });

describe('opted-out shoppers in Redis', () => {
  it('the write script refuses events for a shopper whose settings say personalization is off', async () => {
    const direct = await directStore(storeConfig({ redisUrl: redis.url, keyPrefix: 'optout1' }));
    try {
      await direct.writeSettings('quiet', { personalization: false, features: {}, dietary: [], updatedAt: Date.now() });
      const result = await direct.applyEvents('quiet', [purchase('q-1')], Date.now());
      expect(result.applied).toBe(0);
      expect(await redis.cli('EXISTS', 'optout1:{u:quiet}:p')).toBe('0');
      // A shopper who has personalization on is written as before.
      expect((await direct.applyEvents('loud', [purchase('l-1')], Date.now())).applied).toBe(1);
      expect(await redis.cli('EXISTS', 'optout1:{u:loud}:p')).toBe('1');
    } finally {
      await direct.close();
    }
  });

  it('events journaled during an outage are not replayed into an opted-out shopper', async () => {
    const config = storeConfig({ redisUrl: redis.url, keyPrefix: 'optout2' });
    const direct = await directStore(config);
    await direct.writeSettings('quiet', { personalization: false, features: {}, dietary: [], updatedAt: Date.now() });
    // A fresh process: its memory has never seen this shopper's settings.
    const { store } = resilientStore({ redisUrl: redis.url, keyPrefix: 'optout2', breaker: { timeoutMs: 100, resetTimeoutMs: 300 } });
    try {
      expect(await store.ready(5000)).toBe(true);
      redis.pause();
      for (let i = 0; i < 6; i++) await store.applyEvents('quiet', [purchase(`q-${i}`)], Date.now());
      expect(store.health().journalEntries).toBeGreaterThan(0);
      redis.resume();
      const started = Date.now();
      while (store.health().journalEntries > 0 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 50));
      expect(store.health().journalEntries).toBe(0);
      expect(await redis.cli('EXISTS', 'optout2:{u:quiet}:p')).toBe('0');
    } finally {
      redis.resume();
      await store.close();
      await direct.close();
    }
  });
});
