import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import type { ProfileStore } from '../../src/store/profile-store.js';
import { startFixtureBackend, type FixtureBackend } from '../support/child-process.js';
import { startSidecart, type RunningSidecart } from '../support/sidecart-harness.js';

// The search route end to end: a real backend process, a real sidecart, events in, reranked
// hits out — and for every pass-through reason, the backend's own bytes.

interface EsHit {
  _id: string;
  _source: { brand: string };
}
interface EsResponse {
  hits: { hits: EsHit[] };
  _personalization?: { enabled: boolean; applied: string[]; features: string[]; confidence: number; badges: string[]; usual: unknown[]; reorder: unknown[] };
}

let backend: FixtureBackend;
let proxy: RunningSidecart;
const SEARCH = '/products/_search?q=milk&size=24';

async function get(url: string, headers: Record<string, string> = {}, method: 'GET' | 'POST' = 'GET', body?: string) {
  const res = await request(url, { method, headers, body });
  return { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
}

async function sendEvents(shopper: string, events: unknown[]) {
  const res = await request(`${proxy.url}/sidecart/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-id': shopper },
    body: JSON.stringify({ events }),
  });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  backend = await startFixtureBackend();
  proxy = await startSidecart({
    upstream: { url: backend.url },
    search: { maxBodyBytes: 64 * 1024 },
    routes: [{ path: '/products/_search', adapter: 'elasticsearch', budgetMs: 200, strength: 0.8 }],
  });
});

afterAll(async () => {
  await proxy?.close();
  await backend?.stop();
});

describe('search route: personalized', () => {
  it('moves the shopper’s products and brands up, keeps every hit, and says what it did', async () => {
    const direct = JSON.parse((await get(`${backend.url}${SEARCH}`)).body.toString()) as EsResponse;
    const backendIds = direct.hits.hits.map((h) => h._id);
    const favourite = direct.hits.hits.at(-1)!;
    const accepted = await sendEvents('shopper-a', [
      { id: 'a-1', type: 'purchase', at: Date.now() - 20 * 86400_000, items: [{ id: favourite._id, brand: favourite._source.brand, quantity: 2 }] },
      { id: 'a-2', type: 'purchase', at: Date.now() - 10 * 86400_000, items: [{ id: favourite._id, brand: favourite._source.brand, quantity: 2 }] },
    ]);
    expect(accepted.status).toBe(202);

    const res = await get(`${proxy.url}${SEARCH}`, { 'x-user-id': 'shopper-a' });
    expect(res.status).toBe(200);
    expect(res.headers['x-sidecart']).toBe('personalized');
    expect(res.headers['server-timing']).toMatch(/sidecart;dur=\d+(\.\d+)?/);
    expect(res.headers['cache-control']).toMatch(/^private/);
    expect(String(res.headers['vary'])).toMatch(/x-user-id/i);
    expect(res.headers['etag']).toBeUndefined();
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    const personalized = JSON.parse(res.body.toString()) as EsResponse;
    const ids = personalized.hits.hits.map((h) => h._id);
    expect([...ids].sort()).toEqual([...backendIds].sort());
    expect(ids[0]).toBe(favourite._id);
    expect(personalized._personalization).toMatchObject({ enabled: true });
    expect(personalized._personalization!.applied.length).toBeGreaterThan(0);
  });

  it('gives two shoppers different orders for the same query, and an unknown shopper the backend’s bytes', async () => {
    const direct = await get(`${backend.url}${SEARCH}`);
    const hits = (JSON.parse(direct.body.toString()) as EsResponse).hits.hits;
    const [first, second] = [hits[hits.length - 2]!, hits[hits.length - 3]!];
    await sendEvents('shopper-b', [{ id: 'b-1', type: 'purchase', items: [{ id: first._id, brand: first._source.brand }] }]);
    await sendEvents('shopper-c', [{ id: 'c-1', type: 'purchase', items: [{ id: second._id, brand: second._source.brand }] }]);
    const b = JSON.parse((await get(`${proxy.url}${SEARCH}`, { 'x-user-id': 'shopper-b' })).body.toString()) as EsResponse;
    const c = JSON.parse((await get(`${proxy.url}${SEARCH}`, { 'x-user-id': 'shopper-c' })).body.toString()) as EsResponse;
    expect(b.hits.hits.map((h) => h._id)).not.toEqual(c.hits.hits.map((h) => h._id));
    const unknown = await get(`${proxy.url}${SEARCH}`, { 'x-user-id': 'nobody-known' });
    expect(unknown.headers['x-sidecart']).toBe('passthrough; reason=no-profile');
    expect(unknown.body.equals(direct.body)).toBe(true);
  });

  it('personalizes POST searches (Elasticsearch clients POST to _search)', async () => {
    const query = JSON.stringify({ query: { match: { name: 'milk' } }, size: 24 });
    const res = await get(`${proxy.url}/products/_search`, { 'x-user-id': 'shopper-a', 'content-type': 'application/json' }, 'POST', query);
    expect(res.headers['x-sidecart']).toBe('personalized');
  });

  it.each(['gzip', 'br', 'deflate'])('decodes a %s upstream body and sends it personalized, uncompressed', async (encoding) => {
    const res = await get(`${proxy.url}${SEARCH}`, { 'x-user-id': 'shopper-a', 'x-fixture-encoding': encoding });
    expect(res.headers['x-sidecart']).toBe('personalized');
    expect(res.headers['content-encoding']).toBeUndefined();
    const direct = JSON.parse((await get(`${backend.url}${SEARCH}`)).body.toString()) as EsResponse;
    expect((JSON.parse(res.body.toString()) as EsResponse).hits.hits.length).toBe(direct.hits.hits.length);
  });

  it('adds per-hit explanations on request', async () => {
    const res = await get(`${proxy.url}${SEARCH}`, { 'x-user-id': 'shopper-a', 'x-sidecart-explain': '1' });
    const doc = JSON.parse(res.body.toString()) as { _personalization: { explain?: unknown[] } };
    expect(Array.isArray(doc._personalization.explain)).toBe(true);
  });
});

describe('search route: metrics', () => {
  it('counts outcomes and reasons, observes overhead and feature adoption on /metrics', async () => {
    await get(`${proxy.url}${SEARCH}`, { 'x-user-id': 'shopper-a' });
    await get(`${proxy.url}${SEARCH}`, {});
    const text = (await get(`${proxy.opsUrl}/metrics`)).body.toString();
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 'NaN');
    expect(value(/sidecart_search_requests_total\{route="\/products\/_search",outcome="personalized",reason=""\} (\d+)/)).toBeGreaterThanOrEqual(1);
    expect(value(/sidecart_search_requests_total\{route="\/products\/_search",outcome="passthrough",reason="no-identity"\} (\d+)/)).toBeGreaterThanOrEqual(1);
    expect(value(/sidecart_personalization_duration_seconds_count\{route="\/products\/_search"\} (\d+)/)).toBeGreaterThanOrEqual(2);
    expect(value(/sidecart_feature_enabled_shoppers\{feature="smart_ranking"\} (\d+)/)).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain('shopper-a');
  });
});

describe('search route: pass-through reasons give the backend’s bytes', () => {
  const cases: [string, Record<string, string>][] = [
    ['no-identity', {}],
    ['no-profile', { 'x-user-id': 'never-seen' }],
    ['upstream-status', { 'x-user-id': 'shopper-a', 'x-fixture-status': '503' }],
    ['not-json', { 'x-user-id': 'shopper-a', 'x-fixture-content-type': 'text/html' }],
    ['not-json', { 'x-user-id': 'shopper-a', 'x-fixture-body': 'broken' }],
    ['too-large', { 'x-user-id': 'shopper-a', 'x-fixture-pad-bytes': String(100 * 1024) }],
    ['too-large', { 'x-user-id': 'shopper-a', 'x-fixture-pad-bytes': String(100 * 1024), 'x-fixture-chunked': '1' }],
    ['unknown-encoding', { 'x-user-id': 'shopper-a', 'x-fixture-encoding': 'compress' }],
    ['adapter-mismatch', { 'x-user-id': 'shopper-a', 'x-fixture-body': 'not-es' }],
  ];
  it.each(cases)('%s', async (reason, headers) => {
    const direct = await get(`${backend.url}${SEARCH}`, headers);
    const res = await get(`${proxy.url}${SEARCH}`, headers);
    expect(res.headers['x-sidecart']).toBe(`passthrough; reason=${reason}`);
    expect(res.headers['server-timing']).toMatch(/sidecart;dur=/);
    expect(res.status).toBe(direct.status);
    expect(res.body.equals(direct.body)).toBe(true);
    for (const name of ['content-type', 'content-encoding', 'etag', 'cache-control']) expect(res.headers[name]).toEqual(direct.headers[name]);
  });

  it('opted-out', async () => {
    await proxy.sidecart.store.writeSettings('shopper-off', { personalization: false, features: {}, dietary: [], updatedAt: Date.now() });
    const direct = await get(`${backend.url}${SEARCH}`);
    const res = await get(`${proxy.url}${SEARCH}`, { 'x-user-id': 'shopper-off' });
    expect(res.headers['x-sidecart']).toBe('passthrough; reason=opted-out');
    expect(res.body.equals(direct.body)).toBe(true);
  });
});

/** A real memory store behind a read that is slow or broken, to drive the budget and store reasons. */
function wrapStore(inner: ProfileStore, read: ProfileStore['read']): ProfileStore {
  return { ...inner, read, applyEvents: inner.applyEvents.bind(inner), writeSettings: inner.writeSettings.bind(inner), erase: inner.erase.bind(inner), close: inner.close.bind(inner) };
}

describe('search route: the client leaves', () => {
  it('a client gone before the backend answered cancels the backend request', async () => {
    const abandoned = async () => ((await (await request(`${backend.url}/fixture/abandoned`)).body.json()) as { abandoned: number }).abandoned;
    const before = await abandoned();
    const leaving = new AbortController();
    const search = request(`${proxy.url}${SEARCH}`, { headers: { 'x-user-id': 'shopper-a', 'x-fixture-delay-ms': '5000' }, signal: leaving.signal }).catch((err: Error) => err);
    await new Promise((resolve) => setTimeout(resolve, 150));
    leaving.abort();
    expect(await search).toBeInstanceOf(Error);
    // Well before the backend's 5 s answer: sidecart closed its request as soon as the client left.
    const started = Date.now();
    while ((await abandoned()) === before && Date.now() - started < 2_000) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await abandoned()).toBe(before + 1);
  });
});

describe('search route: budget and store failures', () => {
  it('budget: a profile read slower than the budget sends the original bytes within budget + margin', async () => {
    const slow = await startSidecart({ upstream: { url: backend.url }, routes: [{ path: '/products/_search', adapter: 'elasticsearch', budgetMs: 30 }] });
    const inner = slow.sidecart.store;
    await inner.applyEvents('shopper-slow', [{ id: 's-1', type: 'purchase', at: Date.now(), items: [{ id: 'sku-0001', quantity: 1 }] }], Date.now());
    const delayed = wrapStore(inner, (id, now) => new Promise((resolve) => setTimeout(() => resolve(inner.read(id, now)), 1000)));
    // Swap the store under the running app through the harness's escape hatch.
    const withSlowStore = await startSidecartWithStore(delayed);
    try {
      const direct = await get(`${backend.url}${SEARCH}`);
      const started = performance.now();
      const res = await get(`${withSlowStore.url}${SEARCH}`, { 'x-user-id': 'shopper-slow' });
      const elapsed = performance.now() - started;
      expect(res.headers['x-sidecart']).toBe('passthrough; reason=budget');
      expect(res.body.equals(direct.body)).toBe(true);
      expect(elapsed).toBeLessThan(900);
    } finally {
      await withSlowStore.close();
      await slow.close();
    }
  });

  it('store-unavailable: a failing store sends the original bytes', async () => {
    const broken = await startSidecartWithStore(null);
    try {
      const direct = await get(`${backend.url}${SEARCH}`);
      const res = await get(`${broken.url}${SEARCH}`, { 'x-user-id': 'shopper-a' });
      expect(res.headers['x-sidecart']).toBe('passthrough; reason=store-unavailable');
      expect(res.body.equals(direct.body)).toBe(true);
    } finally {
      await broken.close();
    }
  });

  it('504: a search backend slower than upstream.timeoutMs', async () => {
    const impatient = await startSidecart({ upstream: { url: backend.url, timeoutMs: 300 }, routes: [{ path: '/products/_search', adapter: 'elasticsearch' }] });
    try {
      const res = await get(`${impatient.url}${SEARCH}`, { 'x-user-id': 'shopper-a', 'x-fixture-delay-ms': '3000' });
      expect(res.status).toBe(504);
      expect(JSON.parse(res.body.toString())).toMatchObject({ error: 'upstream_timeout' });
    } finally {
      await impatient.close();
    }
  });

  it('disabled: the master switch off passes every search through', async () => {
    const off = await startSidecart({ upstream: { url: backend.url }, personalization: { enabled: false }, routes: [{ path: '/products/_search', adapter: 'elasticsearch' }] });
    try {
      const res = await get(`${off.url}${SEARCH}`, { 'x-user-id': 'shopper-a' });
      expect(res.headers['x-sidecart']).toBe('passthrough; reason=disabled');
    } finally {
      await off.close();
    }
  });

  async function startSidecartWithStore(store: ProfileStore | null) {
    const failing: ProfileStore = {
      read: () => Promise.reject(new Error('store down')),
      applyEvents: () => Promise.reject(new Error('store down')),
      writeSettings: () => Promise.reject(new Error('store down')),
      erase: () => Promise.reject(new Error('store down')),
      close: () => Promise.resolve(),
    };
    return startSidecart({ upstream: { url: backend.url }, routes: [{ path: '/products/_search', adapter: 'elasticsearch', budgetMs: 30 }] }, store ?? failing);
  }
});
