import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startFixtureBackend, type FixtureBackend } from '../support/child-process.js';
import { startSidecart, type RunningSidecart } from '../support/sidecart-harness.js';

// The rerank window through a real sidecart to the fixture backend, per engine: a product the
// backend ranks 25th reaches page one; each page is the page asked for, with the backend's totals
// and its paging fields as asked; pages of one window stay consistent across an event; past the
// budget the page is the backend's own hits in its order; cursors and pages past the window go
// out as the backend sent them.

type Json = Record<string, unknown>;
const WINDOW = 30;
const TEXT = 'dairy';

interface Case {
  engine: string;
  route: Json;
  /** The request for `size` hits from `from` (engine paging). */
  page: (from: number, size: number) => { method: 'GET' | 'POST'; path: string; body?: string; headers?: Record<string, string> };
  ids: (doc: Json) => string[];
  total: (doc: Json) => unknown;
  /** The answer's paging fields for that page. */
  paging: (doc: Json) => unknown;
  expectedPaging: (from: number, size: number) => unknown;
}

const es = { 'x-fixture-engine': '1', 'content-type': 'application/json' };
const jsonHeaders = { 'content-type': 'application/json' };

const CASES: Case[] = [
  {
    engine: 'elasticsearch (query string)',
    route: { path: '/products/_search', adapter: 'elasticsearch' },
    page: (from, size) => ({ method: 'GET', path: `/products/_search?q=${TEXT}&from=${from}&size=${size}`, headers: es }),
    ids: (doc) => ((doc.hits as Json).hits as Json[]).map((h) => h._id as string),
    total: (doc) => (doc.hits as Json).total,
    paging: () => null,
    expectedPaging: () => null,
  },
  {
    engine: 'opensearch (body)',
    route: { path: '/catalog/_search', adapter: 'opensearch' },
    page: (from, size) => ({ method: 'POST', path: '/catalog/_search', body: JSON.stringify({ query: { match: { name: TEXT } }, from, size, aggs: { brands: { terms: { field: 'brand' } } } }), headers: es }),
    ids: (doc) => ((doc.hits as Json).hits as Json[]).map((h) => h._id as string),
    total: (doc) => [(doc.hits as Json).total, doc.aggregations],
    paging: () => null,
    expectedPaging: () => null,
  },
  {
    engine: 'solr',
    route: { path: '/solr/:core/select', adapter: 'solr' },
    page: (from, size) => ({ method: 'GET', path: `/solr/products/select?q=${TEXT}&start=${from}&rows=${size}&wt=json` }),
    ids: (doc) => ((doc.response as Json).docs as Json[]).map((d) => d.id as string),
    total: (doc) => (doc.response as Json).numFound,
    paging: (doc) => [(doc.response as Json).start, ((doc.responseHeader as Json).params as Json).start, ((doc.responseHeader as Json).params as Json).rows],
    expectedPaging: (from, size) => [from, String(from), String(size)],
  },
  {
    engine: 'algolia (params string)',
    route: { path: '/1/indexes/:index/query', adapter: 'algolia' },
    page: (from, size) => ({ method: 'POST', path: '/1/indexes/products/query', body: JSON.stringify({ params: `query=${TEXT}&hitsPerPage=${size}&page=${from / size}` }), headers: jsonHeaders }),
    ids: (doc) => (doc.hits as Json[]).map((h) => h.objectID as string),
    total: (doc) => doc.nbHits,
    paging: (doc) => [doc.page, doc.hitsPerPage, doc.nbPages],
    expectedPaging: (from, size) => [from / size, size, Math.ceil(104 / size)],
  },
  {
    engine: 'meilisearch (page/hitsPerPage)',
    route: { path: '/indexes/:index/search', adapter: 'meilisearch' },
    page: (from, size) => ({ method: 'POST', path: '/indexes/products/search', body: JSON.stringify({ q: TEXT, page: from / size + 1, hitsPerPage: size, facets: ['brand'] }), headers: jsonHeaders }),
    ids: (doc) => (doc.hits as Json[]).map((h) => h.id as string),
    total: (doc) => [doc.totalHits, doc.facetDistribution],
    paging: (doc) => [doc.page, doc.hitsPerPage, doc.totalPages],
    expectedPaging: (from, size) => [from / size + 1, size, Math.ceil(104 / size)],
  },
  {
    engine: 'typesense',
    route: { path: '/collections/:collection/documents/search', adapter: 'typesense' },
    page: (from, size) => ({ method: 'GET', path: `/collections/products/documents/search?q=${TEXT}&query_by=name&facet_by=brand&page=${from / size + 1}&per_page=${size}` }),
    ids: (doc) => (doc.hits as Json[]).map((h) => (h.document as Json).id as string),
    total: (doc) => [doc.found, doc.facet_counts],
    paging: (doc) => [doc.page, (doc.request_params as Json).per_page],
    expectedPaging: (from, size) => [from / size + 1, size],
  },
];

let backend: FixtureBackend;
let proxy: RunningSidecart;

const routes = (extra: Json) => CASES.map((c) => ({ ...c.route, rerankWindow: WINDOW, strength: 0.9, budgetMs: 2_000, ...extra }));

beforeAll(async () => {
  backend = await startFixtureBackend();
  proxy = await startSidecart({ upstream: { url: backend.url }, routes: routes({}) });
});

afterAll(async () => {
  await proxy?.close();
  await backend?.stop();
});

async function send(base: string, req: ReturnType<Case['page']>, shopper?: string) {
  const res = await request(`${base}${req.path}`, { method: req.method, headers: { ...req.headers, ...(shopper ? { 'x-user-id': shopper } : {}) }, body: req.body });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, bytes, doc: JSON.parse(bytes.toString()) as Json };
}

