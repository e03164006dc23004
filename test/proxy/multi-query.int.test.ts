import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { ENGINE_ROUTE_PATHS } from '../../src/config/engine-routes.js';
import type { EngineName } from '../../src/config/schema.js';
import { startFixtureBackend, type FixtureBackend } from '../support/child-process.js';
import { startSidecart, type RunningSidecart } from '../support/sidecart-harness.js';

// Each engine's multi-query search through a real sidecart (`engine: <name>` sets up its routes)
// to the fixture backend, which answers as the engine's documentation shows. A shopper with
// history gets every sub-result with hits personalized on its own; totals and facets stay the
// backend's; facet-only and error sub-results go out byte for byte; an unknown shopper gets the
// backend's bytes. Every answer varies on the identity.

type Json = Record<string, unknown>;

interface Case {
  engine: 'elasticsearch' | 'algolia' | 'meilisearch' | 'typesense';
  path: string;
  contentType: string;
  body: string;
  /** Sub-results that are personalized (by position); every other one stays as sent. */
  personalized: number[];
  subResults: (doc: Json) => Json[];
  ids: (sub: Json) => string[];
  /** Totals and facets: the backend's, untouched. */
  kept: (sub: Json) => unknown;
  section: (sub: Json) => unknown;
}

const ndjson = (...lines: unknown[]) => lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
const brandAggs = { brands: { terms: { field: 'brand' } } };

const CASES: Case[] = [
  {
    engine: 'elasticsearch',
    path: '/products/_msearch',
    contentType: 'application/x-ndjson',
    body: ndjson({}, { query: { match: { name: 'milk' } }, size: 10, aggs: brandAggs }, { index: 'products' }, { query: { match: { name: 'yogurt' } }, size: 10 }, { index: 'products' }, { query: { match: { name: 'milk' } }, size: 0, aggs: brandAggs }, { index: 'missing' }, { query: { match: { name: 'milk' } } }),
    personalized: [0, 1],
    subResults: (doc) => doc.responses as Json[],
    ids: (sub) => ((sub.hits as Json).hits as Json[]).map((h) => h._id as string),
    kept: (sub) => [(sub.hits as Json).total, sub.aggregations, sub.status],
    section: (sub) => sub._personalization,
  },
  {
    engine: 'algolia',
    path: '/1/indexes/*/queries?x-algolia-agent=test',
    contentType: 'application/json',
    body: JSON.stringify({
      requests: [
        { indexName: 'products', query: 'milk', hitsPerPage: 10, facets: ['brand'] },
        { indexName: 'products', params: 'query=yogurt&hitsPerPage=10' },
        { indexName: 'products', query: 'milk', hitsPerPage: 0, facets: ['brand'] },
        { indexName: 'missing', query: 'milk' },
      ],
    }),
    personalized: [0, 1],
    subResults: (doc) => doc.results as Json[],
    ids: (sub) => (sub.hits as Json[]).map((h) => h.objectID as string),
    kept: (sub) => [sub.nbHits, sub.nbPages, sub.facets],
    section: (sub) => (sub.userData as Json[] | undefined)?.find((entry) => '_personalization' in entry)?._personalization,
  },
  {
    engine: 'meilisearch',
    path: '/multi-search',
    contentType: 'application/json',
    body: JSON.stringify({
      queries: [
        { indexUid: 'products', q: 'milk', limit: 10, facets: ['brand'] },
        { indexUid: 'products', q: 'yogurt', hitsPerPage: 10, page: 1 },
        { indexUid: 'products', q: 'milk', limit: 0, facets: ['brand'] },
      ],
    }),
    personalized: [0, 1],
    subResults: (doc) => doc.results as Json[],
    ids: (sub) => (sub.hits as Json[]).map((h) => h.id as string),
    kept: (sub) => [sub.estimatedTotalHits, sub.totalHits, sub.facetDistribution],
    section: (sub) => sub._personalization,
  },
  {
    engine: 'typesense',
    path: '/multi_search?query_by=name&facet_by=brand',
    // typesense-instantsearch-adapter sends the JSON body as text/plain.
    contentType: 'text/plain',
    body: JSON.stringify({
      searches: [
        { collection: 'products', q: 'milk', per_page: 10 },
        { collection: 'products', q: 'yogurt', per_page: 10 },
        { collection: 'products', q: 'milk', per_page: 0 },
        { collection: 'missing', q: 'milk' },
      ],
    }),
    personalized: [0, 1],
    subResults: (doc) => doc.results as Json[],
    ids: (sub) => (sub.hits as Json[]).map((h) => (h.document as Json).id as string),
    kept: (sub) => [sub.found, sub.facet_counts],
    section: (sub) => sub._personalization,
  },
];

