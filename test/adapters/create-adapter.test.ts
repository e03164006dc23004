import { describe, expect, it } from 'vitest';
import { createAdapter } from '../../src/adapters/create-adapter.js';
import { ADAPTER_NAMES, configSchema, type RouteConfig } from '../../src/config/schema.js';

function route(adapter: RouteConfig['adapter'], extra: Partial<RouteConfig> = {}): RouteConfig {
  return { path: '/search', adapter, budgetMs: 50, strength: 0.5, shadow: false, ...extra };
}

describe('createAdapter', () => {
  it.each(ADAPTER_NAMES.filter((n) => n !== 'generic'))('builds the %s adapter', (name) => {
    const adapter = createAdapter(route(name));
    expect(adapter.name).toBe(name);
    expect(adapter.parse({ foo: 1 })).toBeNull();
  });

  it('builds a generic adapter from the route paths of a validated config', () => {
    const config = configSchema.parse({
      routes: [{ path: '/api/products', adapter: 'generic', generic: { hitsPath: 'data', idPath: 'sku' } }],
    });
    const adapter = createAdapter(config.routes[0]!);
    expect(adapter.name).toBe('generic');
    expect(adapter.parse({ data: [{ sku: 'x' }] })?.hits.map((h) => h.id)).toEqual(['x']);
  });

  it('refuses a generic route without paths', () => {
    expect(() => createAdapter(route('generic'))).toThrow(/generic adapter needs its paths/);
  });

  it('reuses the built-in adapters (no per-route state)', () => {
    expect(createAdapter(route('solr'))).toBe(createAdapter(route('solr', { path: '/other' })));
  });
});

describe('generic paths in config', () => {
  it('a path with an empty segment fails validation, naming the key', () => {
    const result = configSchema.safeParse({
      routes: [{ path: '/api', adapter: 'generic', generic: { hitsPath: 'data..items' } }],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['routes', 0, 'generic', 'hitsPath']);
  });
});
