import type { JsonPath } from './json-path.js';
import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, isSpace, OPEN_BRACE, OPEN_BRACKET, QUOTE } from './json-byte-codes.js';

/**
 * Byte positions in a JSON text that JSON.parse has already accepted: where the array at a path
 * starts and ends, where each of its elements lies, and where the document's closing brace is.
 * With them a response can be rebuilt from the backend's own bytes (hit-list.ts `splice`)
 * instead of re-serializing the parsed document.
 *
 * The scan works on UTF-8 bytes: every structural character is ASCII, and no byte of a
 * multi-byte sequence is below 0x80, so byte positions never fall inside a character. It does
 * not validate (the text already parsed); on anything unexpected it answers null and the caller
 * serializes as before. So does a key on the path that appears twice (JSON.parse takes the
 * last; the fallback serializes exactly that).
 */

export interface ListBytes {
  /** Index of the array's `[` and of its `]`. */
  open: number;
  close: number;
  /** Each element's first byte and the byte after its last (no surrounding whitespace). */
  starts: number[];
  ends: number[];
  /** Index of the document's closing `}`; -1 when the document is not an object. */
  rootClose: number;
  /** The document object has at least one member (so an added member needs a comma). */
  rootHasMembers: boolean;
}

/** The index of the first non-whitespace byte at or after `i`. */
export function skipSpace(bytes: Uint8Array, i: number): number {
  while (i < bytes.length && isSpace(bytes[i]!)) i++;
  return i;
}

/** `bytes[i]` is a quote; the index after the closing quote, or -1. */
export function skipString(bytes: Uint8Array, i: number): number {
  const n = bytes.length;
  for (i++; i < n; i++) {
    const c = bytes[i]!;
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) i++;
  }
  return -1;
}

// What a byte means outside strings when skipping a container: most bytes mean nothing, so one
// table load decides (the hits are most of a response and this loop runs over all of them).
const PLAIN = 0;
const STRING = 1;
const OPENS = 2;
const CLOSES = 3;
const ROLE = new Uint8Array(256);
ROLE[QUOTE] = STRING;
ROLE[OPEN_BRACE] = OPENS;
ROLE[OPEN_BRACKET] = OPENS;
ROLE[CLOSE_BRACE] = CLOSES;
ROLE[CLOSE_BRACKET] = CLOSES;

/** The index after the value starting at `i`, or -1. */
export function skipValue(bytes: Uint8Array, i: number): number {
  const n = bytes.length;
  const first = bytes[i];
  if (first === QUOTE) return skipString(bytes, i);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    for (; i < n; i++) {
      const role = ROLE[bytes[i]!]!;
      if (role === PLAIN) continue;
      if (role === STRING) {
        for (i++; i < n; i++) {
          const c = bytes[i]!;
          if (c === QUOTE) break;
          if (c === BACKSLASH) i++;
        }
      } else if (role === OPENS) depth++;
      else if (--depth === 0) return i + 1;
    }
    return -1;
  }
  // A number, true, false or null: up to the next delimiter.
  while (i < n) {
    const c = bytes[i]!;
    if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isSpace(c)) break;
    i++;
  }
  return i;
}

/** The key at `[start, end)` (quotes included) equals `wanted` (its UTF-8 bytes). */
function keyEquals(bytes: Uint8Array, start: number, end: number, wanted: Buffer, wantedText: string): boolean {
  let escaped = false;
  for (let i = start + 1; i < end - 1; i++) {
    if (bytes[i] === BACKSLASH) {
      escaped = true;
      break;
    }
  }
  if (escaped) return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8')) === wantedText;
  if (end - start - 2 !== wanted.length) return false;
  for (let k = 0; k < wanted.length; k++) if (bytes[start + 1 + k] !== wanted[k]) return false;
  return true;
}

/** Element positions of the array at `i` (its `[`), or null. */
function scanArray(bytes: Uint8Array, i: number): { starts: number[]; ends: number[]; close: number } | null {
  const starts: number[] = [];
  const ends: number[] = [];
  i = skipSpace(bytes, i + 1);
  if (bytes[i] === CLOSE_BRACKET) return { starts, ends, close: i };
  for (;;) {
    const end = skipValue(bytes, i);
    if (end < 0) return null;
    starts.push(i);
    ends.push(end);
    i = skipSpace(bytes, end);
    if (bytes[i] === COMMA) {
      i = skipSpace(bytes, i + 1);
      continue;
    }
    if (bytes[i] === CLOSE_BRACKET) return { starts, ends, close: i };
    return null;
  }
}

