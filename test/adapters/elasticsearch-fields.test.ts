import { describe, expect, it } from 'vitest';
import { elasticsearchAdapter } from '../../src/adapters/elasticsearch-adapter.js';

// An Elasticsearch hit can carry both `_source` (possibly filtered) and `fields` (arrays): each
// ranking field is read from `_source` first and from `fields` where `_source` lacks it.
describe('elasticsearch adapter: _source and fields', () => {
  const parse = (hit: Record<string, unknown>) => elasticsearchAdapter.parse({ hits: { hits: [hit] } })!.hits[0]!;

  it('a brand only in fields is kept when _source is partial', () => {
    const view = parse({ _id: 'p1', _source: { name: 'Oat milk', price: 2.5 }, fields: { brand: ['Oatly'], tags: ['vegan'] } });
    expect(view).toMatchObject({ id: 'p1', name: 'Oat milk', brand: 'Oatly', price: 2.5, tags: ['vegan'] });
  });

  it('_source wins where both have a field', () => {
    const view = parse({ _id: 'p2', _source: { brand: 'Source brand', tags: ['organic'] }, fields: { brand: ['Fields brand'], tags: ['vegan'], category: ['dairy'] } });
    expect(view).toMatchObject({ brand: 'Source brand', tags: ['organic'], category: 'dairy' });
  });

  it('fields alone (with _source off) still describe the hit', () => {
    expect(parse({ _id: 'p3', fields: { brand: ['Arla'], price: [1.25] } })).toMatchObject({ brand: 'Arla', price: 1.25 });
  });
});
