import { describe, expect, it } from 'vitest';
import { algoliaPaging, elasticsearchPaging, meilisearchPaging, solrPaging, typesensePaging } from '../../src/adapters/paging/engine-pagings.js';
import { setMembers } from '../../src/adapters/paging/member-bytes.js';
import type { WindowPlan } from '../../src/adapters/paging/window-plan.js';
import { parseConfig } from '../../src/config/load-config.js';

// The rerank window's request rewrite and the answer's paging fields, per engine, with the
// paging in the query string and in the body; requests it cannot rewrite safely stay as sent.

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
type Rewrite = Extract<WindowPlan, { rewrite: true }>;

function rewrite(plan: WindowPlan): Rewrite {
  if (!plan.rewrite) throw new Error(`no window: ${plan.why}`);
  return plan;
}
const bodyOf = (plan: Rewrite) => JSON.parse(plan.body!.toString()) as Record<string, unknown>;

describe('Elasticsearch / OpenSearch paging', () => {
  it('query string: from/size inside the window become from=0&size=N, every other parameter as sent', () => {
    const plan = rewrite(elasticsearchPaging.plan('GET', '/products/_search?q=oat%20drink&from=20&size=10&track_total_hits=true', null, 100));
    expect(plan.slice).toEqual({ from: 20, size: 10 });
    expect(plan.path).toBe('/products/_search?q=oat%20drink&from=0&size=100&track_total_hits=true');
    expect(plan.body).toBeNull();
    expect(plan.answerPaging({})).toEqual([]);
  });
  it('body: from/size rewritten in the body; defaults (from 0, size 10) when unnamed', () => {
    const plan = rewrite(elasticsearchPaging.plan('POST', '/products/_search', json({ query: { match: { name: 'milk' } }, from: 24, size: 24, aggs: { b: {} } }), 100));
    expect(plan.slice).toEqual({ from: 24, size: 24 });
    expect(bodyOf(plan)).toEqual({ query: { match: { name: 'milk' } }, from: 0, size: 100, aggs: { b: {} } });
    const unnamed = rewrite(elasticsearchPaging.plan('POST', '/products/_search', json({ query: {} }), 50));
    expect(unnamed.slice).toEqual({ from: 0, size: 10 });
    expect(unnamed.path).toBe('/products/_search?from=0&size=50');
  });
  it('past the window, size 0, cursors, collapse and paging given twice stay untouched', () => {
    expect(elasticsearchPaging.plan('GET', '/p/_search?from=95&size=10', null, 100)).toEqual({ rewrite: false, why: 'past-window' });
    expect(elasticsearchPaging.plan('GET', '/p/_search?size=0', null, 100)).toEqual({ rewrite: false, why: 'no-hits' });
    expect(elasticsearchPaging.plan('POST', '/p/_search', json({ size: 10, search_after: [1, 'a'] }), 100)).toEqual({ rewrite: false, why: 'cursor' });
    expect(elasticsearchPaging.plan('POST', '/p/_search', json({ size: 10, pit: { id: 'x' } }), 100)).toEqual({ rewrite: false, why: 'cursor' });
    expect(elasticsearchPaging.plan('GET', '/p/_search?scroll=1m&size=10', null, 100)).toEqual({ rewrite: false, why: 'cursor' });
    expect(elasticsearchPaging.plan('POST', '/p/_search', json({ size: 10, collapse: { field: 'brand' } }), 100)).toEqual({ rewrite: false, why: 'collapse' });
    expect(elasticsearchPaging.plan('POST', '/p/_search?size=10', json({ size: 10 }), 100)).toEqual({ rewrite: false, why: 'unknown-paging' });
    expect(elasticsearchPaging.plan('GET', '/p/_search?size=ten', null, 100)).toEqual({ rewrite: false, why: 'unknown-paging' });
    expect(elasticsearchPaging.plan('POST', '/p/_search', Buffer.from('not json'), 100)).toEqual({ rewrite: false, why: 'unknown-paging' });
  });
});

