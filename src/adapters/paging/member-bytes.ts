// Setting a few scalar members of a JSON answer in its own bytes (the paging fields of a sliced
// answer), so every other byte (hits, big integers, spacing) stays as the backend wrote it.

import type { MemberEdit } from './window-plan.js';
import { CLOSE_BRACE, COLON, COMMA, OPEN_BRACE, QUOTE } from '../json-byte-codes.js';
import { skipSpace, skipString, skipValue } from '../json-bytes.js';


/** [start, end) of the value at `path` (object keys only); undefined when absent; null when a key on it appears twice or the bytes are odd. */
function locate(bytes: Buffer, i: number, path: readonly string[], s: number): [number, number] | undefined | null {
  if (s === path.length) {
    const end = skipValue(bytes, i);
    return end < 0 ? null : [i, end];
  }
  if (bytes[i] !== OPEN_BRACE) return undefined;
  let found: [number, number] | undefined | null;
  i = skipSpace(bytes, i + 1);
  if (bytes[i] === CLOSE_BRACE) return undefined;
  for (;;) {
    if (bytes[i] !== QUOTE) return null;
    const keyEnd = skipString(bytes, i);
    if (keyEnd < 0) return null;
    const key = JSON.parse(bytes.toString('utf8', i, keyEnd)) as string;
    i = skipSpace(bytes, keyEnd);
    if (bytes[i] !== COLON) return null;
    i = skipSpace(bytes, i + 1);
    if (key === path[s]) {
      if (found !== undefined) return null;
      found = locate(bytes, i, path, s + 1);
      if (found === null) return null;
    }
    i = skipValue(bytes, i);
    if (i < 0) return null;
    i = skipSpace(bytes, i);
    if (bytes[i] === COMMA) {
      i = skipSpace(bytes, i + 1);
      continue;
    }
    return bytes[i] === CLOSE_BRACE ? found : null;
  }
}

/**
 * The JSON text with each edited member's value replaced (JSON-serialized); a member the answer
 * does not have is left out (not added). null when the bytes cannot be edited that way (a key
 * met twice: JSON.parse took the last, the bytes hold both).
 */
export function setMembers(bytes: Buffer, edits: readonly MemberEdit[]): Buffer | null {
  const spans: Array<{ start: number; end: number; text: string }> = [];
  const root = skipSpace(bytes, 0);
  for (const edit of edits) {
    const span = locate(bytes, root, edit.path, 0);
    if (span === null) return null;
    if (span) spans.push({ start: span[0], end: span[1], text: JSON.stringify(edit.value) });
  }
  spans.sort((a, b) => a.start - b.start);
  const pieces: Buffer[] = [];
  let at = 0;
  for (const span of spans) {
    if (span.start < at) return null;
    pieces.push(bytes.subarray(at, span.start), Buffer.from(span.text));
    at = span.end;
  }
  pieces.push(bytes.subarray(at));
  return Buffer.concat(pieces);
}
