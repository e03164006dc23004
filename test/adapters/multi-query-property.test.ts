import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SearchAdapter } from '../../src/adapters/adapter.js';
import { algoliaAdapter } from '../../src/adapters/algolia-adapter.js';
import { elasticsearchAdapter } from '../../src/adapters/elasticsearch-adapter.js';
import { locateList } from '../../src/adapters/json-bytes.js';
import { compilePath } from '../../src/adapters/json-path.js';
import { meilisearchAdapter } from '../../src/adapters/meilisearch-adapter.js';
import type { MultiQueryKind } from '../../src/adapters/multi-query/multi-query-format.js';
import { typesenseAdapter } from '../../src/adapters/typesense-adapter.js';
import { personalizeMultiQuery } from '../../src/proxy/personalize-multi-query.js';
import { config, day, profileFrom, purchase, record } from '../personalization/fixtures.js';

// Whatever a multi-query response holds, personalizing it only reorders hits inside the
// sub-results it personalizes (and adds their sections): each sub-result keeps exactly the
// multiset of its hits' bytes, and every sub-result left alone keeps all of its bytes.

const SEED = Number(process.env.FC_SEED ?? 20261206);
const now = day(30);
const shopper = record(profileFrom([purchase(day(20), { id: 'oat-milk', quantity: 2, brand: 'Oatly' }), purchase(day(28), 'oat-milk', 'bread')], now));
const cfg = config();

interface Engine {
  kind: MultiQueryKind;
  adapter: SearchAdapter;
  listPath: string;
  hitsPath: string;
  idKeys: string[];
  hit(id: string, extra: Record<string, unknown>): unknown;
  subResult(index: string, hits: unknown[], pageSize: number): Record<string, unknown>;
  error(): Record<string, unknown>;
  request(queries: Array<{ index: string; pageSize: number }>): string;
}

const ENGINES: Engine[] = [
  {
    kind: 'elasticsearch-msearch',
    adapter: elasticsearchAdapter,
    listPath: 'responses',
    hitsPath: 'hits.hits',
    idKeys: [],
    hit: (id, extra) => ({ _index: 'products', _id: id, _score: 1.5, _source: extra }),
    subResult: (_index, hits) => ({ took: 1, hits: { total: { value: hits.length, relation: 'eq' }, hits }, status: 200 }),
    error: () => ({ error: { type: 'index_not_found_exception', reason: 'no such index' }, status: 404 }),
    request: (queries) => queries.map((q) => `{"index":${JSON.stringify(q.index)}}\n{"size":${q.pageSize}}\n`).join(''),
  },
  {
    kind: 'algolia-queries',
    adapter: algoliaAdapter,
    listPath: 'results',
    hitsPath: 'hits',
    idKeys: ['objectID'],
    hit: (id, extra) => ({ ...extra, objectID: id }),
    subResult: (index, hits, pageSize) => ({ hits, nbHits: hits.length, hitsPerPage: pageSize, index, ...(hits.length % 2 ? { userData: [{ banner: 1 }] } : {}) }),
    error: () => ({ message: 'Index does not exist', status: 404 }),
    request: (queries) => JSON.stringify({ requests: queries.map((q) => ({ indexName: q.index, params: `hitsPerPage=${q.pageSize}` })) }),
  },
  {
    kind: 'meilisearch-multi-search',
    adapter: meilisearchAdapter,
    listPath: 'results',
    hitsPath: 'hits',
    idKeys: ['id'],
    hit: (id, extra) => ({ id, ...extra }),
    subResult: (index, hits, pageSize) => ({ indexUid: index, hits, limit: pageSize, offset: 0, estimatedTotalHits: hits.length }),
    error: () => ({ message: 'Index not found', code: 'index_not_found' }),
    request: (queries) => JSON.stringify({ queries: queries.map((q) => ({ indexUid: q.index, limit: q.pageSize })) }),
  },
  {
    kind: 'typesense-multi-search',
    adapter: typesenseAdapter,
    listPath: 'results',
    hitsPath: 'hits',
    idKeys: [],
    hit: (id, extra) => ({ document: { id, ...extra }, highlights: [], text_match: 578730123365187705n }),
    subResult: (index, hits, pageSize) => ({ found: hits.length, hits, request_params: { collection_name: index, per_page: pageSize } }),
    error: () => ({ code: 404, error: 'Not found.' }),
    request: (queries) => JSON.stringify({ searches: queries.map((q) => ({ collection: q.index, per_page: q.pageSize })) }),
  },
];

