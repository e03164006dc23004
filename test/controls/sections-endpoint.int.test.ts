import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CATALOG } from '../../src/demo/demo-catalog.js';
import { startFixtureBackend, type FixtureBackend } from '../support/child-process.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { startSidecart, type RunningSidecart } from '../support/sidecart-harness.js';
import { call } from './controls-client.js';

// The section channel, GET /sidecart/v1/me/sections, against a real sidecart, the fixture backend
// and a real redis-server: the same usual/reorder/preferences/household/confidence a search's
// section carries, private to the shopper, an answer for the opted-out and the unidentified, and
// the same breaker and memory fallback as a search when Redis hangs.

const DAY = 86_400_000;
const SECTIONS = '/sidecart/v1/me/sections';
const as = (id: string) => ({ 'x-user-id': id });
let backend: FixtureBackend;
let redis: RedisServer;
let proxy: RunningSidecart;

/** Weekly orders of the same milk products, so they are the shopper's usual and due again. */
function weeklyOrders(prefix: string, ids: string[]) {
  return {
    events: [6, 5, 4, 3, 2, 1].map((weeksAgo) => ({
      id: `${prefix}-${weeksAgo}`,
      type: 'purchase',
      at: Date.now() - weeksAgo * 7 * DAY,
      items: ids.map((id) => {
        const p = DEMO_CATALOG.find((c) => c.id === id)!;
        return { id, quantity: 2, brand: p.brand, category: p.category, tags: p.tags, price: p.price };
      }),
    })),
  };
}

const milk = DEMO_CATALOG.filter((p) => p.name.includes('Milk')).slice(0, 2).map((p) => p.id);

/** The fields both channels compute from the profile (a search adds the names on its page). */
const profileFacts = (section: Record<string, unknown>) => ({
  enabled: section.enabled,
  features: section.features,
  confidence: section.confidence,
  usual: (section.usual as Record<string, unknown>[]).map(({ id, usualQuantity, timesBought, lastBought, frequency }) => ({ id, usualQuantity, timesBought, lastBought, frequency })),
  reorder: (section.reorder as Record<string, unknown>[]).map(({ id, daysUntilDue, cycleDays, urgency }) => ({ id, daysUntilDue, cycleDays, urgency })),
  preferences: section.preferences,
  household: section.household,
});

beforeAll(async () => {
  backend = await startFixtureBackend();
  redis = await startRedis();
  proxy = await startSidecart({
    upstream: { url: backend.url },
    routes: [{ path: '/products/_search', adapter: 'elasticsearch', budgetMs: 2000 }],
    // No near cache: every read asks Redis, so a hung Redis shows the breaker and the fallback.
    store: { redis: { url: redis.url, keyPrefix: 'sections', commandTimeoutMs: 1000, connectTimeoutMs: 2000 }, memory: { nearCacheTtlMs: 0 }, breaker: { timeoutMs: 150 }, journal: { memory: true } },
  });
  const started = Date.now();
  while (proxy.sidecart.store.health?.().redisReady !== true) {
    if (Date.now() - started > 10_000) throw new Error('Redis connection not ready');
    await new Promise((r) => setTimeout(r, 50));
  }
  const posted = await call(`${proxy.url}/sidecart/v1/events`, { method: 'POST', headers: as('weekly-milk'), body: weeklyOrders('wm', milk) });
  expect(posted.status).toBeLessThan(300);
});

afterAll(async () => {
  await proxy?.close();
  await redis?.stop();
  await backend?.stop();
});

describe('GET /sidecart/v1/me/sections', () => {
  it('answers the shopper with history: the same facts as the section of their search, private to them', async () => {
    const reply = await call(`${proxy.url}${SECTIONS}`, { headers: as('weekly-milk') });
    expect(reply.status).toBe(200);
    expect(reply.headers['cache-control']).toBe('private');
    expect(reply.headers['vary']).toBe('x-user-id');
    expect(reply.headers['x-sidecart-store']).toBe('redis');
    const section = reply.json();
    expect(section.enabled).toBe(true);
    expect((section.usual as { id: string }[]).map((u) => u.id).sort()).toEqual([...milk].sort());
    expect(section.confidence as number).toBeGreaterThan(0);
    expect(section.badges).toContain('Your usual');
    expect(section.explain).toBeUndefined();

    const search = await call(`${proxy.url}/products/_search?q=milk&size=24`, { headers: as('weekly-milk') });
    expect(search.headers['x-sidecart']).toMatch(/^personalized/);
    expect(profileFacts(section)).toEqual(profileFacts(search.json<{ _personalization: Record<string, unknown> }>()._personalization));
  });

  it('a shopper without history: enabled, nothing usual, confidence 0', async () => {
    const section = (await call(`${proxy.url}${SECTIONS}`, { headers: as('new-shopper') })).json();
    expect(section).toMatchObject({ enabled: true, usual: [], reorder: [], confidence: 0 });
  });

  it('no identity: 401, still private', async () => {
    const reply = await call(`${proxy.url}${SECTIONS}`);
    expect(reply.status).toBe(401);
    expect(reply.json().error).toBe('no_identity');
    expect(reply.headers['cache-control']).toBe('private');
  });

  it('an opted-out shopper gets a plain "not enabled" and nothing from the profile', async () => {
    await call(`${proxy.url}/sidecart/v1/events`, { method: 'POST', headers: as('opting-out'), body: weeklyOrders('oo', milk) });
    const off = await call(`${proxy.url}/sidecart/v1/me/settings`, { method: 'PUT', headers: as('opting-out'), body: { personalization: false } });
    expect(off.status).toBe(200);
    const reply = await call(`${proxy.url}${SECTIONS}`, { headers: as('opting-out') });
    expect(reply.status).toBe(200);
    expect(reply.json()).toEqual({ enabled: false, reason: 'opted-out' });
  });

  it('Redis hung: the breaker answers from memory within its timeout, the same section', async () => {
    const before = (await call(`${proxy.url}${SECTIONS}`, { headers: as('weekly-milk') })).json();
    redis.pause();
    try {
      const started = performance.now();
      const reply = await call(`${proxy.url}${SECTIONS}`, { headers: as('weekly-milk') });
      const took = performance.now() - started;
      expect(reply.status).toBe(200);
      expect(reply.headers['x-sidecart-store']).toBe('fallback');
      expect(took).toBeLessThan(1000);
      expect(reply.json()).toEqual(before);
    } finally {
      redis.resume();
    }
  });
});
