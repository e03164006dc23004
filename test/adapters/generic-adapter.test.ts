import { describe, expect, it } from 'vitest';
import { createGenericAdapter } from '../../src/adapters/generic-adapter.js';
import { at, fixture } from './fixture.js';

const nested = createGenericAdapter({
  hitsPath: 'data.items',
  idPath: 'product.sku',
  brandPath: 'meta.maker',
  categoryPath: 'meta.aisle',
  tagsPath: 'meta.diet',
  pricePath: 'meta.cost.amount',
  namePath: 'product.label',
});
const bare = createGenericAdapter({ hitsPath: '', idPath: 'id' });

describe('generic adapter, nested paths', () => {
  it('reads every field through its configured path; missing ones stay missing', () => {
    const parsed = nested.parse(fixture('generic-nested'))!;
    expect(parsed.hits).toEqual([
      { index: 0, id: 'PA-1', name: 'Penne 500g', brand: 'Barilla', category: 'pasta', tags: ['vegan'], price: 1.1 },
      { index: 1, id: '99', name: 'Fusilli 500g', brand: 'De Cecco', category: 'pasta', tags: ['vegan'], price: 1.65 },
      { index: 2, id: '', name: 'Pasta Sauce 400g', category: 'sauces', tags: [] },
    ]);
  });

  it('reorders in place, marks the item object, injects at the top; the rest is unchanged', () => {
    const document = fixture('generic-nested') as Record<string, unknown>;
    const pristine = fixture('generic-nested') as Record<string, unknown>;
    const items = at(document, 'data', 'items') as Array<Record<string, unknown>>;
    const before = items.slice();
    const parsed = nested.parse(document)!;
    parsed.reorder([2, 0, 1]);
    parsed.mark(0, 'boosted', true);
    expect(parsed.inject('_personalization', { enabled: true })).toBe(true);

    expect(items).toEqual([before[2], before[0], before[1]]);
    expect(items[1]).toBe(before[0]);
    expect(before[0]!.boosted).toBe(true);
    expect(document._personalization).toEqual({ enabled: true });
    const pristineItems = at(pristine, 'data', 'items') as unknown[];
    expect(items.map(({ boosted: _, ...rest }) => rest)).toEqual([pristineItems[2], pristineItems[0], pristineItems[1]]);
    expect(document.status).toBe('ok');
    expect(at(document, 'data', 'total')).toBe(3);
    expect(at(document, 'data', 'query')).toBe('pasta');
    expect(Object.keys(document)).toEqual(['status', 'data', '_personalization']);
  });

  it('falls back to the common field names for paths it was not given', () => {
    const adapter = createGenericAdapter({ hitsPath: 'results', idPath: 'sku' });
    const parsed = adapter.parse({ results: [{ sku: 's1', brand: 'Oatly', tags: 'vegan', price: '1.99' }] })!;
    expect(parsed.hits).toEqual([{ index: 0, id: 's1', brand: 'Oatly', tags: ['vegan'], price: 1.99 }]);
  });

  it('a configured path is authoritative: nothing there means missing, even if a common name exists', () => {
    const adapter = createGenericAdapter({ hitsPath: 'results', idPath: 'sku', brandPath: 'meta.brand', tagsPath: 'meta.tags' });
    const parsed = adapter.parse({ results: [{ sku: 's1', brand: 'Top-level', tags: ['x'] }] })!;
    expect(parsed.hits).toEqual([{ index: 0, id: 's1', tags: [] }]);
  });

  it('accepts empty results and returns null when the hits are not an array', () => {
    expect(nested.parse({ data: { items: [] } })?.hits).toEqual([]);
    expect(nested.parse({ data: { items: {} } })).toBeNull();
    expect(nested.parse({ data: {} })).toBeNull();
    expect(nested.parse({ foo: 1 })).toBeNull();
    expect(nested.parse(null)).toBeNull();
    expect(nested.parse([])).toBeNull();
  });

  it('throws at creation on a malformed path', () => {
    expect(() => createGenericAdapter({ hitsPath: 'data..items', idPath: 'id' })).toThrow(/data\.\.items/);
  });
});

describe('generic adapter, bare top-level array (json-server)', () => {
  it('reads the hits, numeric ids become strings', () => {
    const parsed = bare.parse(fixture('generic-bare-array'))!;
    expect(parsed.hits).toEqual([
      { index: 0, id: '1', name: 'Bananas x5', brand: 'Fyffes', category: 'fruit', tags: [], price: 0.95 },
      { index: 1, id: '2', name: 'Organic Bananas x5', brand: 'Fyffes', category: 'fruit', tags: ['organic'], price: 1.35 },
      { index: 2, id: '3', name: 'Banana Bread', category: 'bakery', tags: [] },
    ]);
  });

  it('reranks the array itself in place, but has no room to inject the section', () => {
    const document = fixture('generic-bare-array') as unknown[];
    const pristine = fixture('generic-bare-array') as unknown[];
    const parsed = bare.parse(document)!;
    parsed.reorder([1, 2, 0]);
    expect(parsed.document()).toBe(document);
    expect(document).toEqual([pristine[1], pristine[2], pristine[0]]);
    expect(parsed.inject('_personalization', { enabled: true })).toBe(false);
    expect(document).toHaveLength(3);
    expect(Object.keys(document)).toEqual(['0', '1', '2']);
    expect(JSON.stringify(document)).toBe(JSON.stringify([pristine[1], pristine[2], pristine[0]]));
  });

  it('accepts an empty array and rejects an object document', () => {
    expect(bare.parse([])?.hits).toEqual([]);
    expect(bare.parse({ id: 1 })).toBeNull();
  });
});