let backend: FixtureBackend;
const proxies = new Map<string, RunningSidecart>();

beforeAll(async () => {
  backend = await startFixtureBackend();
  for (const engine of ['elasticsearch', 'algolia', 'meilisearch', 'typesense'] as const) proxies.set(engine, await startSidecart(engineConfig(engine)));
});

/** The engine's standard routes, with generous budgets: this checks what is sent, not how fast (the machine is shared). */
function engineConfig(engine: EngineName, extra: Json = {}): Json {
  return { upstream: { url: backend.url }, engine, routes: ENGINE_ROUTE_PATHS[engine].map((path) => ({ path, adapter: engine, budgetMs: 2_000, strength: 0.9 })), ...extra };
}

afterAll(async () => {
  for (const proxy of proxies.values()) await proxy.close();
  await backend?.stop();
});

async function post(base: string, path: string, contentType: string, body: string, shopper?: string) {
  const res = await request(`${base}${path}`, { method: 'POST', headers: { 'content-type': contentType, ...(shopper ? { 'x-user-id': shopper } : {}) }, body });
  return { status: res.statusCode, headers: res.headers, bytes: Buffer.from(await res.body.arrayBuffer()) };
}

async function buyTwice(proxy: RunningSidecart, shopper: string, ids: string[]): Promise<void> {
  const events = ids.flatMap((id, i) => [0, 1].map((k) => ({ id: `${shopper}-${i}-${k}`, type: 'purchase', items: [{ id }] })));
  const res = await request(`${proxy.url}/sidecart/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user-id': shopper }, body: JSON.stringify({ events }) });
  expect(res.statusCode).toBe(202);
  await res.body.dump();
}

describe.each(CASES.map((c) => [c.engine, c] as const))('multi-query through sidecart: %s', (engine, c) => {
  it('personalizes each sub-result with hits on its own; totals, facets, facet-only and error sub-results stay the backend’s', async () => {
    const proxy = proxies.get(engine)!;
    const direct = await post(backend.url, c.path, c.contentType, c.body);
    expect(direct.status).toBe(200);
    const directDoc = JSON.parse(direct.bytes.toString()) as Json;
    const directSubs = c.subResults(directDoc);
    // The shopper bought the backend's last hit of each personalized sub-result.
    const favourites = c.personalized.map((p) => c.ids(directSubs[p]!).at(-1)!);
    const shopper = `mq-${engine}`;
    await buyTwice(proxy, shopper, favourites);

    const res = await post(proxy.url, c.path, c.contentType, c.body, shopper);
    expect(res.status).toBe(200);
    expect(res.headers['x-sidecart']).toBe(`personalized; count=${c.personalized.length}`);
    expect(String(res.headers.vary).toLowerCase()).toContain('x-user-id');
    const text = res.bytes.toString();
    const subs = c.subResults(JSON.parse(text) as Json);
    expect(subs.length).toBe(directSubs.length);
    subs.forEach((sub, position) => {
      const k = c.personalized.indexOf(position);
      if (k < 0) {
        // Byte for byte: the backend wrote each sub-result with JSON.stringify.
        expect(text).toContain(JSON.stringify(directSubs[position]));
        return;
      }
      expect(c.ids(sub)[0]).toBe(favourites[k]);
      expect([...c.ids(sub)].sort()).toEqual([...c.ids(directSubs[position]!)].sort());
      expect(c.kept(sub)).toEqual(c.kept(directSubs[position]!));
      expect(c.section(sub)).toMatchObject({ enabled: true });
    });
  });

  it('an unknown shopper gets the backend’s bytes, with Vary on the identity', async () => {
    const proxy = proxies.get(engine)!;
    const direct = await post(backend.url, c.path, c.contentType, c.body);
    const res = await post(proxy.url, c.path, c.contentType, c.body, `nobody-${engine}`);
    expect(res.headers['x-sidecart']).toBe('passthrough; reason=no-profile');
    expect(res.bytes.equals(direct.bytes)).toBe(true);
    expect(String(res.headers.vary).toLowerCase()).toContain('x-user-id');
    const anonymous = await post(proxy.url, c.path, c.contentType, c.body);
    expect(anonymous.headers['x-sidecart']).toBe('passthrough; reason=no-identity');
    expect(String(anonymous.headers.vary).toLowerCase()).toContain('x-user-id');
  });
});

describe('multi-query edge cases', () => {
  it('a facet-only multi-query search: nothing-to-personalize, the backend’s bytes', async () => {
    const proxy = proxies.get('meilisearch')!;
    await buyTwice(proxy, 'mq-facets', ['sku-0001']);
    const body = JSON.stringify({ queries: [{ indexUid: 'products', q: 'milk', limit: 0, facets: ['brand'] }] });
    const direct = await post(backend.url, '/multi-search', 'application/json', body);
    const res = await post(proxy.url, '/multi-search', 'application/json', body, 'mq-facets');
    expect(res.headers['x-sidecart']).toBe('passthrough; reason=nothing-to-personalize');
    expect(res.bytes.equals(direct.bytes)).toBe(true);
  });

  it('Meilisearch federated search: the merged list is personalized as one', async () => {
    const proxy = proxies.get('meilisearch')!;
    const body = JSON.stringify({ federation: { limit: 20 }, queries: [{ indexUid: 'products', q: 'milk' }, { indexUid: 'products', q: 'yogurt' }] });
    const direct = JSON.parse((await post(backend.url, '/multi-search', 'application/json', body)).bytes.toString()) as Json;
    const last = (direct.hits as Json[]).at(-1)!.id as string;
    await buyTwice(proxy, 'mq-federated', [last]);
    const res = await post(proxy.url, '/multi-search', 'application/json', body, 'mq-federated');
    expect(res.headers['x-sidecart']).toBe('personalized; count=1');
    const doc = JSON.parse(res.bytes.toString()) as Json;
    expect((doc.hits as Json[])[0]!.id).toBe(last);
    expect(doc.estimatedTotalHits).toBe(direct.estimatedTotalHits);
  });

  it('a request body over search.maxRequestBytes is forwarded as sent and the answer passes through (request-too-large)', async () => {
    const proxy = await startSidecart(engineConfig('algolia', { search: { maxRequestBytes: 256 } }));
    try {
      await buyTwice(proxy, 'mq-big', ['sku-0001']);
      const requests = Array.from({ length: 8 }, () => ({ indexName: 'products', query: 'milk', hitsPerPage: 10 }));
      const body = JSON.stringify({ requests });
      expect(body.length).toBeGreaterThan(256);
      const direct = await post(backend.url, '/1/indexes/*/queries', 'application/json', body);
      const res = await post(proxy.url, '/1/indexes/*/queries', 'application/json', body, 'mq-big');
      expect(res.headers['x-sidecart']).toBe('passthrough; reason=request-too-large');
      expect(res.bytes.equals(direct.bytes)).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('counts personalized result lists per route in sidecart_personalized_results_total', async () => {
    const proxy = proxies.get('elasticsearch')!;
    const metrics = await (await request(`${proxy.opsUrl}/metrics`)).body.text();
    expect(metrics).toMatch(/sidecart_personalized_results_total\{route="\/:index\/_msearch"\} 2\b/);
  });

  it('Solr: a JSON answer labelled text/plain (Solr 7/8) is personalized when it parses', async () => {
    const proxy = await startSidecart(engineConfig('solr'));
    try {
      const url = '/solr/products/select?q=milk&rows=10&wt=json';
      const headers = { 'x-fixture-content-type': 'text/plain;charset=utf-8' };
      const direct = JSON.parse(await (await request(`${backend.url}${url}`, { headers })).body.text()) as { response: { docs: Json[] } };
      const last = direct.response.docs.at(-1)!.id as string;
      await buyTwice(proxy, 'solr-plain', [last]);
      const res = await request(`${proxy.url}${url}`, { headers: { ...headers, 'x-user-id': 'solr-plain' } });
      expect(res.headers['x-sidecart']).toBe('personalized');
      const doc = JSON.parse(await res.body.text()) as { response: { docs: Json[] } };
      expect(doc.response.docs[0]!.id).toBe(last);
    } finally {
      await proxy.close();
    }
  });
});