async function buy(target: RunningSidecart, shopper: string, ids: string[], tag: string): Promise<void> {
  const events = ids.flatMap((id, i) => [0, 1, 2].map((k) => ({ id: `${shopper}-${tag}-${i}-${k}`, type: 'purchase', items: [{ id }] })));
  const res = await request(`${target.url}/sidecart/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user-id': shopper }, body: JSON.stringify({ events }) });
  expect(res.statusCode).toBe(202);
  await res.body.dump();
}

/** The backend's own top `n` for the case's query (one request, no sidecart). */
async function backendTop(c: Case, n: number): Promise<{ ids: string[]; doc: Json }> {
  const { doc } = await send(backend.url, c.page(0, n));
  return { ids: c.ids(doc), doc };
}

describe.each(CASES.map((c) => [c.engine, c] as const))('rerank window: %s', (name, c) => {
  const engine = name.replace(/[^a-z0-9]+/g, '-');
  it('a product the backend ranks 25th reaches page one; each page is the one asked for, with the backend’s totals', async () => {
    const { ids: top } = await backendTop(c, WINDOW);
    const favourite = top[24]!;
    const shopper = `window-${engine}`;
    await buy(proxy, shopper, [favourite], 'a');
    const directPage2 = await send(backend.url, c.page(10, 10));

    const page1 = await send(proxy.url, c.page(0, 10), shopper);
    expect(page1.headers['x-sidecart']).toBe('personalized');
    expect(c.ids(page1.doc)).toHaveLength(10);
    expect(c.ids(page1.doc)[0]).toBe(favourite);
    expect(c.total(page1.doc)).toEqual(c.total(directPage2.doc));
    expect(c.paging(page1.doc)).toEqual(c.expectedPaging(0, 10));

    const page2 = await send(proxy.url, c.page(10, 10), shopper);
    expect(c.ids(page2.doc)).toHaveLength(10);
    expect(c.ids(page2.doc).filter((id) => c.ids(page1.doc).includes(id))).toEqual([]);
    expect(c.total(page2.doc)).toEqual(c.total(directPage2.doc));
    expect(c.paging(page2.doc)).toEqual(c.paging(directPage2.doc));
    expect(c.paging(page2.doc)).toEqual(c.expectedPaging(10, 10));
  });

  it('three pages with an event in between: each product of the window once', async () => {
    const { ids: top } = await backendTop(c, WINDOW);
    const shopper = `pages-${engine}`;
    await buy(proxy, shopper, [top[24]!], 'a');
    const seen: string[] = [];
    seen.push(...c.ids((await send(proxy.url, c.page(0, 10), shopper)).doc));
    // Bought now: it would jump to the top and push page one's last product onto page two.
    await buy(proxy, shopper, [top[27]!, top[28]!], 'b');
    seen.push(...c.ids((await send(proxy.url, c.page(10, 10), shopper)).doc));
    seen.push(...c.ids((await send(proxy.url, c.page(20, 10), shopper)).doc));
    expect(new Set(seen).size).toBe(WINDOW);
    expect([...seen].sort()).toEqual([...top].sort());
  });

  it('past the window, and for a shopper without history: the backend’s bytes', async () => {
    const shopper = `past-${engine}`;
    await buy(proxy, shopper, ['sku-0001'], 'a');
    const past = c.page(30, 10);
    const direct = await send(backend.url, past);
    const res = await send(proxy.url, past, shopper);
    expect(res.headers['x-sidecart']).toBe('passthrough; reason=past-window');
    expect(res.bytes.equals(direct.bytes)).toBe(true);
    // No identity: never widened.
    const anonymous = await send(proxy.url, c.page(10, 10));
    expect(anonymous.bytes.equals((await send(backend.url, c.page(10, 10))).bytes)).toBe(true);
  });
});

describe('rerank window fallbacks', () => {
  it('past the budget: the page asked for, of the backend’s hits in the backend’s order, with the reason', async () => {
    const tight = await startSidecart({ upstream: { url: backend.url }, routes: routes({ budgetMs: 1 }) });
    try {
      const c = CASES[0]!;
      await buy(tight, 'tight', ['sku-0100'], 'a');
      const padded = { ...c.page(10, 10), headers: { ...es, 'x-fixture-pad-bytes': '400000' } };
      const direct = await send(backend.url, padded);
      const res = await send(tight.url, padded, 'tight');
      expect(res.headers['x-sidecart']).toBe('passthrough; reason=budget');
      expect(c.ids(res.doc)).toEqual(c.ids(direct.doc));
      expect(c.total(res.doc)).toEqual(c.total(direct.doc));
      expect(String(res.headers.vary).toLowerCase()).toContain('x-user-id');
    } finally {
      await tight.close();
    }
  });

  it('cursors, size 0 and collapse go out untouched (no-window)', async () => {
    await buy(proxy, 'cursor', ['sku-0100'], 'a');
    const bodies = [
      { query: { match: { name: TEXT } }, size: 10, search_after: [1, 'sku-0010'] },
      { query: { match: { name: TEXT } }, size: 0, aggs: { brands: { terms: { field: 'brand' } } } },
      { query: { match: { name: TEXT } }, size: 10, collapse: { field: 'brand' } },
    ];
    for (const body of bodies) {
      const req = { method: 'POST' as const, path: '/products/_search', body: JSON.stringify(body), headers: es };
      const direct = await send(backend.url, req);
      const res = await send(proxy.url, req, 'cursor');
      expect(res.headers['x-sidecart']).toBe('passthrough; reason=no-window');
      expect(res.bytes.equals(direct.bytes)).toBe(true);
    }
  });
});
