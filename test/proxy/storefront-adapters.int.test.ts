import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { instantMeiliSearch } from '@meilisearch/instant-meilisearch';
import TypesenseInstantSearchAdapter from 'typesense-instantsearch-adapter';
import searchkitImport from 'searchkit';
import SearchkitClient from '@searchkit/instantsearch-client';
import { algoliasearch } from 'algoliasearch';
import algoliasearchHelper from 'algoliasearch-helper';
import { Client as Elasticsearch9Client } from 'elasticsearch-v9';
import algoliasearchV4Module from 'algoliasearch-v4';
import { request } from 'undici';
import { ENGINE_ROUTE_PATHS } from '../../src/config/engine-routes.js';
import type { EngineName } from '../../src/config/schema.js';
import { startFixtureBackend, type FixtureBackend } from '../support/child-process.js';
import { startSidecart, type RunningSidecart } from '../support/sidecart-harness.js';

// The storefront adapters themselves (InstantSearch's search clients for Meilisearch, Typesense,
// Elasticsearch via Searchkit and Algolia, Elasticsearch JS 9 and solr-client), driven from node through sidecart
// (`engine: <name>`) to the fixture backend. Each client is called three ways with the same
// InstantSearch-shaped requests: straight at the backend, through sidecart as a shopper with
// history, through sidecart as an unknown shopper. The shopper's first hit is their product and
// sidecart said `personalized` on the path the client called (seen by a recorder between client
// and sidecart); totals and facets equal the backend's; the unknown shopper gets exactly what the
// backend gave.

type Json = Record<string, unknown>;

/** What InstantSearch hands a search client, and the parts of its answer compared here. */
interface InstantSearchRequest {
  indexName: string;
  params: Json;
}
interface InstantSearchResult {
  hits: Array<Record<string, unknown>>;
  nbHits?: number;
  facets?: unknown;
}
type SearchClient = { search: (requests: InstantSearchRequest[]) => Promise<{ results: unknown[] }> };

interface Seen {
  method: string;
  path: string;
  sidecart: string | undefined;
}