// Paths are compiled once per adapter; their segments' UTF-8 bytes once per path, not per search.
const pathBytes = new WeakMap<JsonPath, Buffer[]>();
function segmentBytes(path: JsonPath): Buffer[] {
  let bytes = pathBytes.get(path);
  if (!bytes) pathBytes.set(path, (bytes = path.segments.map((segment) => Buffer.from(segment, 'utf8'))));
  return bytes;
}

interface Found {
  list: { open: number; close: number; starts: number[]; ends: number[] };
  /** The index after the value that held the list. */
  end: number;
  /** When that value is an object: its closing brace and whether it has members. */
  close: number;
  members: number;
}

/**
 * Finds the list at `path` from segment `s` on, inside the value at `i`, and walks that value
 * to its end, so every byte is looked at once. A key met twice on the path gives null (JSON.parse
 * would take the last; the caller's fallback serializes exactly that).
 */
function find(bytes: Uint8Array, i: number, path: JsonPath, s: number): Found | null {
  const first = bytes[i];
  if (s === path.segments.length) {
    if (first !== OPEN_BRACKET) return null;
    const list = scanArray(bytes, i);
    return list ? { list: { open: i, ...list }, end: list.close + 1, close: -1, members: 0 } : null;
  }
  const wantedText = path.segments[s]!;
  if (first === OPEN_BRACE) {
    const wanted = segmentBytes(path)[s]!;
    let found: Found | null = null;
    let members = 0;
    i = skipSpace(bytes, i + 1);
    if (bytes[i] === CLOSE_BRACE) return null;
    for (;;) {
      if (bytes[i] !== QUOTE) return null;
      const keyEnd = skipString(bytes, i);
      if (keyEnd < 0) return null;
      const matches = keyEquals(bytes, i, keyEnd, wanted, wantedText);
      i = skipSpace(bytes, keyEnd);
      if (bytes[i] !== COLON) return null;
      i = skipSpace(bytes, i + 1);
      if (matches) {
        if (found) return null;
        found = find(bytes, i, path, s + 1);
        if (!found) return null;
        i = found.end;
      } else {
        i = skipValue(bytes, i);
        if (i < 0) return null;
      }
      members++;
      i = skipSpace(bytes, i);
      if (bytes[i] === COMMA) {
        i = skipSpace(bytes, i + 1);
        continue;
      }
      if (bytes[i] !== CLOSE_BRACE || !found) return null;
      return { list: found.list, end: i + 1, close: i, members };
    }
  }
  if (first !== OPEN_BRACKET) return null;
  // A numeric segment indexes an array; the elements after it are walked too.
  const index = path.indexes[s]!;
  if (index < 0) return null;
  let found: Found | null = null;
  i = skipSpace(bytes, i + 1);
  if (bytes[i] === CLOSE_BRACKET) return null;
  for (let k = 0; ; k++) {
    if (k === index) {
      found = find(bytes, i, path, s + 1);
      if (!found) return null;
      i = found.end;
    } else {
      i = skipValue(bytes, i);
      if (i < 0) return null;
    }
    i = skipSpace(bytes, i);
    if (bytes[i] === COMMA) {
      i = skipSpace(bytes, i + 1);
      continue;
    }
    if (bytes[i] !== CLOSE_BRACKET || !found) return null;
    return { list: found.list, end: i + 1, close: -1, members: 0 };
  }
}

/**
 * Where the array at `path` is in `bytes`, following the same steps as `getAt` (json-path.ts):
 * a numeric segment indexes an array, any segment names an object's member. null when the path
 * does not lead to an array, or the bytes are not what JSON.parse accepted.
 */
export function locateList(bytes: Uint8Array, path: JsonPath): ListBytes | null {
  const start = skipSpace(bytes, 0);
  const found = find(bytes, start, path, 0);
  if (!found || skipSpace(bytes, found.end) !== bytes.length) return null;
  const rootIsObject = bytes[start] === OPEN_BRACE;
  return { ...found.list, rootClose: rootIsObject ? found.close : -1, rootHasMembers: found.members > 0 };
}
