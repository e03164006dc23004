import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ParsedHits, SearchAdapter, SpliceEdit } from '../../src/adapters/adapter.js';
import { elasticsearchAdapter } from '../../src/adapters/elasticsearch-adapter.js';
import { createGenericAdapter } from '../../src/adapters/generic-adapter.js';
import { locateList } from '../../src/adapters/json-bytes.js';
import { compilePath } from '../../src/adapters/json-path.js';
import { solrAdapter } from '../../src/adapters/solr-adapter.js';
import { typesenseAdapter } from '../../src/adapters/typesense-adapter.js';
import { configSchema } from '../../src/config/schema.js';
import { personalizeBody } from '../../src/proxy/personalize-body.js';
import type { ShopperRecord } from '../../src/personalization/types.js';

// ParsedHits.splice builds the response from the backend's bytes. What it must give is what
// reorder + mark + inject + JSON.stringify give (the reference), with the hits' own bytes.

function reference(adapter: SearchAdapter, text: string, edit: SpliceEdit): string {
  const parsed = adapter.parse(JSON.parse(text))!;
  parsed.reorder([...edit.order]);
  if (edit.marker) for (const index of edit.marked) parsed.mark(index, edit.marker, true);
  parsed.inject(edit.sectionKey, edit.section);
  return JSON.stringify(parsed.document());
}

function spliced(adapter: SearchAdapter, text: string, edit: SpliceEdit): string | null {
  const parsed: ParsedHits = adapter.parse(JSON.parse(text))!;
  return parsed.splice(Buffer.from(text), edit)?.toString('utf8') ?? null;
}

const edit = (order: number[], more: Partial<SpliceEdit> = {}): SpliceEdit => ({ order, marked: [], marker: undefined, sectionKey: '_personalization', section: { enabled: true, usual: [{ id: 'a' }] }, ...more });

