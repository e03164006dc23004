import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { createProfileStore } from '../../src/store/create-profile-store.js';
import type { ResilientProfileStore } from '../../src/store/resilient-profile-store.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { storeConfig } from './store-harness.js';
import { countingUpdater } from './test-updater.js';

// The seed asks for Redis connection failures to be "info only, not critical": a flapping Redis
// is logged at info, a line at most every 30 s, never a line per reconnect attempt.

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

describe('Redis trouble in the logs', () => {
  it('logs connection changes at info and rate-limited while Redis flaps', async () => {
    const lines: { level: number; msg: string }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as { level: number; msg: string });
        done();
      },
    });
    const store = createProfileStore({
      config: storeConfig({ redisUrl: redis.url, keyPrefix: 'logs' }),
      metrics: createMetrics({ processMetrics: false }),
      logger: createLogger('info', sink),
      updater: countingUpdater,
    }) as ResilientProfileStore;
    try {
      expect(await store.ready(5000)).toBe(true);
      for (let i = 0; i < 3; i++) {
        await redis.kill('SIGKILL');
        await new Promise((r) => setTimeout(r, 300));
        await redis.restart();
        const started = Date.now();
        while (!store.health().redisReady && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 50));
      }
      const redisLines = lines.filter((l) => /redis (connected|connection lost)/.test(l.msg));
      expect(redisLines.length).toBeGreaterThanOrEqual(1);
      expect(redisLines.length).toBeLessThanOrEqual(2);
      expect(lines.filter((l) => l.level > 30 && /redis/.test(l.msg))).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
