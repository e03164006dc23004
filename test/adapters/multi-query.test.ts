import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SearchAdapter } from '../../src/adapters/adapter.js';
import { algoliaAdapter } from '../../src/adapters/algolia-adapter.js';
import { elasticsearchAdapter, opensearchAdapter } from '../../src/adapters/elasticsearch-adapter.js';
import { locateList } from '../../src/adapters/json-bytes.js';
import { compilePath } from '../../src/adapters/json-path.js';
import { meilisearchAdapter } from '../../src/adapters/meilisearch-adapter.js';
import type { MultiQueryKind } from '../../src/adapters/multi-query/multi-query-format.js';
import { multiQueryKind } from '../../src/adapters/multi-query/multi-query-kind.js';
import { typesenseAdapter } from '../../src/adapters/typesense-adapter.js';
import { configSchema } from '../../src/config/schema.js';
import { personalizeMultiQuery, type PersonalizeMultiQueryInput, type PersonalizeMultiQueryResult } from '../../src/proxy/personalize-multi-query.js';
import { config, day, profileFrom, purchase, record } from '../personalization/fixtures.js';

// Multi-query responses as each engine's documentation shows them, personalized for a shopper
// who buys Oatly oat milk every week: in every sub-result that may be personalized, oat-milk
// moves up; everything else goes out as the backend's bytes.

const raw = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const now = day(30);
const shopper = record(
  profileFrom(
    [
      purchase(day(20), { id: 'oat-milk', quantity: 1, brand: 'Oatly' }),
      purchase(day(24), { id: 'oat-milk', quantity: 1, brand: 'Oatly' }),
      purchase(day(27), { id: 'oat-milk', quantity: 2, brand: 'Oatly' }),
      purchase(day(29), { id: 'oat-milk', quantity: 1, brand: 'Oatly' }, 'bread'),
    ],
    now,
  ),
);

function run(kind: MultiQueryKind, adapter: SearchAdapter, request: Buffer | string, body: Buffer | string, more: Partial<PersonalizeMultiQueryInput> = {}): PersonalizeMultiQueryResult {
  return personalizeMultiQuery({
    kind,
    adapter,
    requestBody: Buffer.from(request),
    requestUrl: '/',
    body: Buffer.from(body),
    record: shopper,
    strength: 1,
    config: config(),
    sectionKey: '_personalization',
    explain: false,
    now,
    overBudget: () => false,
    ...more,
  });
}

/** Each sub-result's own bytes, as text, in response order. */
function subResultTexts(body: Buffer | string, listPath = 'results'): string[] {
  const bytes = Buffer.from(body);
  const where = locateList(bytes, compilePath(listPath))!;
  return where.starts.map((start, i) => bytes.subarray(start, where.ends[i]!).toString('utf8'));
}

const ids = (hits: unknown[], read: (hit: never) => string): string[] => hits.map((h) => read(h as never));
const bodyOf = (outcome: PersonalizeMultiQueryResult): string => {
  if (!outcome.ok) throw new Error(`passed through: ${outcome.reason}`);
  return outcome.body.toString('utf8');
};