describe('Solr paging', () => {
  it('start/rows in the query string; the answer says the start and rows asked for', () => {
    const plan = rewrite(solrPaging.plan('GET', '/solr/products/select?q=milk&start=10&rows=10&wt=json', null, 30));
    expect(plan.slice).toEqual({ from: 10, size: 10 });
    expect(plan.path).toBe('/solr/products/select?q=milk&start=0&rows=30&wt=json');
    expect(plan.answerPaging({})).toEqual([
      { path: ['response', 'start'], value: 10 },
      { path: ['responseHeader', 'params', 'start'], value: '10' },
      { path: ['responseHeader', 'params', 'rows'], value: '10' },
    ]);
  });
  it('cursorMark, grouping, collapse and a body stay untouched', () => {
    expect(solrPaging.plan('GET', '/solr/p/select?q=*:*&cursorMark=*&rows=10', null, 30)).toEqual({ rewrite: false, why: 'cursor' });
    expect(solrPaging.plan('GET', '/solr/p/select?q=milk&group=true&group.field=brand', null, 30)).toEqual({ rewrite: false, why: 'collapse' });
    expect(solrPaging.plan('GET', '/solr/p/select?q=milk&fq=%7B!collapse%20field%3Dbrand%7D', null, 30)).toEqual({ rewrite: false, why: 'collapse' });
    expect(solrPaging.plan('POST', '/solr/p/query', json({ query: 'milk', limit: 10 }), 30)).toEqual({ rewrite: false, why: 'unknown-paging' });
  });
});

describe('Algolia paging', () => {
  it('a params string (v4): page × hitsPerPage rewritten inside it; the answer says page, hitsPerPage, nbPages and params as asked', () => {
    const plan = rewrite(algoliaPaging.plan('POST', '/1/indexes/products/query', json({ params: 'query=milk&hitsPerPage=12&page=2' }), 100));
    expect(plan.slice).toEqual({ from: 24, size: 12 });
    expect(bodyOf(plan)).toEqual({ params: 'query=milk&hitsPerPage=100&page=0' });
    expect(plan.answerPaging({ nbHits: 50, params: 'query=milk&hitsPerPage=100&page=0' })).toEqual([
      { path: ['page'], value: 2 },
      { path: ['hitsPerPage'], value: 12 },
      { path: ['nbPages'], value: 5 },
      { path: ['params'], value: 'query=milk&hitsPerPage=12&page=2' },
    ]);
  });
  it('members of the body (v5) and offset/length', () => {
    const plan = rewrite(algoliaPaging.plan('POST', '/1/indexes/products/query', json({ query: 'milk', hitsPerPage: 20, page: 1 }), 100));
    expect(plan.slice).toEqual({ from: 20, size: 20 });
    expect(bodyOf(plan)).toEqual({ query: 'milk', hitsPerPage: 100, page: 0 });
    const byOffset = rewrite(algoliaPaging.plan('POST', '/1/indexes/products/query', json({ query: 'milk', offset: 5, length: 10 }), 100));
    expect(byOffset.slice).toEqual({ from: 5, size: 10 });
    expect(bodyOf(byOffset)).toEqual({ query: 'milk', offset: 0, length: 100 });
    expect(byOffset.answerPaging({})).toEqual([
      { path: ['offset'], value: 5 },
      { path: ['length'], value: 10 },
    ]);
  });
  it('offset without length, and pages past the window, stay untouched', () => {
    expect(algoliaPaging.plan('POST', '/1/indexes/p/query', json({ query: 'milk', offset: 5 }), 100)).toEqual({ rewrite: false, why: 'unknown-paging' });
    expect(algoliaPaging.plan('POST', '/1/indexes/p/query', json({ params: 'page=5&hitsPerPage=20' }), 100)).toEqual({ rewrite: false, why: 'past-window' });
    expect(algoliaPaging.plan('POST', '/1/indexes/p/query', json({ params: 'hitsPerPage=0&facets=brand' }), 100)).toEqual({ rewrite: false, why: 'no-hits' });
  });
});

