import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { elasticsearchAdapter } from '../../src/adapters/elasticsearch-adapter.js';
import { createGenericAdapter } from '../../src/adapters/generic-adapter.js';

// For any page of hits and any order that names some of them once each, reorder puts exactly
// those hit objects, in that order, and touches nothing else.

const page = fc.array(fc.record({ id: fc.string(), brand: fc.option(fc.string(), { nil: undefined }) }), { maxLength: 30 });
const pageAndOrder = page.chain((hits) =>
  fc.tuple(
    fc.constant(hits),
    fc.shuffledSubarray(hits.map((_, i) => i)).chain((picked) => fc.shuffledSubarray(picked, { minLength: picked.length })),
  ),
);

describe('reorder, any order', () => {
  it('elasticsearch: hits.hits holds exactly the named hits; the envelope is unchanged', () => {
    fc.assert(
      fc.property(pageAndOrder, ([items, order]) => {
        const hits = items.map((source, i) => ({ _id: `h${i}`, _score: 1, _source: source }));
        const document = { took: 1, hits: { total: { value: hits.length, relation: 'eq' }, max_score: 1, hits: hits.slice() } };
        const parsed = elasticsearchAdapter.parse(document)!;
        parsed.reorder(order);
        expect(document.hits.hits).toHaveLength(order.length);
        order.forEach((from, to) => expect(document.hits.hits[to]).toBe(hits[from]));
        expect(document.hits.total).toEqual({ value: hits.length, relation: 'eq' });
        expect(document.took).toBe(1);
      }),
      { numRuns: 200 },
    );
  });

  it('bare array: a second reorder still addresses hits by their original index', () => {
    const adapter = createGenericAdapter({ hitsPath: '', idPath: 'id' });
    fc.assert(
      fc.property(pageAndOrder, pageAndOrder, ([items, first], [, second]) => {
        const original = items.slice();
        const parsed = adapter.parse(items)!;
        parsed.reorder(first);
        const valid = second.filter((i) => i < original.length);
        parsed.reorder(valid);
        expect(items).toEqual(valid.map((i) => original[i]));
        valid.forEach((from, to) => expect(items[to]).toBe(original[from]));
      }),
      { numRuns: 200 },
    );
  });
});
