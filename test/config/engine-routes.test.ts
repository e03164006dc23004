import { describe, expect, it } from 'vitest';
import { ENGINE_ROUTE_PATHS } from '../../src/config/engine-routes.js';
import { configSchema, ENGINE_NAMES } from '../../src/config/schema.js';
import { createRouteMatcher } from '../../src/proxy/route-matcher.js';

// `engine:` sets up the paths each engine's clients call; the store's own routes add or override.

const parse = (raw: Record<string, unknown>) => configSchema.parse(raw);

/** Paths the real clients call (LIBRARY-FACTS, "Storefront clients and engines"). */
const CLIENT_PATHS: Record<(typeof ENGINE_NAMES)[number], string[]> = {
  elasticsearch: ['/products/_search', '/_msearch', '/products/_msearch', '/products,offers/_search'],
  opensearch: ['/products/_search', '/_msearch', '/products/_msearch'],
  algolia: ['/1/indexes/products/query', '/1/indexes/*/queries'],
  meilisearch: ['/indexes/products/search', '/multi-search'],
  typesense: ['/collections/products/documents/search', '/multi_search'],
  solr: ['/solr/products/select', '/solr/products/query'],
};

describe('engine routes', () => {
  it('no engine: the routes are exactly the configured ones', () => {
    expect(parse({}).routes).toEqual([]);
    expect(parse({ routes: [{ path: '/x/_search', adapter: 'elasticsearch' }] }).routes.map((r) => r.path)).toEqual(['/x/_search']);
  });

  for (const engine of ENGINE_NAMES) {
    it(`${engine}: every path its clients call matches a route with the ${engine} adapter and the route defaults`, () => {
      const config = parse({ engine });
      expect(config.routes.map((r) => r.path)).toEqual(ENGINE_ROUTE_PATHS[engine]);
      const matcher = createRouteMatcher(config.routes);
      for (const path of CLIENT_PATHS[engine]) {
        const route = matcher.match(path);
        expect(route, path).not.toBeNull();
        expect(route!.adapter).toBe(engine);
        expect(route!.budgetMs).toBe(50);
        expect(route!.strength).toBe(0.5);
      }
      expect(matcher.match('/products/_doc/1')).toBeNull();
      expect(matcher.match('/sidecart/v1/me/sections')).toBeNull();
    });
  }

  it('a configured route with an engine path overrides it; other configured routes are added and matched first', () => {
    const config = parse({
      engine: 'elasticsearch',
      routes: [
        { path: '/_msearch', adapter: 'elasticsearch', budgetMs: 80, indexes: ['products'] },
        { path: '/catalog/_search', adapter: 'generic', generic: { hitsPath: 'items' } },
      ],
    });
    expect(config.routes.map((r) => r.path)).toEqual(['/_msearch', '/catalog/_search', '/:index/_search', '/:index/_msearch']);
    expect(config.routes.filter((r) => r.path === '/_msearch')).toHaveLength(1);
    const matcher = createRouteMatcher(config.routes);
    expect(matcher.match('/_msearch')!.budgetMs).toBe(80);
    expect(matcher.match('/catalog/_search')!.adapter).toBe('generic');
    expect(matcher.match('/products/_search')!.adapter).toBe('elasticsearch');
  });

  it('an unknown engine is refused, naming the key', () => {
    const result = configSchema.safeParse({ engine: 'vespa' });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['engine']);
  });
});
