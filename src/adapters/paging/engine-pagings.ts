import type { AdapterName } from '../../config/schema.js';
import { isJsonObject } from '../json-path.js';
import { hasParam, queryValue, queryValues, splitQuery, withParams, type QueryString } from './query-string.js';
import { pagingCount, sliceFits, type EnginePaging, type MemberEdit, type NoWindow, type Slice, type WindowPlan } from './window-plan.js';

// Each engine's paging parameters, and where its answer states its page. Paging a request does
// not name is the engine's default (Elasticsearch from 0 size 10, Solr start 0 rows 10, Algolia
// page 0 hitsPerPage 20, Meilisearch offset 0 limit 20, Typesense page 1 per_page 10).

type Json = Record<string, unknown>;

const no = (why: NoWindow): WindowPlan => ({ rewrite: false, why });

/** The request body as a JSON object: null without one, 'bad' when it is not one. */
function bodyObject(body: Buffer | null): Json | null | 'bad' {
  if (!body || body.toString('utf8').trim() === '') return null;
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return isJsonObject(value) ? value : 'bad';
  } catch {
    return 'bad';
  }
}

/** A paging value from the query string or the body, never both (which one wins differs by engine); NaN when both or not a count. */
function oneOf(query: QueryString, doc: Json | null, name: string): number | undefined {
  const fromQuery = queryValue(query, name);
  const inBody = doc !== null && Object.hasOwn(doc, name);
  if (fromQuery === null || (fromQuery !== undefined && inBody)) return Number.NaN;
  return pagingCount(fromQuery ?? (inBody ? doc[name] : undefined));
}

const ceilDiv = (total: unknown, size: number) => (typeof total === 'number' && size > 0 ? Math.ceil(total / size) : undefined);

/**
 * Puts the window's paging where the storefront's was: the query string when it came from
 * there (or from nowhere, for a bodiless request), else the JSON body.
 */
function rewritten(query: QueryString, doc: Json | null, set: Record<string, number>, remove: readonly string[], inBody: boolean): { path: string; body: Buffer | null } {
  if (!inBody || !doc) return { path: withParams(query, set, remove), body: null };
  const out: Json = { ...doc, ...set };
  for (const name of remove) delete out[name];
  return { path: withParams(query, {}), body: Buffer.from(JSON.stringify(out)) };
}

function planned(slice: Slice, window: number, target: { path: string; body: Buffer | null }, answerPaging: (answer: unknown) => MemberEdit[]): WindowPlan {
  const why = sliceFits(slice, window);
  return why ? no(why) : { rewrite: true, slice, ...target, answerPaging };
}

/** Elasticsearch and OpenSearch `_search`: `from`/`size` in the query string or the body; the answer has no paging fields. */
export const elasticsearchPaging: EnginePaging = {
  plan(_method, url, body, window) {
    const query = splitQuery(url);
    const doc = bodyObject(body);
    if (doc === 'bad') return no('unknown-paging');
    if (hasParam(query, 'scroll') || hasParam(query, 'search_after') || (doc && ['search_after', 'pit', 'scroll'].some((k) => Object.hasOwn(doc, k)))) return no('cursor');
    if (doc && Object.hasOwn(doc, 'collapse')) return no('collapse');
    const from = oneOf(query, doc, 'from') ?? 0;
    const size = oneOf(query, doc, 'size') ?? 10;
    const inBody = doc !== null && (Object.hasOwn(doc, 'from') || Object.hasOwn(doc, 'size'));
    return planned({ from, size }, window, rewritten(query, doc, { from: 0, size: window }, [], inBody), () => []);
  },
};

/** Solr `select`: `start`/`rows` in the query string; the answer's `response.start` and echoed params. */
export const solrPaging: EnginePaging = {
  plan(_method, url, body, window) {
    const query = splitQuery(url);
    // A body carries parameters (form or JSON request API) that it does not read.
    if (body && body.length > 0) return no('unknown-paging');
    if (hasParam(query, 'cursorMark')) return no('cursor');
    if (queryValue(query, 'group') === 'true' || queryValues(query, 'fq').some((fq) => fq.includes('{!collapse'))) return no('collapse');
    const from = oneOf(query, null, 'start') ?? 0;
    const size = oneOf(query, null, 'rows') ?? 10;
    return planned({ from, size }, window, { path: withParams(query, { start: 0, rows: window }), body: null }, () => [
      { path: ['response', 'start'], value: from },
      { path: ['responseHeader', 'params', 'start'], value: String(from) },
      { path: ['responseHeader', 'params', 'rows'], value: String(size) },
    ]);
  },
};

