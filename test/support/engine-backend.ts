// The search engines' own endpoints over the demo catalog, single and multi-query, answered as
// each engine's documentation shows, for the storefront client libraries and the multi-query
// tests (used by fixture-backend.ts). Every answer is deterministic (constant `took`), so a test
// can compare sidecart's bytes with the backend's.
//   Elasticsearch/OpenSearch  POST /:index/_search (client media type), POST /_msearch, /:index/_msearch
//                             (the text found in nested bool queries too, as Searchkit builds them)
//   Algolia                   POST /1/indexes/:index/query, POST /1/indexes/*/queries
//   Meilisearch               POST /indexes/:index/search, POST /multi-search (federation: one merged list)
//   Typesense                 GET /collections/:c/documents/search, POST /multi_search (union: one merged list)
//   Solr                      GET /solr/:core/select (x-fixture-content-type, e.g. text/plain as Solr 7/8's default)
// Paging as each engine pages (from/size, start/rows, page/hitsPerPage, offset/limit, page/per_page);
// x-fixture-engine sends a plain /:index/_search here too; x-fixture-pad-bytes pads the answer.
// An index or collection named `missing` answers that engine's error.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { searchCatalog } from '../../src/demo/demo-search-backend.js';
import type { DemoProduct } from '../../src/demo/demo-catalog.js';

type Json = Record<string, unknown>;

const ES_MEDIA = 'application/vnd.elasticsearch+json';

