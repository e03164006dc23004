import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { configSchema } from '../../src/config/schema.js';
import { createProfileUpdater } from '../../src/personalization/profile-update.js';
import { createRedisClient } from '../../src/store/redis-client.js';
import { RedisProfileStore } from '../../src/store/redis-profile-store.js';
import { startFixtureBackend, startTsProcess, type FixtureBackend } from '../support/child-process.js';
import { startRedis } from '../support/redis-server.js';

// "2xx means kept" across a restart: sidecart as its own process with the journal on disk, a real
// redis-server killed (or frozen) while events arrive, SIGTERM while Redis is still away, then a
// new sidecart on the same journal directory with Redis back: every event answered 2xx is in
// Redis, once.

const TOKEN = 'journal-test-admin-token-0123456789';
let backend: FixtureBackend;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  backend = await startFixtureBackend();
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});
afterAll(async () => {
  await backend?.stop();
});

function configFile(dir: string, redisUrl: string, journal: string): string {
  const file = join(dir, 'sidecart.yaml');
  writeFileSync(
    file,
    [
      'server: {host: 127.0.0.1, shutdownGraceMs: 2000, drainDelayMs: 0}',
      'routes: [{path: /products/_search, adapter: elasticsearch}]',
      `admin: {token: ${TOKEN}}`,
      'store:',
      `  redis: {url: "${redisUrl}", commandTimeoutMs: 100, connectTimeoutMs: 200}`,
      '  breaker: {timeoutMs: 100, writeTimeoutMs: 250, resetTimeoutMs: 500, volumeThreshold: 3, errorThresholdPercentage: 50, rollingCountTimeoutMs: 2000, rollingCountBuckets: 10}',
      journal,
      '',
    ].join('\n'),
  );
  return file;
}

async function startMain(file: string) {
  let port = 0;
  const proc = await startTsProcess('src/main.ts', {
    env: { SIDECART_CONFIG: file, SIDECART_PORT: '0', SIDECART_OPS_PORT: '0', SIDECART_UPSTREAM_URL: backend.url },
    ready: (line) => {
      if (!line.includes('sidecart listening')) return false;
      port = (JSON.parse(line) as { port: number }).port;
      return true;
    },
  });
  cleanups.push(() => proc.stop('SIGKILL'));
  return { proc, url: `http://127.0.0.1:${port}` };
}

/** One purchase for `shopper` through the admin form of the events API (no per-shopper limits). */
async function post(url: string, shopper: string, n: number): Promise<{ status: number; body: Record<string, unknown>; retryAfter: unknown }> {
  const res = await request(`${url}/sidecart/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ shopperId: shopper, events: [{ id: `ev-${n}`, type: 'purchase', items: [{ id: `sku-${n}` }] }] }),
  });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown>, retryAfter: res.headers['retry-after'] };
}

function directReader(url: string): RedisProfileStore {
  const config = configSchema.parse({});
  const store = new RedisProfileStore({
    client: createRedisClient({ ...config.store.redis, url }),
    keyPrefix: 'sidecart',
    retentionDays: 365,
    sessionTtlMs: 3_600_000,
    seenEventIdsMax: 1000,
    seenEventIdsTtlMs: 86_400_000,
    updater: createProfileUpdater(config.personalization),
  });
  cleanups.push(() => store.close());
  return store;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function outageThenRestart(how: 'kill' | 'stop') {
  const dir = mkdtempSync(join(tmpdir(), 'sidecart-journal-restart-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const redis = await startRedis();
  cleanups.push(() => redis.stop());
  const journalDir = join(dir, 'journal');
  const file = configFile(dir, redis.url, `  journal: {dir: "${journalDir}"}`);
  const first = await startMain(file);
  // A first write while Redis is up (on a loaded machine the very first one may miss the write
  // timeout and be journaled, then replayed): the outage starts once Redis holds it.
  const before = await post(first.url, 'before', 0);
  expect(before.status).toBe(202);
  expect(['redis', 'journal']).toContain(before.body.stored);
  const warm = directReader(redis.url);
  await waitFor(async () => (await warm.read('before')).record.profile?.products['sku-0']?.n === 1, 10_000, 'the first write in Redis');
  await warm.close();

  if (how === 'kill') await redis.kill('SIGKILL');
  else redis.pause();
  const acknowledged: number[] = [];
  const answers = new Map<string, number>();
  for (let n = 1; n <= 40; n++) {
    const { status, body } = await post(first.url, `shopper-${n % 7}`, n);
    answers.set(`${status} ${String(body.stored)}`, (answers.get(`${status} ${String(body.stored)}`) ?? 0) + 1);
    if (status >= 200 && status < 300) acknowledged.push(n);
  }
  // Every event was kept, in the journal (a frozen Redis may still have taken some in time).
  expect(acknowledged.length, JSON.stringify([...answers])).toBe(40);
  expect(statSync(join(journalDir, 'journal.log')).size).toBeGreaterThan(0);
  expect(await first.proc.stop('SIGTERM')).toBe(0);

  if (how === 'kill') await redis.restart();
  else redis.resume();
  const second = await startMain(file);
  const direct = directReader(redis.url);
  const counted = async (n: number) => (await direct.read(`shopper-${n % 7}`)).record.profile?.products[`sku-${n}`]?.n;
  await waitFor(async () => (await Promise.all(acknowledged.map(counted))).every((c) => c !== undefined), 20_000, 'the journal replayed into Redis');
  for (const n of acknowledged) expect(await counted(n), `event ${n}`).toBe(1);
  await waitFor(async () => statSync(join(journalDir, 'journal.log')).size === 0, 10_000, 'the journal file emptied once replayed');
  expect(await second.proc.stop('SIGTERM')).toBe(0);
}

describe('durable journal across a restart', () => {
  it('SIGTERM with Redis killed: after a restart with Redis back, every event answered 2xx is in Redis once', async () => {
    await outageThenRestart('kill');
  });

  it('SIGTERM with Redis frozen (SIGSTOP): after a restart with Redis resumed, every event answered 2xx is in Redis once', async () => {
    await outageThenRestart('stop');
  });

  it('no journal configured: an outage write is refused with 503 and Retry-After, never 2xx', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sidecart-journal-none-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const sidecart = await startMain(configFile(dir, redis.url, ''));
    await redis.kill('SIGKILL');
    const answer = await post(sidecart.url, 'nobody-keeps-it', 1);
    expect(answer.status).toBe(503);
    expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(answer.body).toMatchObject({ error: 'store_unavailable' });
  });

  it('journal full: 503 with Retry-After; what was answered 2xx before is kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sidecart-journal-full-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const sidecart = await startMain(configFile(dir, redis.url, `  journal: {dir: "${join(dir, 'journal')}", maxDiskBytes: 1500}`));
    await redis.kill('SIGKILL');
    const statuses: number[] = [];
    let refused: Awaited<ReturnType<typeof post>> | undefined;
    for (let n = 1; n <= 30 && !refused; n++) {
      const answer = await post(sidecart.url, 'filler', n);
      statuses.push(answer.status);
      if (answer.status === 503) refused = answer;
      else expect(answer.body).toMatchObject({ accepted: 1, stored: 'journal' });
    }
    expect(refused, `statuses ${statuses.join(',')}`).toBeDefined();
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThan(2);
    expect(Number(refused!.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(refused!.body).toMatchObject({ error: 'store_unavailable' });
    expect(statSync(join(dir, 'journal', 'journal.log')).size).toBeLessThanOrEqual(1500);
  });
});
