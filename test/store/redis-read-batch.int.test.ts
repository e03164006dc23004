import { afterEach, describe, expect, it, vi } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { createRedisClient, type RedisClient } from '../../src/store/redis-client.js';
import { batchedMultiGet } from '../../src/store/redis-read-batch.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';

// Profile reads asked for in one turn of the event loop go out as one pipeline; each still gets
// its own values, its own error, and reads in later turns are not held back.

const servers: RedisServer[] = [];
const clients: RedisClient[] = [];

afterEach(async () => {
  clients.splice(0).forEach((client) => client.disconnect());
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function setup(commandTimeoutMs = 1_000) {
  const server = await startRedis();
  servers.push(server);
  const redis = configSchema.parse({ store: { redis: { url: server.url, commandTimeoutMs } } }).store.redis;
  const client = createRedisClient(redis, 'batch-test');
  clients.push(client);
  await new Promise<void>((resolve) => client.once('ready', () => resolve()));
  return { server, client };
}

describe('batched profile reads', () => {
  it('reads of one turn: one pipeline, and every read gets the values of its own keys', async () => {
    const { client } = await setup();
    for (let i = 0; i < 40; i++) await client.set(`k${i}`, `value-${i}`);
    const pipelines = vi.spyOn(client, 'pipeline');
    const multiGet = batchedMultiGet(client);
    const reads = Array.from({ length: 40 }, (_, i) => multiGet([`k${i}`, `missing-${i}`, `k${(i + 1) % 40}`]));
    const values = await Promise.all(reads);
    expect(pipelines).toHaveBeenCalledTimes(1);
    values.forEach(([own, missing, next], i) => {
      expect(own?.toString()).toBe(`value-${i}`);
      expect(missing).toBeNull();
      expect(next?.toString()).toBe(`value-${(i + 1) % 40}`);
    });
  });

  it('reads in separate turns go out separately, a lone read without a pipeline', async () => {
    const { client } = await setup();
    await client.set('alone', 'yes');
    const pipelines = vi.spyOn(client, 'pipeline');
    const multiGet = batchedMultiGet(client);
    expect((await multiGet(['alone']))[0]?.toString()).toBe('yes');
    expect((await multiGet(['alone', 'nothing']))[1]).toBeNull();
    expect(pipelines).not.toHaveBeenCalled();
  });

  it('Redis hung: every read of the batch fails on its own command timeout', async () => {
    const { server, client } = await setup(100);
    const multiGet = batchedMultiGet(client);
    server.pause();
    try {
      const started = Date.now();
      const outcomes = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => multiGet([`k${i}`])));
      expect(outcomes.map((o) => o.status)).toEqual(Array(5).fill('rejected'));
      expect(outcomes.map((o) => (o as PromiseRejectedResult).reason.message)).toEqual(Array(5).fill('Command timed out'));
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      server.resume();
    }
  });

  it('Redis gone: every read of the batch fails fast, none hangs', async () => {
    const { server, client } = await setup();
    const multiGet = batchedMultiGet(client);
    await server.kill();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => multiGet([`k${i}`])));
    expect(outcomes.map((o) => o.status)).toEqual(Array(5).fill('rejected'));
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