/** x-fixture-pad-bytes on the request adds that many bytes of padding to the answer (a large body). */
let padBytes = 0;

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): true {
  const text = JSON.stringify(padBytes > 0 ? { ...(body as Json), padding: 'x'.repeat(padBytes) } : body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
  return true;
}

function parseJson(raw: Buffer): Json | null {
  if (raw.length === 0) return {};
  try {
    const value: unknown = JSON.parse(raw.toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : null;
  } catch {
    return null;
  }
}

const num = (value: unknown, fallback: number): number => {
  const n = typeof value === 'string' && value !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : fallback;
};
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Every product matching the text, in the backend's order (for totals and facets). */
function matching(text: string): DemoProduct[] {
  return searchCatalog(text, 100_000).hits.map((h) => h.product);
}

/** Value counts of a product field over the matching products, largest first, ties by value. */
function counts(products: DemoProduct[], field: string): Array<[string, number]> {
  const tally = new Map<string, number>();
  for (const product of products) {
    const raw = (product as unknown as Json)[field];
    for (const value of Array.isArray(raw) ? raw : [raw]) if (typeof value === 'string') tally.set(value, (tally.get(value) ?? 0) + 1);
  }
  return [...tally].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

// ---------------------------------------------------------------- Elasticsearch / OpenSearch

/** The search text of a query: its first match/multi_match/query_string, however deep in `bool` (Searchkit nests them). */
function esText(body: Json): string {
  return queryText(body.query) ?? '';
}

function queryText(node: unknown): string | undefined {
  if (!node || typeof node !== 'object') return undefined;
  if (Array.isArray(node)) {
    for (const item of node) {
      const text = queryText(item);
      if (text !== undefined) return text;
    }
    return undefined;
  }
  const query = node as Json;
  const match = query.match as Json | undefined;
  if (match) {
    const value = Object.values(match)[0];
    return typeof value === 'string' ? value : str((value as Json | undefined)?.query);
  }
  const text = (query.multi_match ?? query.query_string ?? query.simple_query_string) as Json | undefined;
  if (text) return str(text.query);
  const bool = query.bool as Json | undefined;
  return bool ? queryText([bool.must, bool.should, bool.filter]) : undefined;
}

function esSearch(index: string, body: Json, url: URL): Json {
  if (index === 'missing') return { error: { root_cause: [{ type: 'index_not_found_exception', reason: 'no such index [missing]', index: 'missing' }], type: 'index_not_found_exception', reason: 'no such index [missing]', index: 'missing' }, status: 404 };
  const text = url.searchParams.get('q') ?? esText(body);
  const size = num(url.searchParams.get('size') ?? body.size, 10);
  const from = num(url.searchParams.get('from') ?? body.from, 0);
  const all = matching(text);
  const { hits } = searchCatalog(text, size, from);
  const out: Json = {
    took: 3,
    timed_out: false,
    _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
    hits: {
      total: { value: all.length, relation: 'eq' },
      max_score: hits[0] ? Math.round(hits[0].score * 1000) / 1000 : null,
      hits: hits.map(({ product, score }) => ({ _index: index, _id: product.id, _score: Math.round(score * 1000) / 1000, _source: product })),
    },
  };
  const aggs = (body.aggs ?? body.aggregations) as Json | undefined;
  if (aggs) {
    const aggregations: Json = {};
    for (const [name, agg] of Object.entries(aggs)) {
      const field = str(((agg as Json).terms as Json | undefined)?.field).replace(/\.keyword$/, '');
      aggregations[name] = { doc_count_error_upper_bound: 0, sum_other_doc_count: 0, buckets: counts(all, field).map(([key, doc_count]) => ({ key, doc_count })) };
    }
    out.aggregations = aggregations;
  }
  return out;
}

/** The client's vendor media type in, the same out, with the product header ES clients check. */
function esHeaders(req: IncomingMessage): Record<string, string> {
  const accept = String(req.headers.accept ?? '') + String(req.headers['content-type'] ?? '');
  const compat = /compatible-with=(\d+)/.exec(accept)?.[1];
  return { 'content-type': accept.includes(ES_MEDIA) ? `${ES_MEDIA};compatible-with=${compat ?? '8'}` : 'application/json; charset=UTF-8', 'x-elastic-product': 'Elasticsearch' };
}

function esMsearch(req: IncomingMessage, res: ServerResponse, url: URL, raw: Buffer, pathIndex: string | undefined): true {
  const lines = raw.toString('utf8').split('\n').filter((line) => line.trim() !== '');
  const responses: Json[] = [];
  for (let k = 0; k + 1 < lines.length; k += 2) {
    const header = JSON.parse(lines[k]!) as Json;
    const body = JSON.parse(lines[k + 1]!) as Json;
    const index = Array.isArray(header.index) ? String(header.index[0]) : str(header.index) || pathIndex || '_all';
    const answer = esSearch(index, body, new URL('http://x/'));
    responses.push(answer.error ? answer : { ...answer, status: 200 });
  }
  return reply(res, 200, { took: 5, responses }, esHeaders(req));
}

// ---------------------------------------------------------------- Algolia

function algoliaParams(request: Json): Json {
  const params = request.params;
  const out: Json = { ...request };
  if (typeof params === 'string') for (const [key, value] of new URLSearchParams(params)) out[key] = value;
  else if (params && typeof params === 'object') Object.assign(out, params);
  return out;
}

function algoliaSearch(index: string, request: Json): Json {
  if (index === 'missing') return { message: 'Index missing does not exist', status: 404 };
  const p = algoliaParams(request);
  const text = str(p.query);
  const all = matching(text);
  const hitsPerPage = num(p.hitsPerPage, 20);
  const page = num(p.page, 0);
  const offset = p.offset !== undefined ? num(p.offset, 0) : page * hitsPerPage;
  const length = p.length !== undefined ? num(p.length, hitsPerPage) : hitsPerPage;
  const hits = all.slice(offset, offset + length).map(({ id, ...rest }) => ({ objectID: id, ...rest, _highlightResult: {} }));
  const out: Json = { hits, nbHits: all.length, page, nbPages: hitsPerPage > 0 ? Math.ceil(all.length / hitsPerPage) : 0, hitsPerPage, exhaustiveNbHits: true, query: text, params: `query=${encodeURIComponent(text)}&hitsPerPage=${hitsPerPage}`, index, processingTimeMS: 1 };
  if (p.offset !== undefined || p.length !== undefined) Object.assign(out, { offset, length });
  // A params string carries the list as JSON; a single facet may come as its bare name (instantsearch's helper does).
  const facets = typeof p.facets === 'string' ? (p.facets.startsWith('[') ? (JSON.parse(p.facets) as unknown) : [p.facets]) : p.facets;
  if (Array.isArray(facets)) {
    const byFacet: Json = {};
    for (const facet of facets as string[]) byFacet[facet] = Object.fromEntries(counts(all, facet));
    out.facets = byFacet;
  }
  return out;
}

// ---------------------------------------------------------------- Meilisearch

function meiliSearch(index: string, query: Json): Json {
  const text = str(query.q);
  const all = matching(text);
  const paged = query.page !== undefined || query.hitsPerPage !== undefined;
  const out: Json = {};
  if (paged) {
    const hitsPerPage = num(query.hitsPerPage, 20);
    const page = num(query.page, 1);
    Object.assign(out, { hits: all.slice((page - 1) * hitsPerPage, page * hitsPerPage), query: text, processingTimeMs: 1, hitsPerPage, page, totalPages: hitsPerPage > 0 ? Math.ceil(all.length / hitsPerPage) : 0, totalHits: all.length });
  } else {
    const limit = num(query.limit, 20);
    const offset = num(query.offset, 0);
    Object.assign(out, { hits: all.slice(offset, offset + limit), query: text, processingTimeMs: 1, limit, offset, estimatedTotalHits: all.length });
  }
  if (Array.isArray(query.facets)) out.facetDistribution = Object.fromEntries((query.facets as string[]).map((facet) => [facet, Object.fromEntries(counts(all, facet))]));
  return { indexUid: index, ...out };
}

function meiliMultiSearch(res: ServerResponse, body: Json): true {
  const queries = (body.queries ?? []) as Json[];
  if (queries.some((q) => q.indexUid === 'missing')) return reply(res, 404, { message: 'Inside `.queries[0]`: Index `missing` not found.', code: 'index_not_found', type: 'invalid_request', link: 'https://docs.meilisearch.com/errors#index_not_found' });
  const federation = body.federation as Json | undefined;
  if (!federation) return reply(res, 200, { results: queries.map((q) => meiliSearch(str(q.indexUid), q)) });
  // Federated: one merged list, each hit saying which index and query it came from.
  const merged = queries.flatMap((q, position) => (meiliSearch(str(q.indexUid), { q: q.q, limit: 1000 }).hits as DemoProduct[]).map((hit) => ({ ...hit, _federation: { indexUid: q.indexUid, queriesPosition: position } })));
  const limit = num(federation.limit, 20);
  const offset = num(federation.offset, 0);
  return reply(res, 200, { hits: merged.slice(offset, offset + limit), processingTimeMs: 1, limit, offset, estimatedTotalHits: merged.length });
}

// ---------------------------------------------------------------- Typesense

function typesenseSearch(collection: string, params: Json): Json {
  if (collection === 'missing') return { code: 404, error: 'Not found.' };
  const text = str(params.q) === '*' ? '' : str(params.q);
  const all = matching(text);
  const perPage = num(params.per_page ?? params.limit, 10);
  const page = num(params.page, 1);
  const offset = params.offset !== undefined ? num(params.offset, 0) : (page - 1) * perPage;
  const out: Json = {
    facet_counts: str(params.facet_by)
      .split(',')
      .filter(Boolean)
      .map((field) => ({ field_name: field, sampled: false, counts: counts(all, field).map(([value, count]) => ({ count, highlighted: value, value })), stats: { total_values: counts(all, field).length } })),
    found: all.length,
    hits: all.slice(offset, offset + perPage).map((document, i) => ({ document, highlights: [], text_match: 578730123365187 - i, text_match_info: { best_field_score: '1108091339008', score: String(578730123365187 - i) } })),
    out_of: 470,
    page,
    request_params: { collection_name: collection, first_q: text, per_page: perPage, q: str(params.q) },
    search_cutoff: false,
    search_time_ms: 1,
  };
  return out;
}

function typesenseMultiSearch(res: ServerResponse, url: URL, body: Json): true {
  const common = Object.fromEntries(url.searchParams);
  const searches = ((body.searches ?? []) as Json[]).map((s) => ({ ...common, ...s }));
  if (body.union !== true) return reply(res, 200, { results: searches.map((s) => typesenseSearch(str(s.collection), s)) });
  const hits = searches.flatMap((s, position) => ((typesenseSearch(str(s.collection), { ...s, per_page: 250, page: 1 }).hits ?? []) as Json[]).map((hit) => ({ ...hit, collection: s.collection, search_index: position })));
  const perPage = num(body.per_page, 10);
  const page = num(body.page, 1);
  return reply(res, 200, { found: hits.length, hits: hits.slice((page - 1) * perPage, page * perPage), out_of: 470, page, search_time_ms: 1, union_request_params: searches.map((s) => ({ collection: s.collection, per_page: perPage, q: s.q })) });
}

// ---------------------------------------------------------------- Solr

function solrSelect(req: IncomingMessage, res: ServerResponse, url: URL): true {
  const p = url.searchParams;
  const q = p.get('q') ?? '*:*';
  const text = q === '*:*' ? '' : q.replace(/^\w+:/, '');
  const all = matching(text);
  const rows = num(p.get('rows'), 10);
  const start = num(p.get('start'), 0);
  const out: Json = { responseHeader: { status: 0, QTime: 2, params: Object.fromEntries(p) }, response: { numFound: all.length, start, numFoundExact: true, docs: all.slice(start, start + rows) } };
  const facetFields = p.getAll('facet.field');
  if (p.get('facet') === 'true' && facetFields.length > 0) out.facet_counts = { facet_queries: {}, facet_fields: Object.fromEntries(facetFields.map((f) => [f, counts(all, f).flat()])) };
  const type = String(req.headers['x-fixture-content-type'] ?? 'application/json;charset=utf-8');
  return reply(res, 200, out, { 'content-type': type });
}

/** Answers an engine endpoint; false when the request is none of them (the caller goes on). */
export function handleEngineSearch(req: IncomingMessage, res: ServerResponse, url: URL, raw: Buffer): boolean {
  const path = url.pathname;
  const json = () => parseJson(raw) ?? {};
  let m: RegExpExecArray | null;
  if (req.method === 'POST' && (m = /^(?:\/([^/_][^/]*))?\/_msearch\/?$/.exec(path))) return esMsearch(req, res, url, raw, m[1] ? decodeURIComponent(m[1]) : undefined);
  padBytes = Number(req.headers['x-fixture-pad-bytes'] ?? 0);
  // The demo backend answers other /:index/_search requests (it knows no `from`); x-fixture-engine asks for this one.
  const esVendor = String(req.headers.accept ?? '').includes(ES_MEDIA) || String(req.headers['content-type'] ?? '').includes(ES_MEDIA) || req.headers['x-fixture-engine'] !== undefined;
  if (esVendor && (m = /^\/([^/_][^/]*)\/_search\/?$/.exec(path))) {
    const answer = esSearch(decodeURIComponent(m[1]!), json(), url);
    return reply(res, answer.error ? 404 : 200, answer, esHeaders(req));
  }
  if (req.method === 'POST' && /^\/1\/indexes\/(?:\*|%2[aA])\/queries$/.test(path)) {
    const requests = (json().requests ?? []) as Json[];
    return reply(res, 200, { results: requests.map((r) => algoliaSearch(str(r.indexName), r)) });
  }
  if (req.method === 'POST' && (m = /^\/1\/indexes\/([^/]+)\/query$/.exec(path))) {
    const answer = algoliaSearch(decodeURIComponent(m[1]!), json());
    return reply(res, answer.status === 404 ? 404 : 200, answer);
  }
  if (req.method === 'POST' && (m = /^\/indexes\/([^/]+)\/search$/.exec(path))) return reply(res, 200, meiliSearch(decodeURIComponent(m[1]!), json()));
  if (req.method === 'POST' && path === '/multi-search') return meiliMultiSearch(res, json());
  if ((m = /^\/collections\/([^/]+)\/documents\/search$/.exec(path))) {
    const answer = typesenseSearch(decodeURIComponent(m[1]!), Object.fromEntries(url.searchParams));
    return reply(res, answer.code === 404 ? 404 : 200, answer);
  }
  if (req.method === 'POST' && path === '/multi_search') return typesenseMultiSearch(res, url, json());
  if ((m = /^\/solr\/([^/]+)\/select$/.exec(path))) return solrSelect(req, res, url);
  return false;
}
