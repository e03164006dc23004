import type { ListBytes } from './json-bytes.js';
import type { JsonPath } from './json-path.js';
import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, OPEN_BRACE, OPEN_BRACKET, QUOTE } from './json-byte-codes.js';

/**
 * One pass over a backend's response bytes that does what JSON.parse + an adapter + the splice's
 * own scan did for ranking: it checks the whole text is JSON that JSON.parse accepts, records
 * where the hits array and each hit lie, and decodes only the values a field tree asks for (the
 * id, brand, category, tags, price and name of each hit; everything else is only stepped over).
 *
 * Anything it cannot vouch for gives null ("cannot"), and the caller takes the reference path
 * (parse, adapt, rank, splice): text JSON.parse would reject, a path that does not lead to an
 * array, a key met twice on the path or among the keys read (JSON.parse keeps the last), an
 * integer beyond 2^53 where a value is read, a nesting deeper than MAX_DEPTH.
 *
 * Bytes, not characters: every structural character is ASCII and no byte of a multi-byte UTF-8
 * sequence is below 0x80, so positions never fall inside a character; decoded strings go
 * through Buffer#toString('utf8'), which replaces bad sequences as the reference's decode does.
 */

/** A node of the field tree: the keys (or array indexes) read below one value. */
export interface FieldNode {
  /** Entries by key length in UTF-8 bytes, for a cheap first test (an array: read per key of every hit). */
  readonly byLength: (FieldEntry[] | undefined)[];
  /** All entries. */
  readonly entries: FieldEntry[];
  /** Entries by array index (a numeric path segment also indexes an array). */
  readonly byIndex: Map<number, FieldEntry>;
}

export interface FieldEntry {
  readonly key: string;
  readonly bytes: Buffer;
  readonly slot: number;
  /** Read below this value; without it the value itself is decoded into the slot. */
  readonly child?: FieldNode;
}

/** A slot of a container entry holds this when its value is an object that was read into. */
export const OBJECT: unique symbol = Symbol('object');

/** A decoded value: scalars as JSON.parse gives them, arrays one level deep (nested containers as null). */
export type Leaf = string | number | boolean | null | (string | number | boolean | null)[];
export type Slot = Leaf | typeof OBJECT | undefined;

/** A field tree under construction; `slot()` numbers each path once. */
export class FieldTree {
  readonly root: FieldNode = newNode();
  size = 0;

  /** The slot of `path` below the root (a container when `container`); null when a path would be both. */
  add(path: JsonPath, container = false): number | null {
    let node = this.root;
    for (let s = 0; s < path.segments.length; s++) {
      const key = path.segments[s]!;
      const last = s === path.segments.length - 1;
      let entry = findEntry(node, key);
      if (!entry) {
        entry = { key, bytes: Buffer.from(key, 'utf8'), slot: this.size++, ...(last && !container ? {} : { child: newNode() }) };
        const sameLength = node.byLength[entry.bytes.length] ?? [];
        sameLength.push(entry);
        node.byLength[entry.bytes.length] = sameLength;
        node.entries.push(entry);
        const index = path.indexes[s]!;
        if (index >= 0) node.byIndex.set(index, entry);
      } else if ((entry.child !== undefined) !== (!last || container)) {
        return null;
      }
      if (last) return entry.slot;
      node = entry.child!;
    }
    return null;
  }
}

function newNode(): FieldNode {
  return { byLength: [], entries: [], byIndex: new Map() };
}

function findEntry(node: FieldNode, key: string): FieldEntry | undefined {
  return node.entries.find((e) => e.key === key);
}

export interface ScannedList extends ListBytes {
  /** Per hit: 1 when it is an object, 2 when it is an object with no members, 0 otherwise. */
  kinds: Uint8Array;
  /** The document is an object. */
  rootIsObject: boolean;
  /** Slots read from the document's root object (the root tree's keys, e.g. the section's key). */
  rootSlots: Slot[];
}