const RESERVED = new Set(['__proto__', 'id', 'objectID', '_id', '_source', 'document', 'constructor', 'prototype']);
const extra = fc.dictionary(fc.string({ maxLength: 8 }).filter((k) => !RESERVED.has(k)), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
const id = fc.oneof(fc.constantFrom('oat-milk', 'cow-milk', 'bread', 'soy-milk'), fc.string({ maxLength: 6 }));
const subResultArb = fc.record({
  index: fc.constantFrom('products', 'recipes'),
  shape: fc.constantFrom('hits', 'hits', 'hits', 'facets', 'error'),
  hits: fc.array(fc.tuple(id, extra), { maxLength: 8 }),
});
const caseArb = fc.record({
  engine: fc.constantFrom(...ENGINES),
  subResults: fc.array(subResultArb, { minLength: 1, maxLength: 5 }),
  indent: fc.constantFrom(0, 1, 2),
  indexes: fc.constantFrom(undefined, ['products']),
});

/** JSON with BigInts written as their digits (Typesense's text_match is beyond 2^53). */
function stringify(value: unknown, indent: number): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `@@${v}@@` : v), indent).replace(/"@@(\d+)@@"/g, '$1');
}

function texts(bytes: Buffer, path: string): string[] {
  const where = locateList(bytes, compilePath(path));
  if (!where) throw new Error(`no list at ${path}`);
  return where.starts.map((start, i) => bytes.subarray(start, where.ends[i]!).toString('utf8'));
}

describe('multi-query personalization keeps every hit’s bytes', () => {
  it(`each sub-result keeps the multiset of its hit bytes; untouched ones keep all their bytes (seed ${SEED})`, () => {
    let personalizedSubResults = 0;
    const property = fc.property(caseArb, ({ engine, subResults, indent, indexes }) => {
      const queries = subResults.map((s) => ({ index: s.index, pageSize: s.shape === 'facets' ? 0 : 20 }));
      const list = subResults.map((s) =>
        s.shape === 'error' ? engine.error() : engine.subResult(s.index, s.shape === 'facets' ? [] : s.hits.map(([hitId, fields]) => engine.hit(hitId, fields)), s.shape === 'facets' ? 0 : 20),
      );
      const body = Buffer.from(stringify({ [engine.listPath]: list, took: 3 }, indent));
      const outcome = personalizeMultiQuery({
        kind: engine.kind,
        adapter: engine.adapter,
        requestBody: Buffer.from(engine.request(queries)),
        requestUrl: '/',
        body,
        indexes,
        record: shopper,
        strength: 1,
        config: cfg,
        sectionKey: '_personalization',
        explain: false,
        now,
        overBudget: () => false,
      });
      if (!outcome.ok) {
        expect(['nothing-to-personalize']).toContain(outcome.reason);
        return;
      }
      const before = texts(body, engine.listPath);
      const after = texts(outcome.body, engine.listPath);
      expect(after).toHaveLength(before.length);
      personalizedSubResults += outcome.personalized.length;
      const touched = new Set(outcome.personalized.map((p) => p.position));
      before.forEach((original, position) => {
        const shape = subResults[position]!;
        if (!touched.has(position)) {
          expect(after[position]).toBe(original);
          return;
        }
        expect(shape.shape).toBe('hits');
        if (indexes) expect(indexes).toContain(shape.index);
        const hitsBefore = texts(Buffer.from(original), engine.hitsPath).sort();
        const hitsAfter = texts(Buffer.from(after[position]!), engine.hitsPath).sort();
        expect(hitsAfter).toEqual(hitsBefore);
      });
      // The envelope outside the sub-results is the backend's.
      const envelope = (bytes: Buffer) => {
        const where = locateList(bytes, compilePath(engine.listPath))!;
        return [bytes.subarray(0, where.open).toString(), bytes.subarray(where.close).toString()];
      };
      expect(envelope(outcome.body)).toEqual(envelope(body));
    });
    fc.assert(property, { seed: SEED, numRuns: 300, verbose: true });
    expect(personalizedSubResults).toBeGreaterThan(200);
  });
});
