import type { HitView, ParsedHits, SpliceEdit } from './adapter.js';
import { locateList, type ListBytes } from './json-bytes.js';
import { isForbiddenKey, isJsonObject, type JsonPath } from './json-path.js';
import { writeSectionJson } from './section-json.js';

/**
 * The one ParsedHits implementation every adapter shares: the shapes differ only in where the
 * hits array is and how a hit reads, not in how hits are put back, marked or injected.
 *
 * Everything is edited in place, with no copies of hits: `reorder` rewrites the backend's own
 * hits array (so a bare top-level array stays the same object), and the counts next to it
 * (`hits.total`, `numFound`, `nbHits`, `found`, `estimatedTotalHits`) are left as the backend
 * sent them, also when a hard filter dropped hits: they count matches in the index, not hits
 * on this page, and the storefront's paging must keep working.
 */
export function hitList(document: unknown, list: unknown[], views: HitView[], path: JsonPath): ParsedHits {
  // The backend's order, captured the first time it changes, so that `mark` and a second
  // `reorder` keep addressing hits by their original index.
  let original: unknown[] | undefined;
  const hitAt = (index: number): unknown => (original ?? list)[index];

  return {
    hits: views,
    reorder(order: number[]): void {
      const from = original ?? list;
      checkOrder(order, from.length);
      original = from === list ? list.slice() : from;
      for (let k = 0; k < order.length; k++) list[k] = original[order[k]!];
      list.length = order.length;
    },
    mark(index: number, field: string, value: unknown): void {
      const hit = hitAt(index);
      // A hit that is not an object (null, a bare id) has nowhere to carry a marker.
      if (isJsonObject(hit) && !isForbiddenKey(field)) hit[field] = value;
    },
    inject(key: string, section: unknown): boolean {
      if (!isJsonObject(document) || isForbiddenKey(key)) return false;
      document[key] = section;
      return true;
    },
    document: () => document,
    splice(raw: Buffer, edit: SpliceEdit): Buffer | null {
      if (original) return null; // already reordered in place: the bytes no longer match
      return splicedBytes(raw, document, list, path, edit);
    },
  };
}

/** What the splice needs to know about the parsed document besides the hits' byte positions. */
export interface SpliceShape {
  /** The document is an object (the section can be added to it). */
  rootIsObject: boolean;
  rootHas(key: string): boolean;
  hitIsObject(index: number): boolean;
  hitHas(index: number, key: string): boolean;
  /** The hit is an object with no members (a marker then goes right after its `{`). */
  hitIsEmpty(index: number): boolean;
}

function parsedShape(document: unknown, list: readonly unknown[]): SpliceShape {
  return {
    rootIsObject: isJsonObject(document),
    rootHas: (key) => Object.hasOwn(document as object, key),
    hitIsObject: (index) => isJsonObject(list[index]),
    hitHas: (index, key) => Object.hasOwn(list[index] as object, key),
    hitIsEmpty: (index) => Object.keys(list[index] as object).length === 0,
  };
}

function splicedBytes(raw: Buffer, document: unknown, list: readonly unknown[], path: JsonPath, edit: SpliceEdit): Buffer | null {
  const where = locateList(raw, path);
  if (!where || where.starts.length !== list.length) return null;
  return spliceList(raw, where, parsedShape(document, list), edit);
}

/**
 * The spliced response (see ParsedHits.splice) from the hits' byte positions (`where`) and the
 * document's shape. The section goes last in the document, where `inject` puts a new key; a
 * document that already has the section's key, or a marked hit that already has the marker
 * field, gives null, left to the serializer (a second key would be ambiguous for some parsers).
 */
