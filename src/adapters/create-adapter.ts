import type { AdapterName, RouteConfig } from '../config/schema.js';
import type { SearchAdapter } from './adapter.js';
import { algoliaAdapter } from './algolia-adapter.js';
import { elasticsearchAdapter, opensearchAdapter } from './elasticsearch-adapter.js';
import { createGenericAdapter } from './generic-adapter.js';
import { genericScanPlan, registerScanPlan } from './hit-scan-plan.js';
import { meilisearchAdapter } from './meilisearch-adapter.js';
import { solrAdapter } from './solr-adapter.js';
import { typesenseAdapter } from './typesense-adapter.js';

const BUILT_IN: Record<Exclude<AdapterName, 'generic'>, SearchAdapter> = {
  elasticsearch: elasticsearchAdapter,
  opensearch: opensearchAdapter,
  solr: solrAdapter,
  algolia: algoliaAdapter,
  meilisearch: meilisearchAdapter,
  typesense: typesenseAdapter,
};

/**
 * The adapter for a search route, built once at start (or config reload), never per request.
 * Built-in adapters are stateless singletons; the generic one compiles the route's paths.
 * Throws when a generic route has no paths or a malformed one, so a bad config stops the start.
 *
 * @example
 *   const adapter = createAdapter({ path: '/products/_search', adapter: 'elasticsearch', ... });
 *   const parsed = adapter.parse(JSON.parse(body)); // null: reason=adapter-mismatch
 */
export function createAdapter(route: RouteConfig): SearchAdapter {
  if (route.adapter === 'generic') {
    if (!route.generic) throw new Error(`route ${route.path}: the generic adapter needs its paths`);
    // The byte scan reads the same configured paths (hit-scan-plan.ts).
    return registerScanPlan(createGenericAdapter(route.generic), genericScanPlan(route.generic));
  }
  return BUILT_IN[route.adapter];
}