export interface ScanRequest {
  hitsPath: JsonPath;
  /** Keys read from the document's root object (their slots in `rootSlots`). */
  root: FieldTree;
  /** Values read from each hit. */
  hit: FieldTree;
  /** Called once per hit, in order, with its kind (see `kinds`) and the slots read from it (reused for the next hit). */
  visit(index: number, kind: number, slots: readonly Slot[]): void;
}

const MAX_DEPTH = 512;

// Inside a string: 0 plain, 1 the closing quote, 2 an escape, 3 a control byte (JSON.parse rejects it).
const IN_STRING = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) IN_STRING[c] = 3;
IN_STRING[QUOTE] = 1;
IN_STRING[BACKSLASH] = 2;

const SPACE = new Uint8Array(256);
SPACE[0x20] = SPACE[0x0a] = SPACE[0x0d] = SPACE[0x09] = 1;

const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;
// The letters after a backslash JSON allows (u checked apart).
const ESCAPE = new Uint8Array(256);
for (const c of '"\\/bfnrt') ESCAPE[c.charCodeAt(0)] = 1;

/** Thrown inside the scan and caught at its entry: one exit for every "cannot". */
class Cannot extends Error {}
const CANNOT = new Cannot();

function space(b: Uint8Array, i: number): number {
  while (SPACE[b[i]!] === 1) i++;
  return i;
}

/** `b[i]` is a quote: the index after the closing quote; sets `escaped` when it held a backslash. */
let escaped = false;
function string(b: Uint8Array, i: number): number {
  escaped = false;
  const n = b.length;
  for (i++; i < n; i++) {
    const role = IN_STRING[b[i]!]!;
    if (role === 0) continue;
    if (role === 1) return i + 1;
    if (role === 3) throw CANNOT;
    escaped = true;
    const e = b[++i]!;
    if (ESCAPE[e] === 1) continue;
    if (e !== 0x75 || HEX[b[i + 1]!] !== 1 || HEX[b[i + 2]!] !== 1 || HEX[b[i + 3]!] !== 1 || HEX[b[i + 4]!] !== 1) throw CANNOT;
    i += 4;
  }
  throw CANNOT;
}

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;

/** A number at `i` (JSON's grammar exactly): the index after it; `integer` says it had no fraction or exponent. */
let integer = false;
function number(b: Uint8Array, i: number): number {
  integer = true;
  if (b[i] === 0x2d) i++;
  if (b[i] === 0x30) i++;
  else if (isDigit(b[i]) && b[i] !== 0x30) while (isDigit(b[i])) i++;
  else throw CANNOT;
  if (b[i] === 0x2e) {
    integer = false;
    i++;
    if (!isDigit(b[i])) throw CANNOT;
    while (isDigit(b[i])) i++;
  }
  if (b[i] === 0x65 || b[i] === 0x45) {
    integer = false;
    i++;
    if (b[i] === 0x2b || b[i] === 0x2d) i++;
    if (!isDigit(b[i])) throw CANNOT;
    while (isDigit(b[i])) i++;
  }
  return i;
}

function literal(b: Uint8Array, i: number, word: readonly number[]): number {
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word[k]) throw CANNOT;
  return i + word.length;
}
const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

function scalar(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c === QUOTE) return string(b, i);
  if (c === 0x74) return literal(b, i, TRUE);
  if (c === 0x66) return literal(b, i, FALSE);
  if (c === 0x6e) return literal(b, i, NULL);
  return number(b, i);
}

// Open containers while stepping over a value: 1 object, 2 array.
let stack = new Uint8Array(64);

