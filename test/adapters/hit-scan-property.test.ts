import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SearchAdapter, SpliceEdit } from '../../src/adapters/adapter.js';
import { algoliaAdapter } from '../../src/adapters/algolia-adapter.js';
import { createAdapter } from '../../src/adapters/create-adapter.js';
import { elasticsearchAdapter, opensearchAdapter } from '../../src/adapters/elasticsearch-adapter.js';
import { scanPage, scanPlanOf } from '../../src/adapters/hit-scan-plan.js';
import { meilisearchAdapter } from '../../src/adapters/meilisearch-adapter.js';
import { solrAdapter } from '../../src/adapters/solr-adapter.js';
import { typesenseAdapter } from '../../src/adapters/typesense-adapter.js';
import type { GenericPaths, RouteConfig } from '../../src/config/schema.js';
import { personalizeBody } from '../../src/proxy/personalize-body.js';
import type { ShopperRecord } from '../../src/personalization/types.js';
import { config, day, profileFrom, purchase, event } from '../personalization/fixtures.js';

// The byte scan (hit-scan.ts, hit-scan-plan.ts) against the reference (JSON.parse → adapter →
// splice), on random documents of every adapter's shape written with random spacing, escapes,
// repeated keys and long integers, and on broken copies of them. The scan either gives exactly
// the reference's hits and bytes, or says "cannot" (null). Seeded by test/support/fast-check-seed.ts.

// A document as text pieces, so the generator controls what JSON.stringify would not write:
// number spellings, escapes in keys and strings, repeated keys, whitespace.
type Node = { obj: [string, Node][] } | { arr: Node[] } | { raw: string };

const ws = fc.constantFrom('', '', '', ' ', '\n  ', '\t', '\r\n');
function write(node: Node, space: string[]): string {
  let k = 0;
  const s = () => space[k++ % space.length]!;
  const go = (n: Node): string => {
    if ('raw' in n) return n.raw;
    if ('arr' in n) return `[${s()}${n.arr.map((x) => `${go(x)}${s()}`).join(`,${s()}`)}]`;
    return `{${s()}${n.obj.map(([key, v]) => `${key}${s()}:${s()}${go(v)}${s()}`).join(`,${s()}`)}}`;
  };
  return go(node);
}

const quoted = (text: string) => JSON.stringify(text);
// Keys: the fields ranking reads (some escaped), id fields, markers, and anything else.
const FIELD_KEYS = ['brand', 'brand_name', 'category', 'categories', 'department', 'tags', 'dietary', 'labels', 'price', 'name', 'title', 'product_name'];
const keyText = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...FIELD_KEYS, 'id', 'objectID', 'sku', 'boosted').map(quoted) },
  { weight: 1, arbitrary: fc.constantFrom('"br\\u0061nd"', '"t\\u0061gs"', '"\\u0069d"', '"pr\\u0069ce"') },
  { weight: 2, arbitrary: fc.string({ maxLength: 6 }).map(quoted) },
);
const numberText = fc.oneof(
  fc.constantFrom('0', '-0', '2.49', '1e3', '-1.5E-2', '12345678901234567890', '9007199254740993', '9007199254740991', '3', '42', '0.1'),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.integer().map(String),
);
const stringText = fc.oneof(
  fc.constantFrom('', 'Oatly', 'dairy', 'Vegan', 'organic', '2.49', ' 3 ', 'é', '"\\u00e9\\n"', 'a\\"b').map((t) => (t.startsWith('"') ? t : quoted(t))),
  fc.string({ maxLength: 8, unit: 'binary' }).map(quoted),
);
const scalar: fc.Arbitrary<Node> = fc.oneof(
  { weight: 4, arbitrary: stringText.map((raw) => ({ raw })) },
  { weight: 3, arbitrary: numberText.map((raw) => ({ raw })) },
  { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null').map((raw) => ({ raw })) },
);
const { value } = fc.letrec<{ value: Node }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: scalar },
    { weight: 2, arbitrary: fc.array(tie('value'), { maxLength: 4 }).map((arr) => ({ arr })) },
    { weight: 1, arbitrary: fc.array(fc.tuple(keyText, tie('value')), { maxLength: 4 }).map((obj) => ({ obj })) },
  ),
}));
const fields = fc.array(fc.tuple(keyText, value), { maxLength: 8 });
const obj = (members: [string, Node][]): Node => ({ obj: members });
const shuffled = <T>(items: T[]) => fc.shuffledSubarray(items, { minLength: items.length });