export function spliceList(raw: Buffer, where: ListBytes, shape: SpliceShape, edit: SpliceEdit): Buffer | null {
  const count = where.starts.length;
  checkOrder(edit.order, count);
  const injecting = shape.rootIsObject && !isForbiddenKey(edit.sectionKey) && edit.section !== undefined;
  if (injecting && shape.rootHas(edit.sectionKey)) return null;
  const marker = edit.marker !== undefined && !isForbiddenKey(edit.marker) ? edit.marker : undefined;
  let marks: Set<number> | undefined;
  if (marker !== undefined && edit.marked.length > 0) {
    marks = new Set();
    for (const index of edit.marked) {
      if (!shape.hitIsObject(index)) continue;
      if (shape.hitHas(index, marker)) return null;
      marks.add(index);
    }
  }
  const markerMember = marker === undefined ? '' : `${JSON.stringify(marker)}:true`;
  const markerBytes = Buffer.byteLength(markerMember);
  const sectionMember = injecting ? `${where.rootHasMembers ? ',' : ''}${JSON.stringify(edit.sectionKey)}:${sectionJson(edit.section)}` : '';
  const sectionBytes = Buffer.byteLength(sectionMember);

  // Lengths first, so the pieces are written once into one buffer.
  const { order } = edit;
  let length = where.open + 1 + (raw.length - where.close) + sectionBytes + Math.max(0, order.length - 1);
  for (let k = 0; k < order.length; k++) {
    const index = order[k]!;
    length += marks?.has(index) ? markedLength(shape.hitIsEmpty(index), where.starts[index]!, where.ends[index]!, markerBytes) : where.ends[index]! - where.starts[index]!;
  }
  const out = Buffer.allocUnsafe(length);
  let at = raw.copy(out, 0, 0, where.open + 1);
  for (let k = 0; k < order.length; k++) {
    if (k > 0) out[at++] = COMMA;
    const index = order[k]!;
    const start = where.starts[index]!;
    const end = where.ends[index]!;
    if (marks?.has(index)) {
      // Before the hit's closing brace, where an assignment to a new key lands in JSON.stringify.
      const upTo = markedCut(shape.hitIsEmpty(index), start, end);
      at += raw.copy(out, at, start, upTo);
      if (upTo !== start + 1) out[at++] = COMMA;
      at += out.write(markerMember, at);
      out[at++] = CLOSE_BRACE;
    } else {
      at += raw.copy(out, at, start, end);
    }
  }
  if (injecting) {
    at += raw.copy(out, at, where.close, where.rootClose);
    at += out.write(sectionMember, at);
    raw.copy(out, at, where.rootClose);
  } else {
    raw.copy(out, at, where.close);
  }
  return out;
}

/** The section's JSON: a pre-serialized section (SerializedSection) as it is, else what JSON.stringify writes (section-json.ts). */
function sectionJson(section: unknown): string {
  return section instanceof SerializedSection ? section.json : writeSectionJson(section);
}

/** A section already serialized (exactly as JSON.stringify writes it), spliced in as it is. */
export class SerializedSection {
  constructor(readonly json: string) {}
}

const COMMA = 0x2c;
const CLOSE_BRACE = 0x7d;

/** Where a marked hit's own bytes are cut: after `{` when it has no members, else before its `}`. */
function markedCut(empty: boolean, start: number, end: number): number {
  return empty ? start + 1 : end - 1;
}

/** A marked hit's length: its bytes up to the cut, a comma unless empty, the marker, `}`. */
function markedLength(empty: boolean, start: number, end: number, markerBytes: number): number {
  const upTo = markedCut(empty, start, end);
  return upTo - start + (upTo === start + 1 ? 0 : 1) + markerBytes + 1;
}
/**
 * An order may only name existing hits, each at most once. It is checked before anything is
 * written, so a bad order throws and leaves the document exactly as the backend sent it (the
 * proxy then passes the original bytes through).
 */
function checkOrder(order: readonly number[], count: number): void {
  if (order.length > count) throw new RangeError(`order has ${order.length} entries for ${count} hits`);
  const seen = new Uint8Array(count);
  for (const i of order) {
    if (!Number.isInteger(i) || i < 0 || i >= count) throw new RangeError(`order names hit ${i} of ${count}`);
    if (seen[i] === 1) throw new RangeError(`order names hit ${i} twice`);
    seen[i] = 1;
  }
}
