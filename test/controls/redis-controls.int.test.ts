import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureBackend, type FixtureBackend } from '../support/child-process.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { startSidecart, type RunningSidecart } from '../support/sidecart-harness.js';
import { call, purchaseEvents } from './controls-client.js';

// Shopper controls against a real redis-server started by this test: deletion really removes
// the keys (checked with a direct client), settings and an opt-out survive a restart of sidecart.

const TOKEN = 'admin-token-redis-tests-51c0e';
const SEARCH = '/products/_search?q=milk&size=24';
let backend: FixtureBackend;
let redis: RedisServer;
let direct: Redis;
const running: RunningSidecart[] = [];
const as = (id: string) => ({ 'x-user-id': id });

async function start(): Promise<RunningSidecart> {
  const proxy = await startSidecart({
    upstream: { url: backend.url },
    routes: [{ path: '/products/_search', adapter: 'elasticsearch', budgetMs: 500 }],
    store: { redis: { url: redis.url, keyPrefix: 'sc-test', commandTimeoutMs: 1000, connectTimeoutMs: 2000 }, breaker: { timeoutMs: 1000 }, journal: { memory: true } },
    admin: { token: TOKEN },
  });
  running.push(proxy);
  // Wait for the Redis connection: until then the store answers from memory (its fallback).
  await until(async () => proxy.sidecart.store.health?.().redisReady === true, 'Redis connection ready');
  return proxy;
}

async function stop(proxy: RunningSidecart): Promise<void> {
  await proxy.close();
  running.splice(running.indexOf(proxy), 1);
}

/** The shopper's keys in Redis, by the key layout's hash tag. */
const keysOf = (id: string) => direct.keys(`sc-test:{u:${id}}:*`);

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  backend = await startFixtureBackend();
  redis = await startRedis();
  direct = new Redis({ port: redis.port, host: '127.0.0.1', lazyConnect: true });
  await direct.connect();
});

afterAll(async () => {
  for (const proxy of [...running]) await proxy.close();
  direct?.disconnect();
  await redis?.stop();
  await backend?.stop();
});

