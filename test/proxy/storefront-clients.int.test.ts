import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client as ElasticsearchClient } from '@elastic/elasticsearch';
import { Client as OpenSearchClient } from '@opensearch-project/opensearch';
import { algoliasearch } from 'algoliasearch';
import algoliasearchV4Module, { type SearchClient as SearchClientV4 } from 'algoliasearch-v4';
import { Meilisearch } from 'meilisearch';
import Typesense from 'typesense';
import { request } from 'undici';
import { ENGINE_ROUTE_PATHS } from '../../src/config/engine-routes.js';
import type { EngineName } from '../../src/config/schema.js';
import { startFixtureBackend, type FixtureBackend } from '../support/child-process.js';
import { startSidecart, type RunningSidecart } from '../support/sidecart-harness.js';

// The storefront client libraries themselves, pointed at sidecart (`engine: <name>`) in front of
// the fixture backend, which answers as each engine does: every client accepts the answer of a
// single and of a multi-query search, and a shopper who bought the backend's last "milk" and
// "yogurt" hits sees them first, in every sub-result.

type Json = Record<string, unknown>;

let backend: FixtureBackend;
const proxies = new Map<EngineName, RunningSidecart>();

beforeAll(async () => {
  backend = await startFixtureBackend();
  for (const engine of ['elasticsearch', 'opensearch', 'algolia', 'meilisearch', 'typesense'] as const) {
    const routes = ENGINE_ROUTE_PATHS[engine].map((path) => ({ path, adapter: engine, budgetMs: 2_000, strength: 0.9 }));
    proxies.set(engine, await startSidecart({ upstream: { url: backend.url }, engine, routes }));
  }
});

afterAll(async () => {
  for (const proxy of proxies.values()) await proxy.close();
  await backend?.stop();
});

