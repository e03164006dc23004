import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../controls/controls-client.js';
import { startFixtureBackend, type FixtureBackend } from '../support/child-process.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { ADVERSARIAL_KEYS } from './adversarial-keys.js';
import { startSidecartProcess, type SidecartProcess } from './sidecart-process.js';

// One event with an item, brand, category or tag named `__proto__` once wrote onto
// Object.prototype: with Redis the process exited, with the memory store every later request
// answered 5xx while /readyz said ready. Here sidecart runs as its own process, with the memory
// store and with a real Redis: after the events it must still serve everyone, personalized.

const SEARCH = '/products/_search?q=milk&size=24';
const DAY = 86_400_000;
let backend: FixtureBackend;
let redis: RedisServer;

beforeAll(async () => {
  [backend, redis] = await Promise.all([startFixtureBackend(), startRedis()]);
});

afterAll(async () => {
  await backend?.stop();
  await redis?.stop();
});

interface EsBody {
  hits: { hits: { _id: string }[] };
  _personalization?: { enabled: boolean };
}

const as = (shopper: string) => ({ 'x-user-id': shopper });

function sidecartConfig(store: Record<string, unknown>) {
  return {
    upstream: { url: backend.url },
    routes: [{ path: '/products/_search', adapter: 'elasticsearch', budgetMs: 1000, strength: 0.8 }],
    store,
    events: { rateLimitPerSecond: 0 },
    logging: { level: 'info' },
  };
}

/** Events naming every adversarial key as item id, brand, category and tag, in each event type. */
function pollutingBatches(): unknown[] {
  const types = ['view', 'click', 'add_to_cart', 'purchase', 'remove_from_cart'];
  const batches: unknown[] = ADVERSARIAL_KEYS.map((key, k) => ({
    events: types.map((type, i) => ({ id: `poison-${k}-${i}`, type, items: [{ id: key, quantity: 1, brand: key, category: key, tags: [key] }] })),
  }));
  // The finding's own body, and everything in one batch.
  batches.push({ events: [{ type: 'view', items: [{ id: '__proto__' }] }] });
  batches.push({ events: [{ id: 'poison-all', type: 'purchase', items: ADVERSARIAL_KEYS.map((key) => ({ id: key, quantity: 2, brand: key, category: key, tags: [key, 'vegan'] })) }] });
  return batches;
}

async function search(sidecart: SidecartProcess, shopper: string) {
  const res = await call(`${sidecart.url}${SEARCH}`, { headers: as(shopper) });
  return { ...res, sidecart: String(res.headers['x-sidecart']) };
}

describe.each([
  ['memory store', () => ({})],
  ['Redis store', () => ({ redis: { url: redis.url } })],
])('events naming Object members (%s)', (_name, store) => {
  let sidecart: SidecartProcess;

  beforeAll(async () => {
    sidecart = await startSidecartProcess(sidecartConfig(store()));
  });
  afterAll(async () => {
    await sidecart?.proc.stop();
  });

  it('leave the process up, never answer 5xx, keep /readyz 200 and other shoppers personalized', async () => {
    const backendHits = (JSON.parse((await call(`${backend.url}${SEARCH}`)).body.toString()) as EsBody).hits.hits;
    const favourite = backendHits[backendHits.length - 1]!._id;
    const control = `control-${Date.now()}`;
    const purchases = { events: [1, 2].map((n) => ({ id: `c-${n}`, type: 'purchase', at: Date.now() - n * DAY, items: [{ id: favourite, quantity: 2 }] })) };
    // Until the store can keep events (Redis still connecting), they are refused with 503 and Retry-After.
    let bought = await call(`${sidecart.url}/sidecart/v1/events`, { method: 'POST', headers: as(control), body: purchases });
    for (let tries = 0; bought.status === 503 && tries < 50; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      bought = await call(`${sidecart.url}/sidecart/v1/events`, { method: 'POST', headers: as(control), body: purchases });
    }
    expect(bought.status).toBe(202);
    const before = await search(sidecart, control);
    expect(before.sidecart).toBe('personalized');
    expect((before.json() as unknown as EsBody).hits.hits[0]!._id).toBe(favourite);

    const attacker = `attacker-${Date.now()}`;
    const statuses: number[] = [];
    for (const batch of pollutingBatches()) {
      statuses.push((await call(`${sidecart.url}/sidecart/v1/events`, { method: 'POST', headers: as(attacker), body: batch })).status);
    }
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThan(ADVERSARIAL_KEYS.length);

    // The attacker's own reads: search, what is stored, the export.
    const own = await search(sidecart, attacker);
    expect(own.status).toBe(200);
    expect(own.sidecart).toBe('personalized');
    for (const path of ['/sidecart/v1/me', '/sidecart/v1/me/export']) {
      const res = await call(`${sidecart.url}${path}`, { headers: as(attacker) });
      expect(res.status, path).toBe(200);
      expect(res.body.toString()).toContain('"__proto__"');
    }

    expect(sidecart.alive()).toBe(true);
    expect((await call(`${sidecart.opsUrl}/readyz`)).status).toBe(200);
    expect((await call(`${sidecart.opsUrl}/healthz`)).status).toBe(200);
    const after = await search(sidecart, control);
    expect(after.status).toBe(200);
    expect(after.sidecart).toBe('personalized');
    expect(after.body.equals(before.body)).toBe(true);
    expect((await call(`${sidecart.url}/echo/after`)).status).toBe(200);
    expect(sidecart.proc.output()).not.toContain('can no longer serve');
  });
});

describe('/readyz and /healthz when the process is damaged anyway', () => {
  it('answer 503 once Object.prototype gains a property, and say so in one log line', async () => {
    // A preload that writes onto Object.prototype on SIGUSR2: damage from any source, not only ours.
    const polluter = fileURLToPath(new URL('./pollute-on-signal.mjs', import.meta.url));
    const sidecart = await startSidecartProcess(sidecartConfig({}), { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${polluter}`.trim() });
    try {
      expect((await call(`${sidecart.opsUrl}/readyz`)).status).toBe(200);
      sidecart.proc.child.kill('SIGUSR2');
      // The damage is found by the next probe. A library may trip over it first (prom-client's GC
      // histogram walks its labels with for…in at the next collection) and end the process: out
      // of service too. What must never happen is a damaged process that stays ready.
      let answered = 0;
      for (let i = 0; i < 3; i++) {
        await new Promise((resolve) => setTimeout(resolve, 30));
        let ready: Awaited<ReturnType<typeof call>>;
        let healthy: Awaited<ReturnType<typeof call>>;
        try {
          ready = await call(`${sidecart.opsUrl}/readyz`);
          healthy = await call(`${sidecart.opsUrl}/healthz`);
        } catch {
          await waitForExit(sidecart, 2_000);
          expect(sidecart.alive()).toBe(false);
          expect(sidecart.proc.child.exitCode).not.toBe(0);
          break;
        }
        expect(ready.status).toBe(503);
        expect(ready.json()).toEqual({ status: 'unsound' });
        expect(healthy.status).toBe(503);
        answered++;
      }
      if (answered > 0) {
        const lines = sidecart.proc.output().split('\n').filter((line) => line.includes('can no longer serve'));
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain('sidecartPolluted');
      }
    } finally {
      await sidecart.proc.stop();
    }
  });
});

async function waitForExit(sidecart: { alive(): boolean }, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (sidecart.alive() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
}
