import { compilePath, isJsonObject } from '../json-path.js';
import type { MultiQueryFormat, SubRequest } from './multi-query-format.js';
import { firstCount, jsonObject, queryParams } from './request-values.js';

/**
 * Typesense `POST /multi_search`: `{ searches: [{ collection, q, per_page }] }`, with parameters
 * common to every search in the query string (`?collection=products&query_by=name`); the
 * typesense-instantsearch-adapter sends the body as text/plain. The response is `{ results:
 * [{ found, hits, request_params: { collection_name, per_page }, ... }, { code: 404, error }] }`
 * in request order. With `union: true` it is one merged result (`hits`, `union_request_params`).
 */
export const typesenseMultiSearch: MultiQueryFormat = {
  kind: 'typesense-multi-search',
  listPath: compilePath('results'),
  mergesLists: true,
  sectionPlace: 'member',
  readRequest(body, url) {
    const document = jsonObject(body);
    if (!document || !Array.isArray(document.searches)) return null;
    const common = queryParams(url);
    const commonCollection = common.get('collection') ?? undefined;
    const commonPageSize = firstCount(common.get('per_page'), common.get('limit'));
    const queries: SubRequest[] = document.searches.map((search: unknown) => {
      if (!isJsonObject(search)) return { indexes: commonCollection ? [commonCollection] : undefined, pageSize: commonPageSize };
      const collection = typeof search.collection === 'string' ? search.collection : commonCollection;
      return { indexes: collection ? [collection] : undefined, pageSize: firstCount(search.per_page, search.limit) ?? commonPageSize };
    });
    return { queries, mergedPageSize: firstCount(document.per_page, document.limit) };
  },
  label(subResult) {
    const params = isJsonObject(subResult.request_params) ? subResult.request_params : undefined;
    const code = subResult.code;
    return {
      index: typeof params?.collection_name === 'string' ? params.collection_name : undefined,
      pageSize: firstCount(params?.per_page),
      error: Object.hasOwn(subResult, 'error') || (typeof code === 'number' && code !== 200),
    };
  },
};