/** A plain forwarder in front of sidecart that keeps the method, path and X-Sidecart of every answer. */
async function startRecorder(target: string): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const to = new URL(target);
  const server = http.createServer((req, res) => {
    const upstream = http.request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      seen.push({ method: req.method ?? '', path: new URL(req.url ?? '/', 'http://x').pathname, sidecart: answer.headers['x-sidecart'] as string | undefined });
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

let backend: FixtureBackend;
const proxies = new Map<EngineName, RunningSidecart>();
const recorders = new Map<EngineName, Awaited<ReturnType<typeof startRecorder>>>();

beforeAll(async () => {
  backend = await startFixtureBackend();
  for (const engine of ['elasticsearch', 'algolia', 'meilisearch', 'typesense', 'solr'] as const) {
    const routes = ENGINE_ROUTE_PATHS[engine].map((path) => ({ path, adapter: engine, budgetMs: 2_000, strength: 0.9 }));
    const proxy = await startSidecart({ upstream: { url: backend.url }, engine, routes });
    proxies.set(engine, proxy);
    recorders.set(engine, await startRecorder(proxy.url));
  }
});

afterAll(async () => {
  for (const recorder of recorders.values()) await recorder.close();
  for (const proxy of proxies.values()) await proxy.close();
  await backend?.stop();
});

/** The backend's last hit for the text among its first ten (the demo catalog's order). */
async function lastHit(text: string): Promise<string> {
  const res = await request(`${backend.url}/indexes/products/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ q: text, limit: 10 }) });
  const doc = (await res.body.json()) as { hits: Array<{ id: string }> };
  return doc.hits.at(-1)!.id;
}

/** A shopper who bought the backend's last milk hit (three times), through this engine's sidecart. */
async function shopperWithHistory(engine: EngineName, client: string): Promise<{ shopper: string; milk: string }> {
  const milk = await lastHit('milk');
  const shopper = `adapter-${client}`;
  const events = [milk, milk, milk].map((id, i) => ({ id: `${shopper}-${i}`, type: 'purchase', items: [{ id }] }));
  const res = await request(`${proxies.get(engine)!.url}/sidecart/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user-id': shopper }, body: JSON.stringify({ events }) });
  expect(res.statusCode).toBe(202);
  await res.body.dump();
  return { shopper, milk };
}

/** The answers a search client gives: at the backend, through sidecart for the shopper, and for an unknown shopper. */
async function threeWays(engine: EngineName, client: string, make: (base: string, shopper: string) => SearchClient, requests: InstantSearchRequest[]) {
  const { shopper, milk } = await shopperWithHistory(engine, client);
  const recorder = recorders.get(engine)!;
  const direct = (await make(backend.url, shopper).search(requests)).results as InstantSearchResult[];
  const before = recorder.seen.length;
  const personal = (await make(recorder.url, shopper).search(requests)).results as InstantSearchResult[];
  const personalSeen = recorder.seen.slice(before);
  const unknownBefore = recorder.seen.length;
  const unknown = (await make(recorder.url, `never-seen-${client}`).search(requests)).results as InstantSearchResult[];
  const unknownSeen = recorder.seen.slice(unknownBefore);
  return { milk, direct, personal, personalSeen, unknown, unknownSeen };
}

const ids = (result: InstantSearchResult | undefined): unknown[] => (result?.hits ?? []).map((hit) => hit.objectID ?? hit.id);
const milkQuery = (extra: Json = {}): InstantSearchRequest => ({ indexName: 'products', params: { query: 'milk', hitsPerPage: 10, page: 0, facets: ['brand'], ...extra } });

/** The checks every InstantSearch adapter must pass on its first (milk) result. */
function expectPersonalized(outcome: Awaited<ReturnType<typeof threeWays>>, path: string): void {
  const { milk, direct, personal, personalSeen, unknown, unknownSeen } = outcome;
  // The client accepted every answer, the shopper's product is first and was not the backend's first.
  expect(ids(direct[0])[0]).not.toBe(milk);
  expect(ids(personal[0])[0]).toBe(milk);
  expect([...ids(personal[0])].sort()).toEqual([...ids(direct[0])].sort());
  expect(personal[0]!.nbHits).toBe(direct[0]!.nbHits);
  expect(personal[0]!.facets).toEqual(direct[0]!.facets);
  expect(personal[0]!.facets).toBeDefined();
  // Sidecart personalized the proxied response on the path the client calls.
  expect(personalSeen.length).toBeGreaterThan(0);
  for (const seen of personalSeen) expect(seen.path).toBe(path);
  expect(personalSeen.some((seen) => seen.sidecart?.startsWith('personalized'))).toBe(true);
  // An unknown shopper gets the backend's answer.
  expect(unknown).toEqual(direct);
  for (const seen of unknownSeen) expect(seen.sidecart).toMatch(/^passthrough/);
}

// algoliasearch 4 is CommonJS with a default export: Node hands the module object to a default import.
type AlgoliaV4 = (appId: string, apiKey: string, options: object) => SearchClient;
const algoliasearchV4 = ((algoliasearchV4Module as unknown as { default?: unknown }).default ?? algoliasearchV4Module) as AlgoliaV4;
// typesense-instantsearch-adapter is CommonJS with `exports.default`: Node's default import is the
// module object (as its types say), a transpiling loader's is the class.
type TypesenseAdapterClass = typeof TypesenseInstantSearchAdapter.default;
const TypesenseAdapter = ((TypesenseInstantSearchAdapter as unknown as { default?: TypesenseAdapterClass }).default ?? TypesenseInstantSearchAdapter) as TypesenseAdapterClass;
// searchkit's types read as CommonJS (a default import would be the module object) while Node
// loads its ESM build, whose default import is the class itself.
type SearchkitClass = typeof searchkitImport.default;
const Searchkit = ((searchkitImport as unknown as { default?: SearchkitClass }).default ?? searchkitImport) as SearchkitClass;

// solr-client ships no types: the part used here.
interface SolrQuery {
  q(text: string): SolrQuery;
  start(n: number): SolrQuery;
  rows(n: number): SolrQuery;
  facet(options: { field: string; on: boolean }): SolrQuery;
}
interface SolrClient {
  query(): SolrQuery;
  searchAsync(query: SolrQuery): Promise<{ response: { numFound: number; docs: Array<{ id: string }> }; facet_counts?: unknown }>;
}
const solr = createRequire(import.meta.url)('solr-client') as { createClient(options: Json): SolrClient };

// The InstantSearch search clients, each pointed at a base URL for a shopper.
const instantMeili = (base: string, shopper: string) => instantMeiliSearch(base, 'key', { requestInit: { headers: { 'x-user-id': shopper } } }).searchClient as unknown as SearchClient;
const typesenseAdapter = (base: string, shopper: string) => {
  const { hostname, port } = new URL(base);
  const adapter = new TypesenseAdapter({
    server: { nodes: [{ host: hostname, port: Number(port), protocol: 'http' }], apiKey: 'key', additionalHeaders: { 'x-user-id': shopper }, numRetries: 0 },
    additionalSearchParameters: { query_by: 'name' },
  });
  return adapter.searchClient as unknown as SearchClient;
};
const searchkit = (base: string, shopper: string) => {
  const config = new Searchkit({
    connection: { host: base, headers: { 'x-user-id': shopper } },
    search_settings: { search_attributes: ['name'], result_attributes: ['name', 'brand'], facet_attributes: [{ attribute: 'brand', field: 'brand', type: 'string' }] },
  });
  return SearchkitClient(config) as unknown as SearchClient;
};
const algoliaV5 = (base: string, shopper: string) => {
  const { host } = new URL(base);
  return algoliasearch('TESTAPP', 'test-key', { hosts: [{ url: host, protocol: 'http', accept: 'readWrite' }], baseHeaders: { 'x-user-id': shopper } }) as unknown as SearchClient;
};

describe('storefront adapters through sidecart', () => {
  it('@meilisearch/instant-meilisearch: POST /multi-search personalized, totals and facets kept', async () => {
    const outcome = await threeWays('meilisearch', 'instant-meilisearch', instantMeili, [milkQuery()]);
    expectPersonalized(outcome, '/multi-search');
  });

  it('typesense-instantsearch-adapter: POST /multi_search (text/plain) personalized, totals and facets kept', async () => {
    const outcome = await threeWays('typesense', 'typesense-adapter', typesenseAdapter, [milkQuery()]);
    expectPersonalized(outcome, '/multi_search');
  });

  it('Searchkit (@searchkit/instantsearch-client): POST /_msearch with query DSL and aggs personalized', async () => {
    const outcome = await threeWays('elasticsearch', 'searchkit', searchkit, [milkQuery()]);
    expectPersonalized(outcome, '/_msearch');
  });

  it('algoliasearch 5 with InstantSearch requests: POST /1/indexes/*/queries personalized', async () => {
    const outcome = await threeWays('algolia', 'algolia-v5-instantsearch', algoliaV5, [milkQuery(), milkQuery({ hitsPerPage: 0, analytics: false })]);
    expectPersonalized(outcome, '/1/indexes/*/queries');
    // InstantSearch's facet-only query stays as the backend sent it.
    expect(outcome.personal[1]).toEqual(outcome.direct[1]);
  });

  it('algoliasearch 4 with InstantSearch requests: POST /1/indexes/*/queries personalized', async () => {
    const make = (base: string, shopper: string) => {
      const { host } = new URL(base);
      // accept 3: CallEnum.Any (read and write).
      return algoliasearchV4('TESTAPP', 'test-key', { hosts: [{ url: host, protocol: 'http', accept: 3 }], headers: { 'x-user-id': shopper } });
    };
    const outcome = await threeWays('algolia', 'algolia-v4-instantsearch', make, [milkQuery()]);
    expectPersonalized(outcome, '/1/indexes/*/queries');
  });

  // instantsearch.js builds its requests with algoliasearch-helper: a refined disjunctive facet
  // makes it send the hits query plus a facet-only query (hitsPerPage 0) in one multi-query.
  it.each([
    ['@meilisearch/instant-meilisearch', 'meilisearch', instantMeili],
    ['typesense-instantsearch-adapter', 'typesense', typesenseAdapter],
    ['Searchkit', 'elasticsearch', searchkit],
    ['algoliasearch 5', 'algolia', algoliaV5],
  ] as const)('%s under instantsearch.js\'s helper (refined disjunctive facet): hits personalized, facets and totals kept', async (name, engine, make) => {
    const { shopper, milk } = await shopperWithHistory(engine, `helper-${engine}`);
    const recorder = recorders.get(engine)!;
    const run = async (base: string, id: string) => {
      const helper = algoliasearchHelper(make(base, id) as unknown as Parameters<typeof algoliasearchHelper>[0], 'products', { disjunctiveFacets: ['brand'], hitsPerPage: 10 });
      const { content } = await helper.searchOnce({ query: 'milk', disjunctiveFacetsRefinements: { brand: ['Arla'] } });
      return { ids: content.hits.map((hit: Json) => hit.objectID ?? hit.id), nbHits: content.nbHits, brands: content.getFacetValues('brand', { sortBy: ['name:asc'] }) };
    };
    const direct = await run(backend.url, shopper);
    const before = recorder.seen.length;
    const personal = await run(recorder.url, shopper);
    const personalSeen = recorder.seen.slice(before);
    const unknown = await run(recorder.url, `never-seen-helper-${engine}`);

    expect(direct.ids[0], name).not.toBe(milk);
    expect(personal.ids[0], name).toBe(milk);
    expect(personal.nbHits).toBe(direct.nbHits);
    expect(personal.brands).toEqual(direct.brands);
    expect(personalSeen.some((seen) => seen.sidecart?.startsWith('personalized'))).toBe(true);
    expect(unknown).toEqual(direct);
  });

  it('@elastic/elasticsearch 9: search and msearch (compatible-with=9) personalized, aggregations and totals kept', async () => {
    const { shopper, milk } = await shopperWithHistory('elasticsearch', 'elasticsearch-9');
    const recorder = recorders.get('elasticsearch')!;
    const searches = [{ index: 'products' }, { query: { match: { name: 'milk' } }, size: 10, aggs: { brands: { terms: { field: 'brand' } } } }];
    const run = async (base: string, id: string) => {
      const es = new Elasticsearch9Client({ node: base, headers: { 'x-user-id': id } });
      try {
        const single = await es.search<Json>({ index: 'products', query: { match: { name: 'milk' } }, size: 10, aggs: { brands: { terms: { field: 'brand' } } } });
        const multi = await es.msearch<Json>({ searches });
        const first = multi.responses[0] as unknown as typeof single;
        return [single, first].map((r) => ({ ids: r.hits.hits.map((h) => h._id), total: r.hits.total, aggregations: r.aggregations }));
      } finally {
        await es.close();
      }
    };
    const direct = await run(backend.url, shopper);
    const before = recorder.seen.length;
    const personal = await run(recorder.url, shopper);
    const personalSeen = recorder.seen.slice(before);
    const unknown = await run(recorder.url, 'never-seen-elasticsearch-9');

    for (const [k, result] of personal.entries()) {
      expect(direct[k]!.ids[0]).not.toBe(milk);
      expect(result.ids[0]).toBe(milk);
      expect(result.total).toEqual(direct[k]!.total);
      expect(result.aggregations).toEqual(direct[k]!.aggregations);
    }
    expect(personalSeen.map((seen) => [seen.path, seen.sidecart])).toEqual([
      ['/products/_search', 'personalized'],
      ['/_msearch', 'personalized; count=1'],
    ]);
    expect(unknown).toEqual(direct);
  });

  it('solr-client: GET /solr/:core/select personalized (header via request.headers, with its accept)', async () => {
    const { shopper, milk } = await shopperWithHistory('solr', 'solr-client');
    const make = (base: string, id: string) => {
      const { hostname, port } = new URL(base);
      return solr.createClient({ host: hostname, port: Number(port), core: 'products', request: { headers: { 'x-user-id': id, accept: 'application/json' } } });
    };
    const search = (client: SolrClient) => client.searchAsync(client.query().q('name:milk').start(0).rows(10).facet({ field: 'brand', on: true }));
    const recorder = recorders.get('solr')!;
    const direct = await search(make(backend.url, shopper));
    const before = recorder.seen.length;
    const personal = await search(make(recorder.url, shopper));
    const personalSeen = recorder.seen.slice(before);
    const unknown = await search(make(recorder.url, 'never-seen-solr-client'));

    expect(direct.response.docs[0]!.id).not.toBe(milk);
    expect(personal.response.docs[0]!.id).toBe(milk);
    expect(personal.response.numFound).toBe(direct.response.numFound);
    expect(personal.facet_counts).toEqual(direct.facet_counts);
    expect(personalSeen).toEqual([{ method: 'GET', path: '/solr/products/select', sidecart: 'personalized' }]);
    expect(unknown).toEqual(direct);
  });
});
