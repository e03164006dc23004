import type { ParsedHits, SpliceEdit } from '../adapter.js';
import { locateList } from '../json-bytes.js';
import { compilePath, isForbiddenKey, isJsonObject } from '../json-path.js';
import type { SectionPlace } from './multi-query-format.js';

const USER_DATA = compilePath('userData');

/**
 * A personalized sub-result built from its own bytes (`raw`, exactly the sub-result's value):
 * hits keep their bytes, and the section goes where the format's clients keep it. As a member,
 * that is ParsedHits.splice itself; for Algolia, `{ "<sectionKey>": section }` is appended to the
 * result's `userData` array, which is created when the backend sent none. null when it cannot be
 * built that way (the caller then serializes `editedSubResult`).
 */
export function splicedSubResult(parsed: ParsedHits, raw: Buffer, edit: SpliceEdit, place: SectionPlace): Buffer | null {
  if (place === 'member') return parsed.splice(raw, edit);
  const document = parsed.document();
  if (!isJsonObject(document) || isForbiddenKey(edit.sectionKey)) return null;
  const userData = Object.hasOwn(document, 'userData') ? document.userData : undefined;
  if (userData !== undefined && !Array.isArray(userData)) return null;
  const spliced = parsed.splice(raw, { ...edit, section: undefined });
  if (!spliced) return null;
  const entry = `{${JSON.stringify(edit.sectionKey)}:${JSON.stringify(edit.section)}}`;
  if (userData === undefined) {
    // The sub-result ends with its closing brace (raw is exactly its value) and has members (its hits).
    const close = spliced.length - 1;
    if (spliced[close] !== CLOSE_BRACE) return null;
    return Buffer.concat([spliced.subarray(0, close), Buffer.from(`,"userData":[${entry}]`), spliced.subarray(close)]);
  }
  const where = locateList(spliced, USER_DATA);
  if (!where) return null;
  const glue = where.starts.length > 0 ? ',' : '';
  return Buffer.concat([spliced.subarray(0, where.close), Buffer.from(glue + entry), spliced.subarray(where.close)]);
}

/**
 * The same edit applied to the parsed sub-result (reorder, markers, section), for the serializer
 * when splicing is not possible. false, with the hits already reordered, when there is no room
 * for the section (a `userData` that is not an array); the caller then sends the backend's bytes.
 */
export function editedSubResult(parsed: ParsedHits, edit: SpliceEdit, place: SectionPlace): boolean {
  const document = parsed.document();
  parsed.reorder([...edit.order]);
  if (edit.marker) for (const index of edit.marked) parsed.mark(index, edit.marker, true);
  if (place === 'member') return parsed.inject(edit.sectionKey, edit.section);
  if (!isJsonObject(document) || isForbiddenKey(edit.sectionKey)) return false;
  const userData = Object.hasOwn(document, 'userData') ? document.userData : [];
  if (!Array.isArray(userData)) return false;
  const entry: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  entry[edit.sectionKey] = edit.section;
  userData.push(entry);
  document.userData = userData;
  return true;
}

const CLOSE_BRACE = 0x7d;