interface Shape {
  name: string;
  adapter: SearchAdapter;
  /** A document with these hits. */
  document(hits: Node[], extra: [string, Node][]): Node;
  /** One hit. */
  hit: fc.Arbitrary<Node>;
}

const flatHit = fields.map(obj);
const oddHit: fc.Arbitrary<Node> = fc.oneof({ weight: 12, arbitrary: flatHit }, { weight: 1, arbitrary: scalar }, { weight: 1, arbitrary: fc.constant<Node>({ obj: [] }) });
const esHit = fc
  .tuple(value, fields, fc.array(fc.tuple(keyText, fc.array(scalar, { maxLength: 2 }).map((arr) => ({ arr }) as Node)), { maxLength: 4 }), fields, fc.boolean(), fc.boolean())
  .chain(([id, source, fieldsMember, extra, withSource, withFields]) =>
    shuffled<[string, Node]>([['"_id"', id], ...(withSource ? [['"_source"', obj(source)] as [string, Node]] : []), ...(withFields ? [['"fields"', obj(fieldsMember)] as [string, Node]] : []), ...extra.slice(0, 2)]),
  )
  .map(obj);
const typesenseHit = fc
  .tuple(fields, fc.boolean(), numberText)
  .map(([doc, withDocument, match]): Node => obj([...(withDocument ? [['"document"', obj(doc)] as [string, Node]] : [['"document"', { raw: '"x"' }] as [string, Node]]), ['"text_match"', { raw: match }]]));

const esDocument = (hits: Node[], extra: [string, Node][]): Node => obj([['"took"', { raw: '3' }], ...extra, ['"hits"', obj([['"total"', obj([['"value"', { raw: String(hits.length) }]])], ['"hits"', { arr: hits }]])]]);
const generic = (paths: GenericPaths) => createAdapter({ path: '/x', adapter: 'generic', generic: paths } as RouteConfig);

const SHAPES: Shape[] = [
  { name: 'elasticsearch', adapter: elasticsearchAdapter, hit: fc.oneof({ weight: 10, arbitrary: esHit }, { weight: 1, arbitrary: scalar }), document: esDocument },
  { name: 'opensearch', adapter: opensearchAdapter, hit: esHit, document: esDocument },
  { name: 'solr', adapter: solrAdapter, hit: oddHit, document: (hits, extra) => obj([['"responseHeader"', obj([['"status"', { raw: '0' }]])], ...extra, ['"response"', obj([['"numFound"', { raw: '9' }], ['"docs"', { arr: hits }]])]]) },
  { name: 'algolia', adapter: algoliaAdapter, hit: oddHit, document: (hits, extra) => obj([['"hits"', { arr: hits }], ...extra, ['"nbHits"', { raw: '9' }]]) },
  { name: 'meilisearch', adapter: meilisearchAdapter, hit: oddHit, document: (hits, extra) => obj([...extra, ['"hits"', { arr: hits }]]) },
  { name: 'typesense', adapter: typesenseAdapter, hit: fc.oneof({ weight: 8, arbitrary: typesenseHit }, { weight: 1, arbitrary: flatHit }), document: (hits, extra) => obj([['"found"', { raw: '2' }], ['"hits"', { arr: hits }], ...extra]) },
  { name: 'generic data.items', adapter: generic({ hitsPath: 'data.items', idPath: 'sku' }), hit: oddHit, document: (hits, extra) => obj([['"data"', obj([...extra, ['"items"', { arr: hits }]])]]) },
  {
    name: 'generic nested paths',
    adapter: generic({ hitsPath: 'results.1.items', idPath: 'product.sku', brandPath: 'product.brand', tagsPath: 'labels', pricePath: 'offer.0.price', namePath: 'title' }),
    hit: fc.tuple(fields, fields, fields).map(([top, product, offer]) => obj([...top, ['"product"', obj(product)], ['"offer"', { arr: [obj(offer)] }]])),
    document: (hits, extra) => obj([['"results"', { arr: [obj(extra), obj([['"items"', { arr: hits }]])] }]]),
  },
  { name: 'generic bare array', adapter: generic({ hitsPath: '', idPath: 'id' }), hit: oddHit, document: (hits) => ({ arr: hits }) },
];

