import type { AdapterName } from '../../config/schema.js';
import { algoliaQueries } from './algolia-queries.js';
import { elasticsearchMsearch } from './elasticsearch-msearch.js';
import { meilisearchMultiSearch } from './meilisearch-multi-search.js';
import type { MultiQueryFormat, MultiQueryKind } from './multi-query-format.js';
import { pathOf } from './request-values.js';
import { typesenseMultiSearch } from './typesense-multi-search.js';

const MSEARCH = /^(?:\/[^/_][^/]*)?\/_msearch\/?$/;
// algoliasearch writes the `*` as is; a client that encodes it sends %2A.
const ALGOLIA_QUERIES = /^\/1\/indexes\/(?:\*|%2[aA])\/queries\/?$/;

/**
 * Which multi-query endpoint a storefront request is, for a route whose adapter is that engine's;
 * null for single-query searches and anything else (the route's single-query path then applies).
 *
 * @example
 *   multiQueryKind('POST', '/products/_msearch', 'elasticsearch') // 'elasticsearch-msearch'
 *   multiQueryKind('POST', '/1/indexes/*\/queries?x-algolia-agent=...', 'algolia') // 'algolia-queries'
 */
export function multiQueryKind(method: string | undefined, url: string, engine: AdapterName): MultiQueryKind | null {
  if (method !== 'POST') return null;
  const path = pathOf(url);
  switch (engine) {
    case 'elasticsearch':
    case 'opensearch':
      return MSEARCH.test(path) ? 'elasticsearch-msearch' : null;
    case 'algolia':
      return ALGOLIA_QUERIES.test(path) ? 'algolia-queries' : null;
    case 'meilisearch':
      return path === '/multi-search' || path === '/multi-search/' ? 'meilisearch-multi-search' : null;
    case 'typesense':
      return path === '/multi_search' || path === '/multi_search/' ? 'typesense-multi-search' : null;
    default:
      return null;
  }
}

const FORMATS: Record<MultiQueryKind, MultiQueryFormat> = {
  'elasticsearch-msearch': elasticsearchMsearch,
  'algolia-queries': algoliaQueries,
  'meilisearch-multi-search': meilisearchMultiSearch,
  'typesense-multi-search': typesenseMultiSearch,
};

export function multiQueryFormat(kind: MultiQueryKind): MultiQueryFormat {
  return FORMATS[kind];
}
