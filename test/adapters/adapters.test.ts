import { describe, expect, it } from 'vitest';
import type { HitView, SearchAdapter } from '../../src/adapters/adapter.js';
import { algoliaAdapter } from '../../src/adapters/algolia-adapter.js';
import { elasticsearchAdapter, opensearchAdapter } from '../../src/adapters/elasticsearch-adapter.js';
import { meilisearchAdapter } from '../../src/adapters/meilisearch-adapter.js';
import { solrAdapter } from '../../src/adapters/solr-adapter.js';
import { typesenseAdapter } from '../../src/adapters/typesense-adapter.js';
import { at, fixture } from './fixture.js';

// One table, one realistic response per backend (written from each backend's documentation),
// and the same contract asserted for all: fields read, reorder without touching anything else,
// mark on the right object, inject at the top, empty results, mismatch.

interface BackendCase {
  adapter: SearchAdapter;
  fixture: string;
  empty: string;
  /** Where the hits array lives in the document. */
  hitsKeys: string[];
  /** The id field on the marked object (proves the marker sits next to the id). */
  markedNextTo: string;
  expected: HitView[];
}

const cases: BackendCase[] = [
  {
    adapter: elasticsearchAdapter,
    fixture: 'elasticsearch',
    empty: 'elasticsearch-empty',
    hitsKeys: ['hits', 'hits'],
    markedNextTo: '_id',
    expected: [
      { index: 0, id: 'sku-1001', name: 'Organic Whole Milk 1L', brand: 'Alpenhof', category: 'dairy', tags: ['organic'], price: 1.49 },
      { index: 1, id: 'sku-1002', name: 'Oat Drink Barista 1L', brand: 'Oatly', category: 'dairy-alternatives', tags: ['vegan', 'lactose-free'], price: 2.29 },
      { index: 2, id: 'sku-1003', name: 'Semi-skimmed Milk 2L', brand: 'Dairy Crest', category: 'dairy', tags: ['value'] },
      { index: 3, id: 'sku-1004', name: 'Lactose-free Milk 1L', tags: [] },
      { index: 4, id: 'sku-1005', tags: [] },
    ],
  },
  {
    adapter: opensearchAdapter,
    fixture: 'opensearch',
    empty: 'elasticsearch-empty',
    hitsKeys: ['hits', 'hits'],
    markedNextTo: '_id',
    expected: [
      { index: 0, id: '4711', name: 'Free Range Eggs x6', brand: 'Happy Egg Co', category: 'eggs', tags: [], price: 2.1 },
      { index: 1, id: '4712', name: 'Large Eggs x12', brand: 'Clarence Court', category: 'eggs', tags: ['free-range'], price: 3.85 },
      { index: 2, id: '4713', name: 'Egg Noodles 250g', category: 'pasta-rice-noodles', tags: [], price: 0.95 },
    ],
  },
  {
    adapter: solrAdapter,
    fixture: 'solr',
    empty: 'solr-empty',
    hitsKeys: ['response', 'docs'],
    markedNextTo: 'score',
    expected: [
      { index: 0, id: 'P-100', name: 'Sourdough Loaf 800g', brand: "Gail's", category: 'bakery', tags: ['vegan'], price: 3.5 },
      { index: 1, id: 'P-101', name: 'Wholemeal Bread 800g', brand: 'Hovis', category: 'bakery', tags: [], price: 1.15 },
      { index: 2, id: '', name: 'Bread Flour 1.5kg', brand: "Allinson's", category: 'baking', tags: [] },
      { index: 3, id: '102', name: 'Gluten Free Bread 400g', brand: 'Genius', category: 'free-from', tags: ['gluten-free'], price: 3 },
    ],
  },
  {
    adapter: algoliaAdapter,
    fixture: 'algolia',
    empty: 'algolia-empty',
    hitsKeys: ['hits'],
    markedNextTo: 'objectID',
    expected: [
      { index: 0, id: 'yog-01', name: 'Greek Style Yogurt 500g', brand: 'Fage', category: 'Dairy', tags: [], price: 2.75 },
      { index: 1, id: 'yog-02', name: 'Coconut Yogurt 350g', brand: 'The Coconut Collaborative', category: 'Dairy Alternatives', tags: ['vegan', 'dairy-free'], price: 2.5 },
      { index: 2, id: 'yog-03', name: 'Kids Yogurt Tubes x9', tags: [] },
    ],
  },
  {
    adapter: meilisearchAdapter,
    fixture: 'meilisearch',
    empty: 'meilisearch-empty',
    hitsKeys: ['hits'],
    markedNextTo: 'title',
    expected: [
      { index: 0, id: '25684', name: 'Basmati Rice 1kg', brand: 'Tilda', category: 'rice', tags: ['gluten-free', 'vegan'], price: 3.25 },
      { index: 1, id: '25685', name: 'Brown Rice 1kg', brand: 'Tilda', category: 'rice', tags: [], price: 2.8 },
      { index: 2, id: '25686', name: 'Rice Cakes Salted', brand: 'Kallo', category: 'snacks', tags: [] },
      { index: 3, id: '', name: 'Rice Pudding 400g', tags: [] },
    ],
  },
  {
    adapter: typesenseAdapter,
    fixture: 'typesense',
    empty: 'typesense-empty',
    hitsKeys: ['hits'],
    markedNextTo: 'text_match',
    expected: [
      { index: 0, id: 'cof-1', name: 'Ground Coffee Medium Roast 227g', brand: 'Lavazza', category: 'coffee', tags: ['fairtrade'], price: 4.5 },
      { index: 1, id: 'cof-2', name: 'Instant Coffee 200g', brand: 'Nescafe', category: 'coffee', tags: [], price: 6 },
      { index: 2, id: '', name: 'Coffee Beans 1kg', category: 'coffee', tags: ['whole-bean'] },
    ],
  },
];

