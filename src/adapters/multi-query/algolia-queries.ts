import { compilePath, isJsonObject } from '../json-path.js';
import type { MultiQueryFormat, SubRequest } from './multi-query-format.js';
import { count, jsonObject } from './request-values.js';

/**
 * Algolia `POST /1/indexes/*\/queries`: `{ requests: [{ indexName, params }] }`, where algoliasearch
 * v4 sends `params` as a query string (`query=milk&hitsPerPage=0`) and v5 puts the same
 * parameters on the request object; a v5 `type: "facet"` request searches facet values and
 * answers `facetHits`, not hits. The response is `{ results: [{ hits, nbHits, hitsPerPage, index,
 * ... }] }`, each result naming its `index`. The section goes into the result's `userData`.
 */
export const algoliaQueries: MultiQueryFormat = {
  kind: 'algolia-queries',
  listPath: compilePath('results'),
  mergesLists: false,
  sectionPlace: 'userData',
  readRequest(body) {
    const document = jsonObject(body);
    if (!document || !Array.isArray(document.requests)) return null;
    const queries: SubRequest[] = document.requests.map((request: unknown) => {
      if (!isJsonObject(request)) return { indexes: undefined, pageSize: undefined };
      const indexes = typeof request.indexName === 'string' ? [request.indexName] : undefined;
      if (request.type === 'facet') return { indexes, pageSize: 0 };
      const params = typeof request.params === 'string' ? new URLSearchParams(request.params) : null;
      const fromParams = isJsonObject(request.params) ? request.params.hitsPerPage : params?.get('hitsPerPage');
      return { indexes, pageSize: count(request.hitsPerPage) ?? count(fromParams) };
    });
    return { queries, mergedPageSize: undefined };
  },
  label(subResult) {
    return {
      index: typeof subResult.index === 'string' ? subResult.index : undefined,
      pageSize: count(subResult.hitsPerPage),
      error: !Array.isArray(subResult.hits) && (Object.hasOwn(subResult, 'message') || Object.hasOwn(subResult, 'error')),
    };
  },
};