/** Algolia `query`: `page` × `hitsPerPage` or `offset`/`length`, in a `params` string or as members of the body. */
export const algoliaPaging: EnginePaging = {
  plan(_method, url, body, window) {
    const query = splitQuery(url);
    const doc = bodyObject(body);
    if (doc === 'bad') return no('unknown-paging');
    const paramsText = doc && typeof doc.params === 'string' ? doc.params : undefined;
    const params = paramsText !== undefined ? splitQuery(`?${paramsText}`) : null;
    // Parameters are in the params string, the body's members or the query string (GET).
    const read = (name: string): number | undefined => {
      if (params) return oneOf(params, null, name);
      return oneOf(query, doc, name);
    };
    const has = (name: string) => (params ? hasParam(params, name) : hasParam(query, name) || (doc !== null && Object.hasOwn(doc, name)));
    if (has('cursor')) return no('cursor');
    const byOffset = has('offset') || has('length');
    if (byOffset && !(has('offset') && has('length'))) return no('unknown-paging');
    const hitsPerPage = read('hitsPerPage') ?? 20;
    const page = read('page') ?? 0;
    const slice: Slice = byOffset ? { from: read('offset')!, size: read('length')! } : { from: page * hitsPerPage, size: hitsPerPage };
    const set: Record<string, number> = byOffset ? { offset: 0, length: window } : { page: 0, hitsPerPage: window };
    let target: { path: string; body: Buffer | null };
    if (params && doc) target = { path: url, body: Buffer.from(JSON.stringify({ ...doc, params: withParams(params, set).slice(1) })) };
    else target = rewritten(query, doc, set, [], doc !== null);
    const asked: Record<string, number> = byOffset ? { offset: slice.from, length: slice.size } : { page, hitsPerPage };
    return planned(slice, window, target, (answer) => {
      const edits: MemberEdit[] = Object.entries(asked).map(([name, value]) => ({ path: [name], value }));
      if (!byOffset) {
        // Algolia pages no further than its first 1,000 hits (paginationLimitedTo).
        const pages = isJsonObject(answer) && typeof answer.nbHits === 'number' ? ceilDiv(Math.min(answer.nbHits, 1000), hitsPerPage) : undefined;
        if (pages !== undefined) edits.push({ path: ['nbPages'], value: pages });
      }
      if (isJsonObject(answer) && typeof answer.params === 'string') edits.push({ path: ['params'], value: withParams(splitQuery(`?${answer.params}`), asked).slice(1) });
      return edits;
    });
  },
};

/** Meilisearch `search`: `offset`/`limit`, or `page`/`hitsPerPage` (numbered pages, from 1). */
export const meilisearchPaging: EnginePaging = {
  plan(_method, url, body, window) {
    const query = splitQuery(url);
    const doc = bodyObject(body);
    if (doc === 'bad') return no('unknown-paging');
    const has = (name: string) => hasParam(query, name) || (doc !== null && Object.hasOwn(doc, name));
    const numbered = has('page') || has('hitsPerPage');
    const inBody = doc !== null;
    if (numbered) {
      const page = oneOf(query, doc, 'page') ?? 1;
      const hitsPerPage = oneOf(query, doc, 'hitsPerPage') ?? 20;
      if (page < 1) return no('unknown-paging');
      return planned({ from: (page - 1) * hitsPerPage, size: hitsPerPage }, window, rewritten(query, doc, { page: 1, hitsPerPage: window }, ['offset', 'limit'], inBody), (answer) => {
        const edits: MemberEdit[] = [
          { path: ['page'], value: page },
          { path: ['hitsPerPage'], value: hitsPerPage },
        ];
        const pages = isJsonObject(answer) ? ceilDiv(answer.totalHits, hitsPerPage) : undefined;
        if (pages !== undefined) edits.push({ path: ['totalPages'], value: pages });
        return edits;
      });
    }
    const offset = oneOf(query, doc, 'offset') ?? 0;
    const limit = oneOf(query, doc, 'limit') ?? 20;
    return planned({ from: offset, size: limit }, window, rewritten(query, doc, { offset: 0, limit: window }, [], inBody), () => [
      { path: ['offset'], value: offset },
      { path: ['limit'], value: limit },
    ]);
  },
};

/** Typesense `documents/search`: `page` (from 1) × `per_page`, or `offset`/`limit`, in the query string. */
export const typesensePaging: EnginePaging = {
  plan(_method, url, body, window) {
    const query = splitQuery(url);
    if (body && body.length > 0) return no('unknown-paging');
    if (hasParam(query, 'group_by')) return no('collapse');
    if (hasParam(query, 'offset') || hasParam(query, 'limit')) {
      const offset = oneOf(query, null, 'offset') ?? 0;
      const limit = oneOf(query, null, 'limit') ?? 10;
      return planned({ from: offset, size: limit }, window, { path: withParams(query, { offset: 0, limit: window }), body: null }, () => [
        { path: ['request_params', 'offset'], value: offset },
        { path: ['request_params', 'limit'], value: limit },
        { path: ['request_params', 'per_page'], value: limit },
      ]);
    }
    const page = oneOf(query, null, 'page') ?? 1;
    const perPage = oneOf(query, null, 'per_page') ?? 10;
    if (page < 1) return no('unknown-paging');
    return planned({ from: (page - 1) * perPage, size: perPage }, window, { path: withParams(query, { page: 1, per_page: window }), body: null }, () => [
      { path: ['page'], value: page },
      { path: ['request_params', 'per_page'], value: perPage },
    ]);
  },
};

const PAGINGS: Partial<Record<AdapterName, EnginePaging>> = {
  elasticsearch: elasticsearchPaging,
  opensearch: elasticsearchPaging,
  solr: solrPaging,
  algolia: algoliaPaging,
  meilisearch: meilisearchPaging,
  typesense: typesensePaging,
};

/** The engine's paging; undefined for the generic adapter (its paging is the store's own API). */
export function pagingFor(adapter: AdapterName): EnginePaging | undefined {
  return PAGINGS[adapter];
}