/** The document with its hits array swapped for a placeholder: everything reorder must not touch. */
function withoutHits(document: unknown, hitsKeys: string[]): unknown {
  const copy = structuredClone(document) as Record<string, unknown>;
  const parent = at(copy, ...hitsKeys.slice(0, -1)) as Record<string, unknown>;
  parent[hitsKeys.at(-1)!] = '<hits>';
  return copy;
}

describe.each(cases)('$adapter.name adapter ($fixture)', (c) => {
  it('reads id, brand, category, tags, price and name of every hit in backend order', () => {
    const parsed = c.adapter.parse(fixture(c.fixture));
    expect(parsed).not.toBeNull();
    expect(parsed!.hits).toEqual(c.expected);
  });

  it('reorders the hits in place, the same objects, and leaves every other field as it was', () => {
    const document = fixture(c.fixture);
    const pristine = fixture(c.fixture);
    const hits = at(document, ...c.hitsKeys) as unknown[];
    const before = hits.slice();
    const order = c.expected.map((_, i) => i).reverse();
    const parsed = c.adapter.parse(document)!;

    parsed.reorder(order);

    expect(parsed.document()).toBe(document);
    expect(at(document, ...c.hitsKeys)).toBe(hits);
    expect(hits).toHaveLength(before.length);
    const pristineHits = at(pristine, ...c.hitsKeys) as unknown[];
    order.forEach((from, to) => {
      expect(hits[to]).toBe(before[from]);
      expect(hits[to]).toEqual(pristineHits[from]);
    });
    expect(withoutHits(document, c.hitsKeys)).toEqual(withoutHits(pristine, c.hitsKeys));
  });

  it('keeps a subset (hard filter) and leaves the counts as the backend sent them', () => {
    const document = fixture(c.fixture);
    const pristine = fixture(c.fixture);
    const parsed = c.adapter.parse(document)!;
    parsed.reorder([2, 0]);
    const hits = at(document, ...c.hitsKeys) as unknown[];
    const pristineHits = at(pristine, ...c.hitsKeys) as unknown[];
    expect(hits).toEqual([pristineHits[2], pristineHits[0]]);
    expect(withoutHits(document, c.hitsKeys)).toEqual(withoutHits(pristine, c.hitsKeys));
  });

  it.each([
    ['a hit twice', [0, 0]],
    ['a hit that does not exist', [0, 99]],
    ['a negative index', [-1]],
    ['a fractional index', [0.5]],
    ['more entries than hits', [0, 1, 2, 3, 4, 5, 6, 7]],
  ])('refuses an order naming %s and leaves the document untouched', (_, order) => {
    const document = fixture(c.fixture);
    const parsed = c.adapter.parse(document)!;
    expect(() => parsed.reorder(order)).toThrow(RangeError);
    expect(document).toEqual(fixture(c.fixture));
  });

  it('marks the hit at its original index, on the object next to its id, after a reorder', () => {
    const document = fixture(c.fixture);
    const pristine = fixture(c.fixture);
    const hits = at(document, ...c.hitsKeys) as Array<Record<string, unknown>>;
    const target = hits[1]!;
    const parsed = c.adapter.parse(document)!;
    parsed.reorder([1, 0, 2]);
    parsed.mark(1, '_sidecart', 'moved');

    expect(hits[0]).toBe(target);
    expect(target._sidecart).toBe('moved');
    expect(target).toHaveProperty(c.markedNextTo);
    const { _sidecart: _, ...rest } = target;
    expect(rest).toEqual((at(pristine, ...c.hitsKeys) as unknown[])[1]);
    expect(hits.filter((h) => '_sidecart' in h)).toHaveLength(1);
  });

  it('injects the section under its key at the top of the response', () => {
    const document = fixture(c.fixture) as Record<string, unknown>;
    const section = { enabled: true, applied: ['smart_ranking'] };
    const parsed = c.adapter.parse(document)!;
    expect(parsed.inject('_personalization', section)).toBe(true);
    expect(document._personalization).toBe(section);
    const { _personalization: _, ...rest } = document;
    expect(rest).toEqual(fixture(c.fixture));
  });

  it('serializes the edited document as valid JSON with the new order', () => {
    const parsed = c.adapter.parse(fixture(c.fixture))!;
    parsed.reorder(c.expected.map((_, i) => i).reverse());
    parsed.inject('_personalization', { enabled: true });
    const again = c.adapter.parse(JSON.parse(JSON.stringify(parsed.document())))!;
    expect(again.hits.map((h) => h.id)).toEqual(c.expected.map((h) => h.id).reverse());
  });

  it('accepts empty results as a match with no hits', () => {
    const document = fixture(c.empty);
    const parsed = c.adapter.parse(document);
    expect(parsed).not.toBeNull();
    expect(parsed!.hits).toEqual([]);
    parsed!.reorder([]);
    expect(parsed!.inject('_personalization', {})).toBe(true);
    expect(at(document, ...c.hitsKeys)).toEqual([]);
  });

  it.each([
    ['an unrelated object', { foo: 1 }],
    ['null', null],
    ['a string', 'hits'],
    ['a number', 42],
    ['a bare array', [{ id: '1' }]],
    ['hits that are not an array', { hits: { hits: 'x' }, response: { docs: {} } }],
    ['an error body', { error: { root_cause: [], type: 'index_not_found_exception' }, status: 404 }],
  ])('returns null for %s (adapter-mismatch)', (_, document) => {
    expect(c.adapter.parse(document)).toBeNull();
  });
});