const hit = fc.dictionary(fc.string().filter((k) => k !== '__proto__' && k !== 'boosted'), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });
const pageWithEdit = fc.array(fc.oneof({ weight: 6, arbitrary: hit }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }), { maxLength: 20 }).chain((hits) =>
  fc.tuple(
    fc.constant(hits),
    fc.shuffledSubarray(hits.map((_, i) => i)).chain((picked) => fc.shuffledSubarray(picked, { minLength: picked.length })),
    fc.subarray(hits.map((_, i) => i)),
    fc.dictionary(fc.string().filter((k) => k !== '__proto__' && k !== 'hits' && k !== '_personalization'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  ),
);

describe('splice: the same document as the serializer, from the backend bytes', () => {
  it('compact JSON in: byte for byte what JSON.stringify of the edited document gives', () => {
    const adapter = createGenericAdapter({ hitsPath: 'data.items', idPath: 'id' });
    fc.assert(
      fc.property(pageWithEdit, ([hits, order, marked, envelope]) => {
        const text = JSON.stringify({ ...envelope, data: { before: 1, items: hits, after: [']', '}'] } });
        const e = edit(order, { marked, marker: 'boosted' });
        expect(spliced(adapter, text, e)).toBe(reference(adapter, text, e));
      }),
      { numRuns: 300 },
    );
  });

  it('pretty-printed JSON in: the same value, and every hit keeps its own bytes', () => {
    fc.assert(
      fc.property(pageWithEdit, ([hits, order, , envelope]) => {
        const wrapped = hits.map((source, i) => ({ _id: `h${i}`, _score: 1.0, _source: source }));
        const text = JSON.stringify({ ...envelope, took: 3, hits: { total: { value: hits.length }, hits: wrapped } }, null, 2);
        const e = edit(order);
        const out = spliced(elasticsearchAdapter, text, e);
        expect(out).not.toBeNull();
        expect(JSON.stringify(JSON.parse(out!))).toBe(reference(elasticsearchAdapter, text, e));
        for (const index of order) expect(out).toContain(JSON.stringify(wrapped[index], null, 2).replace(/\n/g, '\n      '));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps numbers, escapes and odd whitespace exactly as the backend wrote them', () => {
    const text = ' {\t"took" : 5 ,"hits":{ "hits" : [ {"_id":"a","_score":1.0,"n":578730123365187705,"s":"\\u00e9\\"]}"} ,\r\n{"_id":"b","_score":2.50e1,"s":"é"}]}} ';
    const out = spliced(elasticsearchAdapter, text, edit([1, 0]))!;
    expect(out).toBe(' {\t"took" : 5 ,"hits":{ "hits" : [{"_id":"b","_score":2.50e1,"s":"é"},{"_id":"a","_score":1.0,"n":578730123365187705,"s":"\\u00e9\\"]}"}]},"_personalization":{"enabled":true,"usual":[{"id":"a"}]}} ');
  });

  it('marks moved hits before their closing brace, an empty hit too, and leaves non-objects alone', () => {
    const adapter = createGenericAdapter({ hitsPath: 'items', idPath: 'id' });
    const text = '{"items":[{"id":"a"},{},null,"x",{ }]}';
    const e = edit([4, 3, 2, 1, 0], { marked: [0, 1, 2, 3, 4], marker: 'boosted' });
    expect(spliced(adapter, text, e)).toBe('{"items":[{"boosted":true},"x",null,{"boosted":true},{"id":"a","boosted":true}],"_personalization":{"enabled":true,"usual":[{"id":"a"}]}}');
    expect(JSON.parse(spliced(adapter, text, e)!)).toEqual(JSON.parse(reference(adapter, text, e)));
  });

  it('a bare array gets its hits reordered and no section', () => {
    const adapter = createGenericAdapter({ hitsPath: '', idPath: 'id' });
    expect(spliced(adapter, '[{"id":1},{"id":2},{"id":3}]', edit([2, 0]))).toBe('[{"id":3},{"id":1}]');
    expect(spliced(adapter, '[]', edit([]))).toBe('[]');
  });

  it('follows numeric path segments into arrays and escaped keys', () => {
    const adapter = createGenericAdapter({ hitsPath: 'results.1.we"ird', idPath: 'id' });
    const text = '{"results":[{"we\\"ird":[{"id":"no"}]},{"x":[1,2],"we\\u0022ird":[{"id":"a"},{"id":"b"}]}]}';
    const e = edit([1, 0]);
    const out = spliced(adapter, text, e)!;
    expect(out).toContain('"we\\u0022ird":[{"id":"b"},{"id":"a"}]');
    expect(JSON.stringify(JSON.parse(out))).toBe(reference(adapter, text, e));
  });

  it('leaves to the serializer what splicing cannot say once: a second key, an existing section or marker', () => {
    const twice = '{"hits":{"hits":[{"_id":"x"}]},"hits":{"hits":[{"_id":"a"},{"_id":"b"}]}}';
    expect(spliced(elasticsearchAdapter, twice, edit([1, 0]))).toBeNull();
    const withSection = '{"hits":{"hits":[{"_id":"a"},{"_id":"b"}]},"_personalization":null}';
    expect(spliced(elasticsearchAdapter, withSection, edit([1, 0]))).toBeNull();
    const withMarker = '{"hits":{"hits":[{"_id":"a"},{"_id":"b","boosted":false}]}}';
    expect(spliced(elasticsearchAdapter, withMarker, edit([1, 0], { marked: [1], marker: 'boosted' }))).toBeNull();
    expect(spliced(elasticsearchAdapter, withMarker, edit([1, 0], { marked: [0], marker: 'boosted' }))).not.toBeNull();
  });

  it('refuses an order that names a missing hit or one hit twice, like reorder', () => {
    const text = '{"hits":{"hits":[{"_id":"a"},{"_id":"b"}]}}';
    expect(() => spliced(elasticsearchAdapter, text, edit([0, 0]))).toThrow(RangeError);
    expect(() => spliced(elasticsearchAdapter, text, edit([2]))).toThrow(RangeError);
  });

  it('solr and typesense: the hits arrays at their own paths', () => {
    const solr = '{"responseHeader":{"status":0},"response":{"numFound":2,"docs":[{"id":"a","_version_":1784450293372829696},{"id":"b","_version_":1784450293372829697}]}}';
    expect(spliced(solrAdapter, solr, edit([1, 0]))).toContain('"docs":[{"id":"b","_version_":1784450293372829697},{"id":"a","_version_":1784450293372829696}]');
    const typesense = '{"found":2,"hits":[{"document":{"id":"a"},"text_match":578730123365187705},{"document":{"id":"b"},"text_match":578730089005449337}]}';
    expect(spliced(typesenseAdapter, typesense, edit([1, 0]))).toContain('"hits":[{"document":{"id":"b"},"text_match":578730089005449337},{"document":{"id":"a"},"text_match":578730123365187705}]');
  });
});

describe('locateList', () => {
  const at = (text: string, path: string) => locateList(Buffer.from(text), compilePath(path));

  it('finds each element between brackets and strings that look like structure', () => {
    const text = '{"a":"[{","hits":[ {"s":"}]\\\\"} , [1,[2]] ,"x\\"" ,3 ] }';
    const where = at(text, 'hits')!;
    const slices = where.starts.map((s, i) => text.slice(s, where.ends[i]));
    expect(slices).toEqual(['{"s":"}]\\\\"}', '[1,[2]]', '"x\\""', '3']);
    expect(text[where.open]).toBe('[');
    expect(text[where.close]).toBe(']');
    expect(text[where.rootClose]).toBe('}');
  });

  it('answers null where the path does not lead to an array', () => {
    expect(at('{"hits":{"hits":{}}}', 'hits.hits')).toBeNull();
    expect(at('{"hits":[1]}', 'other')).toBeNull();
    expect(at('[[1],[2]]', '5')).toBeNull();
    expect(at('{"hits":[1]}', '')).toBeNull();
  });
});

describe('personalizeBody with integers beyond 2^53', () => {
  const config = configSchema.parse({}).personalization;
  const record: ShopperRecord = { profile: null, settings: null, session: { recent: [{ type: 'view', id: 'b', at: Date.now() }] } as never };
  const run = (text: string) =>
    personalizeBody({ body: Buffer.from(text), adapter: typesenseAdapter, record, strength: 1, config, sectionKey: '_personalization', explain: false, now: Date.now(), overBudget: () => false });

  it('personalizes, and the digits go out unchanged', () => {
    const outcome = run('{"found":2,"hits":[{"document":{"id":"a"},"text_match":578730123365187705},{"document":{"id":"b"},"text_match":578730089005449337}]}');
    expect(outcome.ok).toBe(true);
    const body = outcome.ok ? outcome.body.toString() : '';
    expect(body).toContain('578730123365187705');
    expect(body).toContain('578730089005449337');
  });

  it('when the document must be re-serialized, sends the backend bytes (reason lossy-number)', () => {
    const outcome = run('{"found":2,"_personalization":1,"hits":[{"document":{"id":"a"},"text_match":578730123365187705}]}');
    expect(outcome).toMatchObject({ ok: false, reason: 'lossy-number' });
  });
});