/** The backend's last hit for the text (the demo catalog's order, as every engine here answers it). */
async function lastHit(text: string): Promise<string> {
  const res = await request(`${backend.url}/indexes/products/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ q: text, limit: 10 }) });
  const doc = (await res.body.json()) as { hits: Array<{ id: string }> };
  return doc.hits.at(-1)!.id;
}

/** A shopper who bought the backend's last milk and yogurt hits (twice each), through this sidecart. */
async function shopperWithHistory(engine: EngineName): Promise<{ shopper: string; milk: string; yogurt: string }> {
  const [milk, yogurt] = [await lastHit('milk'), await lastHit('yogurt')];
  const shopper = `client-${engine}`;
  const events = [milk, milk, yogurt, yogurt].map((id, i) => ({ id: `${shopper}-${i}`, type: 'purchase', items: [{ id }] }));
  const res = await request(`${proxies.get(engine)!.url}/sidecart/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user-id': shopper }, body: JSON.stringify({ events }) });
  expect(res.statusCode).toBe(202);
  await res.body.dump();
  return { shopper, milk, yogurt };
}

const hostOf = (url: string) => new URL(url);
// algoliasearch 4 is CommonJS with a default export: Node hands the module object to a default import.
const algoliasearchV4 = ((algoliasearchV4Module as unknown as { default?: unknown }).default ?? algoliasearchV4Module) as (appId: string, apiKey: string, options: object) => SearchClientV4;

describe('storefront client libraries through sidecart', () => {
  it('@elastic/elasticsearch 8: search and msearch (vendor media type, product header) come back personalized', async () => {
    const { shopper, milk, yogurt } = await shopperWithHistory('elasticsearch');
    const es = new ElasticsearchClient({ node: proxies.get('elasticsearch')!.url, headers: { 'x-user-id': shopper } });
    try {
      const single = await es.search<Json>({ index: 'products', query: { match: { name: 'milk' } }, size: 10 });
      expect(single.hits.hits[0]!._id).toBe(milk);
      expect((single as unknown as Json)._personalization).toMatchObject({ enabled: true });
      const multi = await es.msearch<Json>({
        searches: [{ index: 'products' }, { query: { match: { name: 'milk' } }, size: 10 }, { index: 'products' }, { query: { match: { name: 'yogurt' } }, size: 10, aggs: { brands: { terms: { field: 'brand' } } } }],
      });
      const [first, second] = multi.responses as Array<{ hits: { hits: Array<{ _id: string }> }; aggregations?: unknown; _personalization?: unknown }>;
      expect(first!.hits.hits[0]!._id).toBe(milk);
      expect(second!.hits.hits[0]!._id).toBe(yogurt);
      expect(second!.aggregations).toBeDefined();
      expect(second!._personalization).toMatchObject({ enabled: true });
    } finally {
      await es.close();
    }
  });

  it('@opensearch-project/opensearch: search and msearch come back personalized', async () => {
    const { shopper, milk, yogurt } = await shopperWithHistory('opensearch');
    const os = new OpenSearchClient({ node: proxies.get('opensearch')!.url, headers: { 'x-user-id': shopper } });
    try {
      const single = await os.search({ index: 'products', body: { query: { match: { name: 'milk' } }, size: 10 } });
      expect(single.body.hits.hits[0]!._id).toBe(milk);
      const multi = await os.msearch({ index: 'products', body: [{}, { query: { match: { name: 'milk' } }, size: 10 }, {}, { query: { match: { name: 'yogurt' } }, size: 10 }] });
      const responses = multi.body.responses as unknown as Array<{ hits: { hits: Array<{ _id: string }> } }>;
      expect(responses[0]!.hits.hits[0]!._id).toBe(milk);
      expect(responses[1]!.hits.hits[0]!._id).toBe(yogurt);
    } finally {
      await os.close();
    }
  });

  it('algoliasearch 5: searchSingleIndex and search (*/queries) come back personalized, the section in userData', async () => {
    const { shopper, milk, yogurt } = await shopperWithHistory('algolia');
    const { host } = hostOf(proxies.get('algolia')!.url);
    const client = algoliasearch('TESTAPP', 'test-key', { hosts: [{ url: host, protocol: 'http', accept: 'readWrite' }], baseHeaders: { 'x-user-id': shopper } });
    const single = await client.searchSingleIndex<Json>({ indexName: 'products', searchParams: { query: 'milk', hitsPerPage: 10 } });
    expect(single.hits[0]!.objectID).toBe(milk);
    const multi = await client.search<Json>({
      requests: [
        { indexName: 'products', query: 'milk', hitsPerPage: 10 },
        { indexName: 'products', query: 'yogurt', hitsPerPage: 10, facets: ['brand'] },
        { indexName: 'products', query: 'milk', hitsPerPage: 0, facets: ['brand'] },
      ],
    });
    const results = multi.results as Array<{ hits: Array<{ objectID: string }>; facets?: unknown; userData?: Json[] }>;
    expect(results[0]!.hits[0]!.objectID).toBe(milk);
    expect(results[1]!.hits[0]!.objectID).toBe(yogurt);
    expect(results[1]!.facets).toBeDefined();
    expect(results[1]!.userData?.[0]?._personalization).toMatchObject({ enabled: true });
    expect(results[2]!.userData).toBeUndefined();
  });

  it('algoliasearch 4: index.search and multipleQueries (params strings) come back personalized', async () => {
    const { shopper, milk, yogurt } = await shopperWithHistory('algolia');
    const { host } = hostOf(proxies.get('algolia')!.url);
    // accept 3: CallEnum.Any (read and write).
    const client = algoliasearchV4('TESTAPP', 'test-key', { hosts: [{ url: host, protocol: 'http', accept: 3 }], headers: { 'x-user-id': shopper } });
    const single = await client.initIndex('products').search<Json>('milk', { hitsPerPage: 10 });
    expect(single.hits[0]!.objectID).toBe(milk);
    const multi = await client.multipleQueries<Json>([
      { indexName: 'products', query: 'milk', params: { hitsPerPage: 10 } },
      { indexName: 'products', query: 'yogurt', params: { hitsPerPage: 10 } },
    ]);
    const results = multi.results as Array<{ hits: Array<{ objectID: string }>; userData?: Json[] }>;
    expect(results[0]!.hits[0]!.objectID).toBe(milk);
    expect(results[1]!.hits[0]!.objectID).toBe(yogurt);
    expect(results[0]!.userData?.[0]?._personalization).toMatchObject({ enabled: true });
  });

  it('meilisearch: index search and multiSearch come back personalized', async () => {
    const { shopper, milk, yogurt } = await shopperWithHistory('meilisearch');
    const client = new Meilisearch({ host: proxies.get('meilisearch')!.url, apiKey: 'key', requestInit: { headers: { 'x-user-id': shopper } } });
    const single = await client.index('products').search('milk', { limit: 10 });
    expect(single.hits[0]!.id).toBe(milk);
    const multi = await client.multiSearch({
      queries: [
        { indexUid: 'products', q: 'milk', limit: 10 },
        { indexUid: 'products', q: 'yogurt', limit: 10, facets: ['brand'] },
      ],
    });
    expect(multi.results[0]!.hits[0]!.id).toBe(milk);
    expect(multi.results[1]!.hits[0]!.id).toBe(yogurt);
    expect(multi.results[1]!.facetDistribution).toBeDefined();
  });

  it('typesense: documents().search and multiSearch.perform come back personalized', async () => {
    const { shopper, milk, yogurt } = await shopperWithHistory('typesense');
    const { hostname, port } = hostOf(proxies.get('typesense')!.url);
    const client = new Typesense.Client({ nodes: [{ host: hostname, port: Number(port), protocol: 'http' }], apiKey: 'key', additionalHeaders: { 'x-user-id': shopper }, connectionTimeoutSeconds: 5, numRetries: 0 });
    const single = await client.collections<{ id: string }>('products').documents().search({ q: 'milk', query_by: 'name', per_page: 10 });
    expect(single.hits![0]!.document.id).toBe(milk);
    const multi = await client.multiSearch.perform<[{ id: string }, { id: string }]>(
      {
        searches: [
          { collection: 'products', q: 'milk', per_page: 10 },
          { collection: 'products', q: 'yogurt', per_page: 10 },
        ],
      },
      { query_by: 'name' },
    );
    const results = multi.results as Array<{ hits?: Array<{ document: { id: string } }> }>;
    expect(results[0]!.hits![0]!.document.id).toBe(milk);
    expect(results[1]!.hits![0]!.document.id).toBe(yogurt);
  });
});