describe('hits that are not objects', () => {
  it('keep their place with id "" and no fields, and cannot be marked', () => {
    const document = { hits: { hits: [null, { _id: 'a', _source: { brand: 'B' } }, 'x'] } };
    const parsed = elasticsearchAdapter.parse(document)!;
    expect(parsed.hits).toEqual([
      { index: 0, id: '', tags: [] },
      { index: 1, id: 'a', brand: 'B', tags: [] },
      { index: 2, id: '', tags: [] },
    ]);
    parsed.mark(0, 'm', 1);
    parsed.reorder([1, 2, 0]);
    expect(document.hits.hits).toEqual([{ _id: 'a', _source: { brand: 'B' } }, 'x', null]);
  });

  it('typesense: a response whose hits all lack `document` is another shape', () => {
    expect(typesenseAdapter.parse(fixture('meilisearch'))).toBeNull();
    const mixed = typesenseAdapter.parse({ hits: [{ document: { id: 'a' } }, { text_match: 1 }] });
    expect(mixed?.hits.map((h) => h.id)).toEqual(['a', '']);
  });
});

describe('elasticsearch `fields` instead of `_source`', () => {
  it('reads the first entry of each field array', () => {
    const parsed = elasticsearchAdapter.parse(fixture('elasticsearch-fields'))!;
    expect(parsed.hits).toEqual([
      { index: 0, id: 'sku-2001', brand: 'Hovis', category: 'bakery', tags: ['wholegrain', 'vegan'], price: 1.15 },
      { index: 1, id: 'sku-2002', brand: 'Warburtons', name: 'Toastie White 800g', tags: [] },
    ]);
  });
});

describe('forbidden keys', () => {
  it('never marks or injects under __proto__, constructor or prototype', () => {
    const document = fixture('algolia') as Record<string, unknown>;
    const parsed = algoliaAdapter.parse(document)!;
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      parsed.mark(0, key, { polluted: true });
      expect(parsed.inject(key, { polluted: true })).toBe(false);
    }
    expect(document).toEqual(fixture('algolia'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
