import { afterEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { purchase } from './profile-fixtures.js';
import { resilientStore } from './store-harness.js';

// The profile store's client auto-pipelines its reads (one write and one read syscall for all
// the searches handled in one turn of the event loop) and sends its writes as before.

const servers: RedisServer[] = [];
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close().catch(() => undefined)));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

describe('profile store client: reads auto-pipelined, writes not', () => {
  it('reads issued in one turn are queued for one pipeline; a write is sent at once; every answer is right', async () => {
    const server = await startRedis();
    servers.push(server);
    const { store } = resilientStore({ redisUrl: server.url, keyPrefix: 'pl', nearCacheTtlMs: 0, breaker: { timeoutMs: 2_000 } });
    closers.push(() => store.close());
    await store.ready();
    const ids = Array.from({ length: 12 }, (_, i) => `pipe-${i}`);
    for (const [i, id] of ids.entries()) await store.applyEvents(id, [purchase(Date.now(), [{ id: `sku-${i}` }])], Date.now());
    const client = (store as unknown as { options: { redis: { client: Redis } } }).options.redis.client;
    // ioredis builds each auto-pipeline with client.pipeline(): count them.
    let pipelines = 0;
    const pipeline = client.pipeline.bind(client);
    client.pipeline = ((...args: Parameters<Redis['pipeline']>) => {
      pipelines++;
      return pipeline(...args);
    }) as Redis['pipeline'];

    const reads = ids.map((id) => store.read(id, Date.now()));
    // Not sent yet: all twelve wait in one auto-pipeline for this turn of the event loop.
    expect(client.autoPipelineQueueSize).toBe(ids.length);
    const results = await Promise.all(reads);
    expect(pipelines).toBe(1);
    results.forEach((r, i) => {
      expect(r.source).toBe('redis');
      expect(Object.keys(r.record.profile?.products ?? {})).toEqual([`sku-${i}`]);
    });

    // A write (load script, then compare-and-set script), a settings write and an erase: no pipeline.
    await store.applyEvents('pipe-0', [purchase(Date.now(), [{ id: 'sku-late' }])], Date.now());
    await store.writeSettings('pipe-1', { personalization: true, features: {}, dietary: [], updatedAt: Date.now() });
    await store.erase('pipe-2', false);
    expect(pipelines).toBe(1);
    expect((await store.read('pipe-0', Date.now())).record.profile?.products['sku-late']?.n).toBe(1);
  });
});
