import type { AdapterName, EngineName, RouteConfig } from './schema.js';

// The search paths each engine's own clients call, single-query and multi-query, so a store can
// say `engine: meilisearch` instead of listing them. Paths use the route matcher's patterns
// (`:name` one segment; `*` as a whole segment is one segment too, so Algolia's literal
// `/1/indexes/*/queries` matches).

export const ENGINE_ROUTE_PATHS: Readonly<Record<EngineName, readonly string[]>> = {
  elasticsearch: ['/:index/_search', '/_msearch', '/:index/_msearch'],
  opensearch: ['/:index/_search', '/_msearch', '/:index/_msearch'],
  algolia: ['/1/indexes/:index/query', '/1/indexes/*/queries'],
  meilisearch: ['/indexes/:index/search', '/multi-search'],
  typesense: ['/collections/:collection/documents/search', '/multi_search'],
  solr: ['/solr/:core/select', '/solr/:core/query'],
};

/** A route as written in a config file, before the schema fills in its defaults. */
export interface RouteDraft {
  path: string;
  adapter: AdapterName;
}

/**
 * The store's routes first (matched first), then each of the engine's standard routes whose path
 * the store did not configure itself. `complete` fills in the route defaults (the schema's).
 */
export function withEngineRoutes(routes: readonly RouteConfig[], engine: EngineName, complete: (draft: RouteDraft) => RouteConfig): RouteConfig[] {
  const configured = new Set(routes.map((r) => r.path));
  const added = ENGINE_ROUTE_PATHS[engine].filter((path) => !configured.has(path)).map((path) => complete({ path, adapter: engine }));
  return [...routes, ...added];
}