/** Steps over the value at `i`, checking it all; the index after it. */
function skip(b: Uint8Array, i: number): number {
  let depth = 0;
  for (;;) {
    // A value starts at i.
    const c = b[i];
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (depth === stack.length) {
        if (depth >= MAX_DEPTH) throw CANNOT;
        const grown = new Uint8Array(depth * 2);
        grown.set(stack);
        stack = grown;
      }
      const object = c === OPEN_BRACE;
      i = space(b, i + 1);
      if (b[i] === (object ? CLOSE_BRACE : CLOSE_BRACKET)) {
        i++;
      } else {
        stack[depth++] = object ? 1 : 2;
        if (object) i = memberValue(b, i);
        continue;
      }
    } else {
      i = scalar(b, i);
    }
    // After a value: a comma or the close of the innermost open container.
    for (;;) {
      if (depth === 0) return i;
      i = space(b, i);
      const d = b[i];
      const object = stack[depth - 1] === 1;
      if (d === COMMA) {
        i = space(b, i + 1);
        if (object) i = memberValue(b, i);
        break;
      }
      if (d !== (object ? CLOSE_BRACE : CLOSE_BRACKET)) throw CANNOT;
      depth--;
      i++;
    }
  }
}

/** At a member's key: the index of its value (key, colon and spaces checked). */
function memberValue(b: Uint8Array, i: number): number {
  if (b[i] !== QUOTE) throw CANNOT;
  i = space(b, string(b, i));
  if (b[i] !== COLON) throw CANNOT;
  return space(b, i + 1);
}

// Buffer's own slice functions: toString() checks its arguments and dispatches on the encoding
// per call, a fifth of the scan when called for every value read.
type Slices = Buffer & { utf8Slice(start: number, end: number): string; latin1Slice(start: number, end: number): string };
const utf8 = (b: Buffer, start: number, end: number): string => (b as Slices).utf8Slice(start, end);

// Brands, categories, tags and ids repeat hit after hit and search after search: short strings
// are looked up by a hash of their bytes (and compared byte for byte) instead of decoded each
// time. Bounded: a full table starts over.
const TEXT_MAX = 48;
const TEXTS_MAX = 8_192;
const texts = new Map<number, { bytes: Buffer; text: string }>();