describe('shopper controls with Redis', () => {
  it('DELETE /me removes the shopper’s keys from Redis and memory, and nobody else’s', async () => {
    const proxy = await start();
    for (const id of ['rd-a', 'rd-b']) {
      expect((await call(`${proxy.url}/sidecart/v1/events`, { method: 'POST', headers: as(id), body: purchaseEvents(id, ['p-1', 'p-2']) })).status).toBe(202);
      await call(`${proxy.url}/sidecart/v1/me/settings`, { method: 'PUT', headers: as(id), body: { dietary: ['vegan'] } });
    }
    await until(async () => (await keysOf('rd-a')).length >= 3, 'rd-a keys in Redis');
    expect(await direct.exists('sc-test:{u:rd-a}:p', 'sc-test:{u:rd-a}:s')).toBe(2);
    const keysB = (await keysOf('rd-b')).sort();

    expect((await call(`${proxy.url}/sidecart/v1/me`, { method: 'DELETE', headers: as('rd-a') })).status).toBe(204);
    expect(await keysOf('rd-a')).toEqual([]);
    expect(await redis.cli('EXISTS', 'sc-test:{u:rd-a}:p')).toBe('0');
    expect((await keysOf('rd-b')).sort()).toEqual(keysB);
    // Memory (the near cache) forgot it too: the record read back is empty, from any layer.
    expect((await proxy.sidecart.store.read('rd-a', Date.now())).record).toEqual({ profile: null, settings: null, session: null });
    const me = (await call(`${proxy.url}/sidecart/v1/me`, { headers: as('rd-a') })).json<{ stored: unknown[] }>();
    expect(me.stored).toEqual([]);
    await stop(proxy);
  });

  it('admin DELETE removes a named shopper from Redis', async () => {
    const proxy = await start();
    await call(`${proxy.url}/sidecart/v1/events`, { method: 'POST', headers: as('rd-admin'), body: purchaseEvents('rd-admin', ['p-3']) });
    await until(async () => (await keysOf('rd-admin')).length > 0, 'rd-admin keys');
    const res = await call(`${proxy.opsUrl}/admin/shoppers/rd-admin`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(204);
    expect(await keysOf('rd-admin')).toEqual([]);
    await stop(proxy);
  });

  it('settings survive a restart, and so does an opt-out after deletion', async () => {
    const first = await start();
    const put = await call(`${first.url}/sidecart/v1/me/settings`, { method: 'PUT', headers: as('rd-s'), body: { features: { usual: false }, dietary: ['halal'], strength: 0.7 } });
    expect(put.status).toBe(200);
    await call(`${first.url}/sidecart/v1/events`, { method: 'POST', headers: as('rd-out'), body: purchaseEvents('rd-out', ['p-1']) });
    await call(`${first.url}/sidecart/v1/me/settings`, { method: 'PUT', headers: as('rd-out'), body: { personalization: false, dietary: ['kosher'] } });
    expect((await call(`${first.url}/sidecart/v1/me`, { method: 'DELETE', headers: as('rd-out') })).status).toBe(204);
    expect(await keysOf('rd-out')).toEqual(['sc-test:{u:rd-out}:s']);
    await stop(first);

    const second = await start();
    const me = (await call(`${second.url}/sidecart/v1/me`, { headers: as('rd-s') })).json<{ settings: Record<string, unknown>; features: { name: string; on: boolean }[] }>();
    expect(me.settings).toMatchObject({ personalization: true, features: { usual: false }, dietary: ['halal'], strength: 0.7 });
    expect(me.features.find((f) => f.name === 'usual')?.on).toBe(false);
    const out = (await call(`${second.url}/sidecart/v1/me`, { headers: as('rd-out') })).json<{ personalization: boolean; settings: { dietary: string[] } }>();
    expect(out.personalization).toBe(false);
    expect(out.settings.dietary).toEqual([]);
    const search = await call(`${second.url}${SEARCH}`, { headers: as('rd-out') });
    const backendBytes = await call(`${backend.url}${SEARCH}`);
    expect(search.headers['x-sidecart']).toBe('passthrough; reason=opted-out');
    expect(search.body.equals(backendBytes.body)).toBe(true);
    const events = await call(`${second.url}/sidecart/v1/events`, { method: 'POST', headers: as('rd-out'), body: purchaseEvents('rd-out-2', ['p-2']) });
    expect(events.json().stored).toBe(false);
    expect(await keysOf('rd-out')).toEqual(['sc-test:{u:rd-out}:s']);
    await stop(second);
  });

  // Last in this file: it restarts the (non-persistent) redis-server.
  it('DELETE /me during a Redis outage also drops the journaled writes: nothing reaches Redis on replay', async () => {
    const proxy = await start();
    await redis.kill();
    for (const id of ['rd-j-deleted', 'rd-j-kept']) {
      const res = await call(`${proxy.url}/sidecart/v1/events`, { method: 'POST', headers: as(id), body: purchaseEvents(id, ['p-1', 'p-2']) });
      expect(res.status).toBe(202);
    }
    expect(proxy.sidecart.store.health?.().journalEntries).toBeGreaterThan(0);
    expect((await call(`${proxy.url}/sidecart/v1/me`, { method: 'DELETE', headers: as('rd-j-deleted') })).status).toBe(204);
    await redis.restart();
    direct.disconnect();
    direct = new Redis({ port: redis.port, host: '127.0.0.1' });
    // The kept shopper's writes arriving proves the replay ran; the deleted one's never do.
    await until(async () => (await keysOf('rd-j-kept')).length > 0 && proxy.sidecart.store.health?.().journalEntries === 0, 'journal replayed');
    expect(await keysOf('rd-j-deleted')).toEqual([]);
    expect((await proxy.sidecart.store.read('rd-j-deleted', Date.now())).record.profile).toBeNull();
    await stop(proxy);
  });
});