describe('Meilisearch paging', () => {
  it('offset/limit in the body; the answer says the offset and limit asked for', () => {
    const plan = rewrite(meilisearchPaging.plan('POST', '/indexes/products/search', json({ q: 'milk', offset: 20, limit: 20 }), 60));
    expect(plan.slice).toEqual({ from: 20, size: 20 });
    expect(bodyOf(plan)).toEqual({ q: 'milk', offset: 0, limit: 60 });
    expect(plan.answerPaging({})).toEqual([
      { path: ['offset'], value: 20 },
      { path: ['limit'], value: 20 },
    ]);
  });
  it('page/hitsPerPage (numbered from 1): totalPages by the page size asked for; query string on GET', () => {
    const plan = rewrite(meilisearchPaging.plan('POST', '/indexes/products/search', json({ q: 'milk', page: 2, hitsPerPage: 10 }), 60));
    expect(plan.slice).toEqual({ from: 10, size: 10 });
    expect(bodyOf(plan)).toEqual({ q: 'milk', page: 1, hitsPerPage: 60 });
    expect(plan.answerPaging({ totalHits: 45 })).toEqual([
      { path: ['page'], value: 2 },
      { path: ['hitsPerPage'], value: 10 },
      { path: ['totalPages'], value: 5 },
    ]);
    const get = rewrite(meilisearchPaging.plan('GET', '/indexes/products/search?q=milk&limit=5&offset=5', null, 60));
    expect(get.path).toBe('/indexes/products/search?q=milk&limit=60&offset=0');
  });
});

describe('Typesense paging', () => {
  it('page/per_page in the query string; the answer says the page and per_page asked for', () => {
    const plan = rewrite(typesensePaging.plan('GET', '/collections/products/documents/search?q=milk&query_by=name&page=3&per_page=5', null, 50));
    expect(plan.slice).toEqual({ from: 10, size: 5 });
    expect(plan.path).toBe('/collections/products/documents/search?q=milk&query_by=name&page=1&per_page=50');
    expect(plan.answerPaging({})).toEqual([
      { path: ['page'], value: 3 },
      { path: ['request_params', 'per_page'], value: 5 },
    ]);
  });
  it('group_by and per_page 0 stay untouched', () => {
    expect(typesensePaging.plan('GET', '/collections/p/documents/search?q=milk&group_by=brand', null, 50)).toEqual({ rewrite: false, why: 'collapse' });
    expect(typesensePaging.plan('GET', '/collections/p/documents/search?q=milk&per_page=0', null, 50)).toEqual({ rewrite: false, why: 'no-hits' });
  });
});

describe('setMembers: paging fields set in the answer’s own bytes', () => {
  it('replaces existing members (nested too), leaves absent ones out, keeps every other byte', () => {
    const raw = Buffer.from('{"hits":[{"id":"a","v":1784450293372829696}], "page" : 0,"request_params":{"per_page":100},"n":{"page":9}}');
    const out = setMembers(raw, [
      { path: ['page'], value: 2 },
      { path: ['request_params', 'per_page'], value: 12 },
      { path: ['missing'], value: 1 },
    ]);
    expect(out!.toString()).toBe('{"hits":[{"id":"a","v":1784450293372829696}], "page" : 2,"request_params":{"per_page":12},"n":{"page":9}}');
  });
  it('a key on the path given twice: null (the bytes hold both)', () => {
    expect(setMembers(Buffer.from('{"page":1,"page":2}'), [{ path: ['page'], value: 3 }])).toBeNull();
  });
});

describe('rerankWindow in the config', () => {
  it('is refused on a generic route (its paging is the store’s own API), naming the key', () => {
    const yaml = 'routes:\n  - path: /api/search\n    adapter: generic\n    rerankWindow: 100\n    generic: { hitsPath: items }\n';
    expect(() => parseConfig(yaml, 'window.yaml', {})).toThrow(/routes\.0\.rerankWindow/);
    expect(parseConfig(yaml.replace('generic\n', 'elasticsearch\n').replace('    generic: { hitsPath: items }\n', ''), 'window.yaml', {}).routes[0]!.rerankWindow).toBe(100);
  });
});