function text(b: Buffer, start: number, end: number): string {
  const length = end - start;
  if (length > TEXT_MAX) return utf8(b, start, end);
  let hash = length;
  for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + b[i]!) | 0;
  const known = texts.get(hash);
  if (known !== undefined && known.bytes.length === length) {
    const kb = known.bytes;
    let same = true;
    for (let i = 0; i < length; i++) {
      if (kb[i] !== b[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return known.text;
  }
  const decoded = utf8(b, start, end);
  if (texts.size >= TEXTS_MAX) texts.clear();
  texts.set(hash, { bytes: Buffer.from(b.subarray(start, end)), text: decoded });
  return decoded;
}

/** The key `[start, end)` (quotes included) as text. */
function keyText(b: Buffer, start: number, end: number, isEscaped: boolean): string {
  return isEscaped ? (JSON.parse(utf8(b, start, end)) as string) : utf8(b, start + 1, end - 1);
}

function matchKey(node: FieldNode, b: Buffer, start: number, end: number, isEscaped: boolean): FieldEntry | undefined {
  if (isEscaped) {
    const text = keyText(b, start, end, true);
    return node.entries.find((e) => e.key === text);
  }
  const list = node.byLength[end - start - 2];
  if (list === undefined) return undefined;
  outer: for (let k = 0; k < list.length; k++) {
    const e = list[k]!;
    const want = e.bytes;
    for (let j = 0; j < want.length; j++) if (b[start + 1 + j] !== want[j]) continue outer;
    return e;
  }
  return undefined;
}

/** Reads the value at `i` into `entry`'s slot (decoded, or read into); the index after it. */
function readEntry(b: Buffer, i: number, entry: FieldEntry, slots: Slot[], base: number, depth: number): number {
  const at = base + entry.slot;
  if (slots[at] !== undefined) throw CANNOT; // the same key twice: JSON.parse would keep the last
  if (entry.child === undefined) {
    const end = leaf(b, i, slots, at);
    return end;
  }
  const c = b[i];
  if (c === OPEN_BRACE) {
    slots[at] = OBJECT;
    return object(b, i, entry.child, slots, base, depth + 1);
  }
  slots[at] = null;
  if (c === OPEN_BRACKET && entry.child.byIndex.size > 0) return array(b, i, entry.child, slots, base, depth + 1);
  return skip(b, i);
}

/** Decodes a scalar, or an array's scalars (nested containers as null), into `slots[at]`. */
function leaf(b: Buffer, i: number, slots: Slot[], at: number): number {
  const c = b[i];
  if (c === OPEN_BRACKET) {
    const values: (string | number | boolean | null)[] = [];
    i = space(b, i + 1);
    if (b[i] === CLOSE_BRACKET) {
      slots[at] = values;
      return i + 1;
    }
    for (;;) {
      const v = b[i];
      if (v === OPEN_BRACE || v === OPEN_BRACKET) {
        i = skip(b, i);
        values.push(null);
      } else {
        const end = scalar(b, i);
        values.push(scalarValue(b, i, end));
        i = end;
      }
      i = space(b, i);
      if (b[i] === COMMA) {
        i = space(b, i + 1);
        continue;
      }
      if (b[i] !== CLOSE_BRACKET) throw CANNOT;
      slots[at] = values;
      return i + 1;
    }
  }
  if (c === OPEN_BRACE) {
    slots[at] = null;
    return skip(b, i);
  }
  const end = scalar(b, i);
  slots[at] = scalarValue(b, i, end);
  return end;
}

/** The value of the scalar `[start, end)` that `scalar` just checked (its flags still set). */
function scalarValue(b: Buffer, start: number, end: number): string | number | boolean | null {
  const c = b[start];
  if (c === QUOTE) return escaped ? (JSON.parse(utf8(b, start, end)) as string) : text(b, start + 1, end - 1);
  if (c === 0x74) return true;
  if (c === 0x66) return false;
  if (c === 0x6e) return null;
  const simple = simpleNumber(b, start, end);
  if (simple !== undefined) return simple;
  const value = Number((b as Slices).latin1Slice(start, end));
  if (integer && !Number.isSafeInteger(value)) throw CANNOT; // JSON.parse would round it
  return value;
}

const POWERS = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * A number of at most 15 digits without exponent, worked out here: its digits as an integer are
 * exact, so are powers of ten up to 1e15, and one division rounds once, as Number() does.
 * undefined for anything else (Number() decides).
 */
function simpleNumber(b: Buffer, start: number, end: number): number | undefined {
  let i = start;
  const negative = b[i] === 0x2d;
  if (negative) i++;
  let digits = 0;
  let m = 0;
  let scale = 0;
  for (; i < end; i++) {
    const c = b[i]!;
    if (c === 0x2e) {
      scale = end - i - 1;
      continue;
    }
    if (c < 0x30 || c > 0x39) return undefined;
    m = m * 10 + (c - 0x30);
    digits++;
  }
  if (digits > 15) return undefined;
  const value = scale === 0 ? m : m / POWERS[scale]!;
  return negative ? -value : value;
}

/** Reads an object's members against `node`; its end and member count. */
let lastMembers = 0;
function object(b: Buffer, i: number, node: FieldNode, slots: Slot[], base: number, depth: number): number {
  if (depth > MAX_DEPTH) throw CANNOT;
  i = space(b, i + 1);
  if (b[i] === CLOSE_BRACE) {
    lastMembers = 0;
    return i + 1;
  }
  let count = 0;
  for (;;) {
    if (b[i] !== QUOTE) throw CANNOT;
    const keyEnd = string(b, i);
    const entry = node.entries.length === 0 ? undefined : matchKey(node, b, i, keyEnd, escaped);
    i = space(b, keyEnd);
    if (b[i] !== COLON) throw CANNOT;
    i = space(b, i + 1);
    i = entry === undefined ? skip(b, i) : readEntry(b, i, entry, slots, base, depth);
    count++;
    i = space(b, i);
    if (b[i] === COMMA) {
      i = space(b, i + 1);
      continue;
    }
    if (b[i] !== CLOSE_BRACE) throw CANNOT;
    lastMembers = count;
    return i + 1;
  }
}

/** Reads an array's elements against `node`'s indexes; the index after it. */
function array(b: Buffer, i: number, node: FieldNode, slots: Slot[], base: number, depth: number): number {
  if (depth > MAX_DEPTH) throw CANNOT;
  i = space(b, i + 1);
  if (b[i] === CLOSE_BRACKET) return i + 1;
  for (let k = 0; ; k++) {
    const entry = node.byIndex.get(k);
    i = entry === undefined ? skip(b, i) : readEntry(b, i, entry, slots, base, depth);
    i = space(b, i);
    if (b[i] === COMMA) {
      i = space(b, i + 1);
      continue;
    }
    if (b[i] !== CLOSE_BRACKET) throw CANNOT;
    return i + 1;
  }
}

interface Walk {
  list: ScannedList | null;
  rootClose: number;
  rootMembers: number;
}

/**
 * Scans `bytes` for the hits at `request.hitsPath`; null when it cannot vouch for them (see the
 * module comment), or the path does not lead to an array.
 */
export function scanHits(bytes: Buffer, request: ScanRequest): ScannedList | null {
  try {
    return scan(bytes, request);
  } catch (error) {
    if (error instanceof Cannot) return null;
    throw error;
  }
}

function scan(b: Buffer, request: ScanRequest): ScannedList | null {
  const start = space(b, 0);
  const rootSlots: Slot[] = new Array<Slot>(request.root.size).fill(undefined);
  const walk: Walk = { list: null, rootClose: -1, rootMembers: 0 };
  const end = along(b, start, request, 0, rootSlots, walk, true);
  if (space(b, end) !== b.length || walk.list === null) return null;
  const list = walk.list;
  list.rootIsObject = b[start] === OPEN_BRACE;
  list.rootClose = list.rootIsObject ? walk.rootClose : -1;
  list.rootHasMembers = walk.rootMembers > 0;
  list.rootSlots = rootSlots;
  return list;
}

/**
 * Walks the value at `i` following the hits path from segment `s` on, checking every byte; at
 * the path's end, reads the hits. The root object's own keys are also read into `rootSlots`.
 */
function along(b: Buffer, i: number, request: ScanRequest, s: number, rootSlots: Slot[], walk: Walk, isRoot: boolean): number {
  const path = request.hitsPath;
  const c = b[i];
  if (s === path.segments.length) {
    if (c !== OPEN_BRACKET) throw CANNOT;
    if (walk.list !== null) throw CANNOT;
    return hits(b, i, request, walk);
  }
  if (c === OPEN_BRACE) {
    const wanted = Buffer.from(path.segments[s]!, 'utf8');
    const rootNode = isRoot ? request.root.root : undefined;
    let found = false;
    let members = 0;
    i = space(b, i + 1);
    if (b[i] !== CLOSE_BRACE) {
      for (;;) {
        if (b[i] !== QUOTE) throw CANNOT;
        const keyStart = i;
        const keyEnd = string(b, i);
        const keyEscaped = escaped;
        const matches = keyEscaped ? keyText(b, keyStart, keyEnd, true) === path.segments[s] : keyEnd - keyStart - 2 === wanted.length && b.compare(wanted, 0, wanted.length, keyStart + 1, keyEnd - 1) === 0;
        const entry = rootNode && rootNode.entries.length > 0 ? matchKey(rootNode, b, keyStart, keyEnd, keyEscaped) : undefined;
        i = space(b, keyEnd);
        if (b[i] !== COLON) throw CANNOT;
        i = space(b, i + 1);
        if (matches) {
          if (found) throw CANNOT; // the path's key twice
          found = true;
          i = along(b, i, request, s + 1, rootSlots, walk, false);
        } else if (entry !== undefined) {
          i = readEntry(b, i, entry, rootSlots, 0, 1);
        } else {
          i = skip(b, i);
        }
        members++;
        i = space(b, i);
        if (b[i] === COMMA) {
          i = space(b, i + 1);
          continue;
        }
        if (b[i] !== CLOSE_BRACE) throw CANNOT;
        break;
      }
    }
    if (!found) throw CANNOT;
    if (isRoot) {
      walk.rootClose = i;
      walk.rootMembers = members;
    }
    return i + 1;
  }
  if (c !== OPEN_BRACKET) throw CANNOT;
  const index = path.indexes[s]!;
  if (index < 0) throw CANNOT;
  let found = false;
  i = space(b, i + 1);
  if (b[i] === CLOSE_BRACKET) throw CANNOT;
  for (let k = 0; ; k++) {
    if (k === index) {
      found = true;
      i = along(b, i, request, s + 1, rootSlots, walk, false);
    } else {
      i = skip(b, i);
    }
    i = space(b, i);
    if (b[i] === COMMA) {
      i = space(b, i + 1);
      continue;
    }
    if (b[i] !== CLOSE_BRACKET || !found) throw CANNOT;
    return i + 1;
  }
}

/** The hits array at `i` (its `[`): each hit's bounds and kind; its slots go to `visit`. */
function hits(b: Buffer, i: number, request: ScanRequest, walk: Walk): number {
  const open = i;
  const starts: number[] = [];
  const ends: number[] = [];
  const slots: Slot[] = new Array<Slot>(request.hit.size).fill(undefined);
  const root = request.hit.root;
  let kinds = new Uint8Array(32);
  i = space(b, i + 1);
  let k = 0;
  if (b[i] !== CLOSE_BRACKET) {
    for (;; k++) {
      starts.push(i);
      if (k === kinds.length) {
        const grown = new Uint8Array(k * 2);
        grown.set(kinds);
        kinds = grown;
      }
      slots.fill(undefined);
      if (b[i] === OPEN_BRACE) {
        i = object(b, i, root, slots, 0, 1);
        kinds[k] = lastMembers === 0 ? 2 : 1;
      } else {
        i = skip(b, i);
      }
      request.visit(k, kinds[k]!, slots);
      ends.push(i);
      i = space(b, i);
      if (b[i] === COMMA) {
        i = space(b, i + 1);
        continue;
      }
      if (b[i] !== CLOSE_BRACKET) throw CANNOT;
      k++;
      break;
    }
  }
  walk.list = { open, close: i, starts, ends, rootClose: -1, rootHasMembers: false, kinds: kinds.subarray(0, k), rootIsObject: false, rootSlots: [] };
  return i + 1;
}

/** Whether the object at `start` (already checked by a scan) has a member named `key`. */
export function objectHas(b: Buffer, start: number, key: string): boolean {
  const node = newNode();
  const bytes = Buffer.from(key, 'utf8');
  const entry: FieldEntry = { key, bytes, slot: 0 };
  node.byLength[bytes.length] = [entry];
  node.entries.push(entry);
  try {
    let i = space(b, start + 1);
    if (b[i] === CLOSE_BRACE) return false;
    for (;;) {
      const keyEnd = string(b, i);
      if (matchKey(node, b, i, keyEnd, escaped)) return true;
      i = space(b, space(b, keyEnd) + 1);
      i = space(b, skip(b, i));
      if (b[i] !== COMMA) return false;
      i = space(b, i + 1);
    }
  } catch (error) {
    if (error instanceof Cannot) return false;
    throw error;
  }
}