describe('Elasticsearch / OpenSearch _msearch', () => {
  const request = raw('multi-elasticsearch-request.ndjson');
  const response = raw('multi-elasticsearch.json');

  it('personalizes each sub-response with hits; facet-only and error sub-responses keep their bytes', () => {
    const outcome = run('elasticsearch-msearch', elasticsearchAdapter, request, response);
    const out = bodyOf(outcome);
    expect(outcome).toMatchObject({ ok: true, count: 2 });
    const before = subResultTexts(response, 'responses');
    const after = subResultTexts(out, 'responses');
    expect(after[1]).toBe(before[1]); // size 0: aggregations only
    expect(after[3]).toBe(before[3]); // index_not_found_exception
    const doc = JSON.parse(out);
    const original = JSON.parse(response.toString());
    expect(ids(doc.responses[0].hits.hits, (h: { _id: string }) => h._id)[0]).toBe('oat-milk');
    expect(doc.responses[0]._personalization.applied).toContain('smart_ranking');
    expect(doc.responses[0].hits.total).toEqual(original.responses[0].hits.total);
    expect(doc.responses[0].aggregations).toEqual(original.responses[0].aggregations);
    expect(doc.responses[0].status).toBe(200);
    expect(doc.took).toBe(original.took);
    expect(doc.responses[2]._personalization).toBeDefined();
    expect(outcome.ok && outcome.personalized.map((p) => [p.position, p.indexes])).toEqual([
      [0, ['products']],
      [2, ['recipes']],
    ]);
  });

  it('the route’s indexes pick sub-responses by the index their header names', () => {
    const outcome = run('elasticsearch-msearch', opensearchAdapter, request, response, { indexes: ['products'] });
    expect(outcome).toMatchObject({ ok: true, count: 1 });
    expect(subResultTexts(bodyOf(outcome), 'responses')[2]).toBe(subResultTexts(response, 'responses')[2]);
  });

  it('takes the index from /:index/_msearch when the headers are empty', () => {
    const lines = '\n{"query":{"match":{"name":"milk"}}}\n{}\n{"size":0}\n';
    const body = JSON.stringify({ took: 1, responses: [JSON.parse(response.toString()).responses[0], { hits: { total: { value: 4 }, hits: [] }, status: 200 }] });
    expect(run('elasticsearch-msearch', elasticsearchAdapter, lines, body, { indexes: ['products'], requestUrl: '/products/_msearch' })).toMatchObject({ ok: true, count: 1 });
    expect(run('elasticsearch-msearch', elasticsearchAdapter, lines, body, { indexes: ['products'], requestUrl: '/_msearch' })).toMatchObject({ ok: false, reason: 'nothing-to-personalize' });
  });

  it('a sub-request with size 0 stays as sent even when its sub-response carries hits', () => {
    const lines = '{"index":"products"}\n{"size":0}\n';
    const body = JSON.stringify({ took: 1, responses: [JSON.parse(response.toString()).responses[0]] });
    expect(run('elasticsearch-msearch', elasticsearchAdapter, lines, body)).toMatchObject({ ok: false, reason: 'nothing-to-personalize' });
  });

  it('without a readable request, a route with indexes personalizes nothing (responses name no index)', () => {
    expect(run('elasticsearch-msearch', elasticsearchAdapter, 'not ndjson', response, { indexes: ['products'] })).toMatchObject({ ok: false, reason: 'nothing-to-personalize' });
    expect(run('elasticsearch-msearch', elasticsearchAdapter, 'not ndjson', response)).toMatchObject({ ok: true, count: 2 });
  });
});

describe('Algolia */queries', () => {
  const response = raw('multi-algolia.json');

  for (const [client, request] of [
    ['v4 (params strings)', raw('multi-algolia-request-v4.json')],
    ['v5 (params objects)', raw('multi-algolia-request-v5.json')],
  ] as const) {
    it(`${client}: each result with hits personalized, the section an entry of userData`, () => {
      const outcome = run('algolia-queries', algoliaAdapter, request, response);
      const out = bodyOf(outcome);
      expect(outcome).toMatchObject({ ok: true, count: 2 });
      const doc = JSON.parse(out);
      const original = JSON.parse(response.toString());
      expect(ids(doc.results[0].hits, (h: { objectID: string }) => h.objectID)[0]).toBe('oat-milk');
      // Created where the backend sent none, appended where it sent query-rule data.
      expect(doc.results[0].userData).toHaveLength(1);
      expect(doc.results[0].userData[0]._personalization.applied).toContain('smart_ranking');
      expect(doc.results[2].userData[0]).toEqual({ banner: 'dairy-week' });
      expect(doc.results[2].userData[1]._personalization).toBeDefined();
      expect(doc.results[0]._personalization).toBeUndefined();
      for (const key of ['nbHits', 'facets', 'page', 'nbPages', 'index', 'params']) expect(doc.results[0][key]).toEqual(original.results[0][key]);
      expect(subResultTexts(out)[1]).toBe(subResultTexts(response)[1]); // hitsPerPage 0
    });
  }

  it('picks results by the index each one names, not by position', () => {
    // A request whose order disagrees with the names in the response: the response's names count.
    const misordered = JSON.stringify({ requests: [{ indexName: 'products' }, { indexName: 'products_price_asc' }, { indexName: 'products' }] });
    for (const request of ['{}', misordered]) {
      const outcome = run('algolia-queries', algoliaAdapter, request, response, { indexes: ['products_price_asc'] });
      expect(outcome).toMatchObject({ ok: true, count: 1, personalized: [{ position: 2, indexes: ['products_price_asc'] }] });
      expect(subResultTexts(bodyOf(outcome))[0]).toBe(subResultTexts(response)[0]);
    }
  });

  it('a v5 facet-values request stays as sent', () => {
    const request = JSON.stringify({ requests: [{ indexName: 'products', type: 'facet', facet: 'brand', facetQuery: 'oa' }] });
    const body = JSON.stringify({ results: [{ facetHits: [{ value: 'Oatly', highlighted: '<em>Oa</em>tly', count: 5 }], exhaustiveFacetsCount: true, processingTimeMS: 1 }] });
    expect(run('algolia-queries', algoliaAdapter, request, body)).toMatchObject({ ok: false, reason: 'nothing-to-personalize' });
  });
});

