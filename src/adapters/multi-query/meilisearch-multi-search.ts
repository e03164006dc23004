import { compilePath, isJsonObject } from '../json-path.js';
import type { MultiQueryFormat, SubRequest } from './multi-query-format.js';
import { count, firstCount, jsonObject } from './request-values.js';

/**
 * Meilisearch `POST /multi-search`: `{ queries: [{ indexUid, q, limit | hitsPerPage }] }`,
 * answered by `{ results: [{ indexUid, hits, limit, offset, estimatedTotalHits, ... }] }`. With
 * `federation` in the request the answer is one merged list instead: `{ hits: [{ ...,
 * _federation: { indexUid } }], limit, offset, estimatedTotalHits }`.
 */
export const meilisearchMultiSearch: MultiQueryFormat = {
  kind: 'meilisearch-multi-search',
  listPath: compilePath('results'),
  mergesLists: true,
  sectionPlace: 'member',
  readRequest(body) {
    const document = jsonObject(body);
    if (!document || !Array.isArray(document.queries)) return null;
    const queries: SubRequest[] = document.queries.map((query: unknown) =>
      isJsonObject(query)
        ? { indexes: typeof query.indexUid === 'string' ? [query.indexUid] : undefined, pageSize: firstCount(query.hitsPerPage, query.limit) }
        : { indexes: undefined, pageSize: undefined },
    );
    const federation = isJsonObject(document.federation) ? document.federation : undefined;
    return { queries, mergedPageSize: count(federation?.limit) };
  },
  label(subResult) {
    return {
      index: typeof subResult.indexUid === 'string' ? subResult.indexUid : undefined,
      pageSize: firstCount(subResult.hitsPerPage, subResult.limit),
      error: !Array.isArray(subResult.hits) && Object.hasOwn(subResult, 'message') && Object.hasOwn(subResult, 'code'),
    };
  },
};
