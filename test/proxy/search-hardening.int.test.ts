import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startTsProcess, type RunningProcess } from '../support/child-process.js';
import { startSidecart, type RunningSidecart } from '../support/sidecart-harness.js';

// The search path against a hostile or unlucky backend (test/support/search-edge-backend.ts, a
// real process): decode and parse inside the budget, encodings undone in the right order,
// Expect: 100-continue, a body that never finishes, bodiless statuses.

let backend: RunningProcess & { url: string };
const running: RunningSidecart[] = [];

beforeAll(async () => {
  let port = 0;
  const proc = await startTsProcess('test/support/search-edge-backend.ts', {
    ready: (line) => line.startsWith('{"port"') && (port = (JSON.parse(line) as { port: number }).port) > 0,
  });
  backend = { ...proc, url: `http://127.0.0.1:${port}` };
});

afterAll(async () => {
  for (const sidecart of running) await sidecart.close();
  await backend?.stop();
});

async function sidecartWith(config: { search?: object; upstream?: object; budgetMs?: number }): Promise<RunningSidecart> {
  const sidecart = await startSidecart({
    upstream: { url: backend.url, ...config.upstream },
    ...(config.search ? { search: config.search } : {}),
    routes: [{ path: '/:case/_search', adapter: 'elasticsearch', budgetMs: config.budgetMs ?? 50 }],
  });
  running.push(sidecart);
  // A shopper who bought a few of the fixture's products, so every search has something to rank.
  const items = Array.from({ length: 40 }, (_, i) => ({ id: `sku-${i * 7}`, brand: `Brand ${(i * 7) % 40}`, category: `Category ${i % 12}`, tags: ['organic'], price: 2 }));
  const events = [0, 1, 2].map((k) => ({ id: `e${k}`, type: 'purchase', at: Date.now() - k * 7 * 86400_000, items }));
  const res = await request(`${sidecart.url}/sidecart/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user-id': 'shopper' }, body: JSON.stringify({ events }) });
  expect(res.statusCode).toBe(202);
  await res.body.dump();
  return sidecart;
}

async function search(sidecart: RunningSidecart, path: string) {
  const res = await request(`${sidecart.url}${path}`, { headers: { 'x-user-id': 'shopper' } });
  const body = Buffer.from(await res.body.arrayBuffer());
  const dur = Number(/sidecart;dur=([\d.]+)/.exec(String(res.headers['server-timing']))?.[1] ?? NaN);
  return { status: res.statusCode, headers: res.headers, body, dur };
}

async function direct(path: string): Promise<Buffer> {
  const res = await request(`${backend.url}${path}`);
  return Buffer.from(await res.body.arrayBuffer());
}

describe('decode and parse are inside the budget', () => {
  it('a 40 KB gzip that inflates to 39 MiB passes through (too-large) without inflating it all', async () => {
    // A budget that could parse 50 MB (so only the 5 MiB decoded limit can stop it, however slowly a
    // loaded machine inflates: with 200 ms the deadline sometimes came first and said budget).
    const sidecart = await sidecartWith({ budgetMs: 1000 });
    const res = await search(sidecart, '/bomb/_search?mb=39');
    expect(res.headers['x-sidecart']).toBe('passthrough; reason=too-large');
    expect(res.body.equals(await direct('/bomb/_search?mb=39'))).toBe(true);
    expect(res.body.length).toBeLessThan(100 * 1024);
    // Parsing 39 MiB here takes over a second; stopping at 5 MiB decoded stays well within the budget.
    expect(res.dur).toBeLessThan(1000);
  });

  it('with a high maxDecodedBytes, inflating stops once the parse could no longer finish in the budget', async () => {
    const sidecart = await sidecartWith({ search: { maxDecodedBytes: 64 * 1024 * 1024 } });
    const res = await search(sidecart, '/bomb/_search?mb=39');
    expect(res.headers['x-sidecart']).toBe('passthrough; reason=budget');
    expect(res.dur).toBeLessThan(50 + 100);
  });

  it('a large valid body and a small budget: the parse is not started', async () => {
    const sidecart = await sidecartWith({ search: { maxBodyBytes: 16 * 1024 * 1024, maxDecodedBytes: 16 * 1024 * 1024 }, budgetMs: 20 });
    const path = '/hits/_search?n=24&pad=8000000';
    const res = await search(sidecart, path);
    expect(res.headers['x-sidecart']).toBe('passthrough; reason=budget');
    expect(res.body.equals(await direct(path))).toBe(true);
    // The parse alone costs 130 ms or more; not starting it keeps sidecart near the budget
    // (the margin is for a loaded machine).
    expect(res.dur).toBeLessThan(20 + 60);
  });

  it('a parse that fits but a rank that does not: the budget is checked after parse and rank', async () => {
    // 30,000 hits (~4.8 MB): the parse estimate (~95 ms) fits in 150 ms, parse + rank do not.
    const sidecart = await sidecartWith({ search: { maxBodyBytes: 16 * 1024 * 1024, maxDecodedBytes: 16 * 1024 * 1024 }, budgetMs: 150 });
    const res = await search(sidecart, '/hits/_search?n=30000');
    expect(res.headers['x-sidecart']).toBe('passthrough; reason=budget');
    expect(res.body.equals(await direct('/hits/_search?n=30000'))).toBe(true);
  });

  it('a body within every limit is still personalized', async () => {
    const sidecart = await sidecartWith({ budgetMs: 200 });
    await search(sidecart, '/hits/_search?n=24'); // the first search of a process is a cold one
    const res = await search(sidecart, '/hits/_search?n=24');
    expect(res.headers['x-sidecart']).toBe('personalized');
  });
});

describe('encodings and fields', () => {
  it('Content-Encoding: gzip, br is undone br first, then gzip', async () => {
    const sidecart = await sidecartWith({});
    const res = await search(sidecart, '/layered/_search');
    expect(res.headers['x-sidecart']).toBe('personalized');
    expect(res.headers['content-encoding']).toBeUndefined();
    expect((JSON.parse(res.body.toString()) as { hits: { hits: unknown[] } }).hits.hits).toHaveLength(24);
  });

  it('an Elasticsearch hit with a partial _source keeps the brand it has in fields', async () => {
    const sidecart = await sidecartWith({});
    const res = await search(sidecart, '/partial/_search');
    expect(res.headers['x-sidecart']).toBe('personalized');
    // The shopper's brands are only in `fields`: without them, nothing would match the profile's brands.
    const section = (JSON.parse(res.body.toString()) as { _personalization: { applied: string[] } })._personalization;
    const full = (JSON.parse((await search(sidecart, '/hits/_search?n=24')).body.toString()) as { hits: { hits: { _id: string }[] } }).hits.hits.map((h) => h._id);
    const partial = (JSON.parse(res.body.toString()) as { hits: { hits: { _id: string }[] } }).hits.hits.map((h) => h._id);
    expect(partial).toEqual(full);
    expect(section.applied.length).toBeGreaterThan(0);
  });
});

/** A POST the way curl sends a large body: `Expect: 100-continue`, and the body only after `100 Continue`. */
function postWithExpect(url: string, body: string): Promise<{ status: number; continued: boolean; json: { headers?: Record<string, string>; bodyLength?: number } }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue', 'x-user-id': 'shopper' } });
    let continued = false;
    req.on('continue', () => {
      continued = true;
      req.end(body);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, continued, json: JSON.parse(Buffer.concat(chunks).toString() || '{}') as never }));
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}

describe('Expect: 100-continue', () => {
  const body = JSON.stringify({ query: { match_all: {} }, pad: 'x'.repeat(64 * 1024) });

  it('on a search route: sidecart answers 100 Continue and the backend never sees Expect', async () => {
    const sidecart = await sidecartWith({});
    const res = await postWithExpect(`${sidecart.url}/echo/_search`, body);
    expect(res.continued).toBe(true);
    expect(res.status).toBe(200);
    expect(res.json.headers?.expect).toBeUndefined();
    expect(res.json.bodyLength).toBe(Buffer.byteLength(body));
  });

  it('on a pass-through POST route, the same', async () => {
    const sidecart = await sidecartWith({});
    const res = await postWithExpect(`${sidecart.url}/echo/upload`, body);
    expect(res.continued).toBe(true);
    expect(res.status).toBe(200);
    expect(res.json.headers?.expect).toBeUndefined();
    expect(res.json.bodyLength).toBe(Buffer.byteLength(body));
  });
});

describe('upstream.bodyTimeoutMs', () => {
  it('a search whose body drips past the deadline answers 504', async () => {
    const sidecart = await sidecartWith({ upstream: { bodyTimeoutMs: 500 } });
    const started = performance.now();
    const res = await search(sidecart, '/drip/_search');
    expect(res.status).toBe(504);
    expect(JSON.parse(res.body.toString())).toMatchObject({ error: 'upstream_timeout' });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it.each([
    ['GET (undici lane)', 'GET'],
    ['POST (http-proxy-middleware lane)', 'POST'],
  ] as const)('a pass-through %s body dripping past the deadline is cut', async (_lane, method) => {
    const sidecart = await sidecartWith({ upstream: { bodyTimeoutMs: 500 } });
    const started = performance.now();
    const res = await request(`${sidecart.url}/drip/stream`, { method, body: method === 'POST' ? '{}' : null });
    expect(res.statusCode).toBe(200);
    const outcome = await res.body.text().then(
      () => 'ended',
      () => 'cut',
    );
    expect(outcome).toBe('cut');
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('bodiless statuses', () => {
  it.each([204, 304])('%i on a search route carries no Content-Length sidecart made up', async (code) => {
    const sidecart = await sidecartWith({});
    const res = await search(sidecart, `/status/_search?code=${code}`);
    expect(res.status).toBe(code);
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.body.length).toBe(0);
  });
});