describe('Meilisearch /multi-search', () => {
  it('results by indexUid; the facet-initializing query (limit 0) stays as sent', () => {
    const response = raw('multi-meilisearch.json');
    const outcome = run('meilisearch-multi-search', meilisearchAdapter, raw('multi-meilisearch-request.json'), response, { indexes: ['products'] });
    const out = bodyOf(outcome);
    expect(outcome).toMatchObject({ ok: true, count: 1 });
    const doc = JSON.parse(out);
    expect(ids(doc.results[0].hits, (h: { id: string }) => h.id)[0]).toBe('oat-milk');
    expect(doc.results[0]._personalization).toBeDefined();
    expect(doc.results[0].facetDistribution).toEqual(JSON.parse(response.toString()).results[0].facetDistribution);
    expect(doc.results[0].estimatedTotalHits).toBe(3);
    const [, facets, recipes] = subResultTexts(out);
    expect([facets, recipes]).toEqual(subResultTexts(response).slice(1));
  });

  it('a federated search’s merged hits are one list, personalized when the route lists every index it searched', () => {
    const request = raw('multi-meilisearch-federated-request.json');
    const response = raw('multi-meilisearch-federated.json');
    const outcome = run('meilisearch-multi-search', meilisearchAdapter, request, response);
    const doc = JSON.parse(bodyOf(outcome));
    expect(outcome).toMatchObject({ ok: true, count: 1, personalized: [{ position: 0, indexes: ['products', 'recipes'] }] });
    expect(doc.hits[0].id).toBe('oat-milk');
    expect(doc._personalization).toBeDefined();
    expect(doc.estimatedTotalHits).toBe(3);
    expect(run('meilisearch-multi-search', meilisearchAdapter, request, response, { indexes: ['products'] })).toMatchObject({ ok: false, reason: 'nothing-to-personalize' });
    const facetsOnly = '{"federation":{"limit":0},"queries":[{"indexUid":"products"}]}';
    expect(run('meilisearch-multi-search', meilisearchAdapter, facetsOnly, response)).toMatchObject({ ok: false, reason: 'nothing-to-personalize' });
  });
});

describe('Typesense /multi_search', () => {
  const response = raw('multi-typesense.json');

  it('results by request_params.collection_name; the error and per_page 0 results keep their bytes, text_match its digits', () => {
    const outcome = run('typesense-multi-search', typesenseAdapter, raw('multi-typesense-request.json'), response, { requestUrl: '/multi_search?collection=products' });
    const out = bodyOf(outcome);
    expect(outcome).toMatchObject({ ok: true, count: 1 });
    const doc = JSON.parse(out);
    expect(ids(doc.results[0].hits, (h: { document: { id: string } }) => h.document.id)[0]).toBe('oat-milk');
    expect(doc.results[0]._personalization).toBeDefined();
    expect(doc.results[0].found).toBe(3);
    expect(doc.results[0].facet_counts).toEqual(JSON.parse(response.toString()).results[0].facet_counts);
    expect(out).toContain('"text_match": 578730123365187705');
    expect(subResultTexts(out).slice(1)).toEqual(subResultTexts(response).slice(1));
  });

  it('a union search is one list', () => {
    const outcome = run('typesense-multi-search', typesenseAdapter, raw('multi-typesense-union-request.json'), raw('multi-typesense-union.json'), { indexes: ['products'] });
    const doc = JSON.parse(bodyOf(outcome));
    expect(outcome).toMatchObject({ ok: true, count: 1 });
    expect(doc.hits[0].document.id).toBe('oat-milk');
    expect(doc._personalization).toBeDefined();
    expect(doc.union_request_params).toHaveLength(2);
  });
});