const extraMembers = fc.array(fc.tuple(fc.oneof(keyText, fc.constantFrom('"_personalization"', '"hits"', '"response"')), value), { maxLength: 3 });
const page = (shape: Shape) => fc.tuple(fc.array(shape.hit, { maxLength: 12 }), extraMembers, fc.array(ws, { minLength: 1, maxLength: 5 })).map(([hits, extra, space]) => write(shape.document(hits, extra), space));

/** What personalizeBody's reference path reads: the bytes decoded as UTF-8, then JSON.parse. */
function reference(adapter: SearchAdapter, text: string) {
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(text).toString('utf8'));
  } catch {
    return null;
  }
  return adapter.parse(document);
}

const edits = (count: number) =>
  fc.tuple(shuffled(Array.from({ length: count }, (_, i) => i)), fc.subarray(Array.from({ length: count }, (_, i) => i)), fc.constantFrom(undefined, 'boosted')).map(
    ([order, marked, marker]): SpliceEdit => ({ order, marked, marker, sectionKey: '_personalization', section: { enabled: true, usual: [{ id: 'a', name: 'é"' }] } }),
  );

describe('hit scan: what the reference path gives, or "cannot"', () => {
  for (const shape of SHAPES) {
    it(`${shape.name}: valid documents give the adapter's hits and the splice's bytes`, () => {
      const plan = scanPlanOf(shape.adapter)!;
      expect(plan).not.toBeNull();
      let scanned = 0;
      fc.assert(
        fc.property(
          page(shape).chain((text) => fc.tuple(fc.constant(text), edits(30))),
          ([text, anyEdit]) => {
            const bytes = Buffer.from(text);
            const fast = scanPage(plan, bytes, '_personalization');
            const parsed = reference(shape.adapter, text);
            if (!fast) return;
            scanned++;
            expect(parsed).not.toBeNull();
            expect(fast.hits).toStrictEqual(parsed!.hits);
            const count = fast.hits.length;
            const edit = { ...anyEdit, order: anyEdit.order.filter((i) => i < count), marked: anyEdit.marked.filter((i) => i < count) };
            const mine = fast.splice(edit);
            const theirs = parsed!.splice(bytes, edit);
            if (mine !== null) expect(mine.toString('latin1')).toBe(theirs?.toString('latin1'));
          },
        ),
        { numRuns: 400 },
      );
      // The generator must mostly make pages the scan can read, or the test proves little.
      expect(scanned).toBeGreaterThan(80);
    });

    it(`${shape.name}: a broken copy the reference rejects is never read`, () => {
      const plan = scanPlanOf(shape.adapter)!;
      const breakage = fc.tuple(fc.nat(), fc.constantFrom('delete', 'insert', 'truncate', 'bom'), fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', 'x', '0', '\u0001', '-', '.', 'e', 't'));
      fc.assert(
        fc.property(page(shape), breakage, (text, [at, how, char]) => {
          const p = text.length === 0 ? 0 : at % text.length;
          const broken = how === 'delete' ? text.slice(0, p) + text.slice(p + 1) : how === 'insert' ? text.slice(0, p) + char + text.slice(p) : how === 'truncate' ? text.slice(0, p) : `\ufeff${text}`;
          const fast = scanPage(plan, Buffer.from(broken), '_personalization');
          const parsed = reference(shape.adapter, broken);
          if (parsed === null) expect(fast).toBeNull();
          else if (fast) expect(fast.hits).toStrictEqual(parsed.hits);
        }),
        { numRuns: 400 },
      );
    });
  }

  it('cannot: a key twice on the path or among the keys read, a long integer read, an existing section', () => {
    const plan = scanPlanOf(elasticsearchAdapter)!;
    const read = (text: string) => scanPage(plan, Buffer.from(text), '_personalization');
    expect(read('{"hits":{"hits":[{"_id":"a"}]}}')).not.toBeNull();
    expect(read('{"hits":{"hits":[{"_id":"a"}]},"hits":{"hits":[]}}')).toBeNull();
    expect(read('{"hits":{"hits":[{"_id":"a","_id":"b"}]}}')).toBeNull();
    expect(read('{"hits":{"hits":[{"_id":"a","_source":{"brand":"x","br\\u0061nd":"y"}}]}}')).toBeNull();
    expect(read('{"hits":{"hits":[{"_id":12345678901234567890}]}}')).toBeNull();
    expect(read('{"hits":{"hits":[{"_id":"a","_score":12345678901234567890}]}}')).not.toBeNull();
    expect(read('{"hits":{"hits":[{"_id":"a"}]},"_personalization":1}')).toBeNull();
    expect(read('{"hits":{"hits":{"_id":"a"}}}')).toBeNull();
    expect(read('{"hits":{"hits":[{"_id":"a"}]}')).toBeNull();
    expect(read('{"hits":{"hits":[{"_id":"a\u0001"}]}}')).toBeNull();
  });
});

describe('personalizeBody: the scan path and the reference path answer the same bytes', () => {
  const cfg = config({ features: { smart_ranking: true, usual: true, reorder: true, dietary: true, quantity_memory: true, household: true, complementary: true, price_sensitivity: true, seasonal: true } });
  const now = day(120);
  const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
  const profile = profileFrom(
    [
      purchase(day(1), { id: 'a', quantity: 2, brand: 'Oatly', category: 'dairy', tags: ['vegan'], price: 2.49 }, { id: 'c', quantity: 1, category: 'bakery', price: 1.2 }),
      purchase(day(30), { id: 'a', quantity: 2, brand: 'Oatly', category: 'dairy', tags: ['vegan'], price: 2.49 }, { id: 'd', quantity: 1, category: 'dairy', price: 3 }),
      purchase(day(60), { id: 'a', quantity: 2, brand: 'Oatly', category: 'dairy', tags: ['vegan'], price: 2.49 }, { id: 'c', quantity: 1, category: 'bakery', price: 1.4 }),
      event('view', day(100), 'e'),
    ],
    now,
    cfg,
  );
  const record: ShopperRecord = { profile, settings: null, session: { recent: [{ type: 'view', id: 'f', at: now }] } as never };
  const productHit = fc
    .record({ id: fc.constantFrom(...ids), brand: fc.constantFrom('Oatly', 'Alpro', undefined), category: fc.constantFrom('dairy', 'bakery', undefined), tags: fc.subarray(['vegan', 'organic', 'Gluten Free', 'dairy']), price: fc.constantFrom(1.2, 2.49, 3, 0.99, undefined), name: fc.constantFrom('Oat drink 6 x 1 l', 'Bread 500 g', undefined) })
    .map((p) => JSON.stringify(Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined))));

  for (const [name, adapter, wrap] of [
    ['elasticsearch', elasticsearchAdapter, (hits: string[]) => `{"took":1,"hits":{"hits":[${hits.map((h, i) => `{"_id":${JSON.stringify(JSON.parse(h).id)},"_score":${i + 0.5},"_source":${h}}`).join(',')}]}}`],
    ['typesense', typesenseAdapter, (hits: string[]) => `{"found":9,"hits":[${hits.map((h) => `{"document":${h},"text_match":578730123365187705}`).join(',')}]}`],
    ['solr', solrAdapter, (hits: string[]) => `{"response":{"docs":[${hits.join(',')}]}}`],
  ] as const) {
    it(`${name}: byte-equal bodies, orders and sections`, () => {
      // A copy of the adapter without a scan plan takes the reference path.
      const referenceAdapter: SearchAdapter = { name: adapter.name, parse: (d) => adapter.parse(d) };
      fc.assert(
        fc.property(fc.array(productHit, { minLength: 1, maxLength: 24 }), fc.boolean(), fc.constantFrom('', 'boosted'), (hits, explain, markerField) => {
          const body = Buffer.from(wrap(hits));
          const input = { body, record, strength: 0.7, config: { ...cfg, markerField }, sectionKey: '_personalization', explain, now, overBudget: () => false };
          const fast = personalizeBody({ ...input, adapter });
          const slow = personalizeBody({ ...input, adapter: referenceAdapter });
          expect(fast.ok).toBe(true);
          expect(slow.ok).toBe(true);
          if (!fast.ok || !slow.ok) return;
          expect(fast.result.order).toEqual(slow.result.order);
          expect(JSON.stringify(fast.result.section)).toBe(JSON.stringify(slow.result.section));
          expect(Buffer.from(fast.body).equals(Buffer.from(slow.body))).toBe(true);
        }),
        { numRuns: 150 },
      );
    });
  }
});