describe('one sub-result going wrong', () => {
  it('a sub-result the adapter cannot read stays as sent; the others are personalized', () => {
    const response = JSON.parse(raw('multi-typesense.json').toString());
    const grouped = { grouped_hits: [{ group_key: ['Oatly'], hits: [] }], found: 1, request_params: { collection_name: 'products', per_page: 10 } };
    const body = JSON.stringify({ results: [grouped, response.results[0]] });
    const outcome = run('typesense-multi-search', typesenseAdapter, '{}', body);
    expect(outcome).toMatchObject({ ok: true, count: 1, personalized: [{ position: 1 }] });
    expect(subResultTexts(bodyOf(outcome))[0]).toBe(subResultTexts(body)[0]);
  });

  it('no sub-result readable: adapter-mismatch; every one facet-only or empty: nothing-to-personalize', () => {
    expect(run('meilisearch-multi-search', meilisearchAdapter, '{}', '{"results":[{"indexUid":"products","hits":{"oops":1}}]}')).toMatchObject({ ok: false, reason: 'adapter-mismatch' });
    expect(run('meilisearch-multi-search', meilisearchAdapter, '{}', '{"results":[{"indexUid":"products","hits":[],"limit":20}]}')).toMatchObject({ ok: false, reason: 'nothing-to-personalize' });
    expect(run('meilisearch-multi-search', meilisearchAdapter, '{}', '{"hits":[{"id":"a"}]}')).toMatchObject({ ok: true }); // federated
    expect(run('algolia-queries', algoliaAdapter, '{}', '{"hits":[{"objectID":"a"}]}')).toMatchObject({ ok: false, reason: 'adapter-mismatch' });
    expect(run('algolia-queries', algoliaAdapter, '{}', '{"results":')).toMatchObject({ ok: false, reason: 'not-json' });
  });

  it('a sub-result that must be re-serialized and holds digits beyond 2^53 stays as sent', () => {
    // A second `_personalization` key rules splicing out for the first result.
    const lossy = '{"found":1,"_personalization":1,"hits":[{"document":{"id":"oat-milk"},"text_match":578730123365187705}]}';
    const fine = '{"found":2,"hits":[{"document":{"id":"cow-milk"}},{"document":{"id":"oat-milk"}}]}';
    const body = `{"results":[${lossy},${fine}]}`;
    const outcome = run('typesense-multi-search', typesenseAdapter, '{}', body);
    expect(outcome).toMatchObject({ ok: true, count: 1, personalized: [{ position: 1 }] });
    expect(subResultTexts(bodyOf(outcome))[0]).toBe(lossy);
    expect(run('typesense-multi-search', typesenseAdapter, '{}', `{"results":[${lossy}]}`)).toMatchObject({ ok: false, reason: 'lossy-number' });
  });

  it('re-serializes a sub-result that cannot be spliced, with the section still in userData', () => {
    const dup = '{"hits":[],"hits":[{"objectID":"cow-milk"},{"objectID":"oat-milk"}],"index":"products","userData":[{"a":1}]}';
    const outcome = run('algolia-queries', algoliaAdapter, '{}', `{"results":[${dup}]}`);
    const doc = JSON.parse(bodyOf(outcome));
    expect(doc.results[0].hits.map((h: { objectID: string }) => h.objectID)).toEqual(['oat-milk', 'cow-milk']);
    expect(doc.results[0].userData).toEqual([{ a: 1 }, { _personalization: expect.any(Object) }]);
  });

  it('one budget for the whole response: past it, the backend’s bytes', () => {
    let checks = 0;
    const overBudget = () => ++checks > 2;
    expect(run('elasticsearch-msearch', elasticsearchAdapter, raw('multi-elasticsearch-request.ndjson'), raw('multi-elasticsearch.json'), { overBudget })).toMatchObject({
      ok: false,
      reason: 'budget',
      personalized: [{ position: 0 }],
    });
  });
});

describe('multiQueryKind', () => {
  it.each([
    ['POST', '/_msearch', 'elasticsearch', 'elasticsearch-msearch'],
    ['POST', '/products/_msearch?typed_keys=true', 'opensearch', 'elasticsearch-msearch'],
    ['POST', '/products/_search', 'elasticsearch', null],
    ['POST', '/_msearch/template', 'elasticsearch', null],
    ['GET', '/_msearch', 'elasticsearch', null],
    ['POST', '/1/indexes/*/queries?x-algolia-agent=Algolia%20for%20JavaScript', 'algolia', 'algolia-queries'],
    ['POST', '/1/indexes/%2A/queries', 'algolia', 'algolia-queries'],
    ['POST', '/1/indexes/products/query', 'algolia', null],
    ['POST', '/multi-search', 'meilisearch', 'meilisearch-multi-search'],
    ['POST', '/indexes/products/search', 'meilisearch', null],
    ['POST', '/multi_search?collection=products', 'typesense', 'typesense-multi-search'],
    ['POST', '/multi_search', 'meilisearch', null],
    ['POST', '/_msearch', 'generic', null],
    ['POST', '/select', 'solr', null],
  ] as const)('%s %s (%s) → %s', (method, url, engine, kind) => {
    expect(multiQueryKind(method, url, engine)).toBe(kind);
  });
});

describe('config', () => {
  it('routes[].indexes is a non-empty list of names', () => {
    expect(configSchema.parse({ routes: [{ path: '/_msearch', adapter: 'elasticsearch', indexes: ['products'] }] }).routes[0]!.indexes).toEqual(['products']);
    expect(() => configSchema.parse({ routes: [{ path: '/_msearch', adapter: 'elasticsearch', indexes: [] }] })).toThrow();
  });
});
