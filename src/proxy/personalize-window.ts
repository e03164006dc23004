import { createHash } from 'node:crypto';
import type { HitView, ParsedHits, SearchAdapter } from '../adapters/adapter.js';
import { isJsonObject } from '../adapters/json-path.js';
import { setMembers } from '../adapters/paging/member-bytes.js';
import type { MemberEdit, Slice } from '../adapters/paging/window-plan.js';
import type { PersonalizeResult } from '../personalization/personalize.js';
import { movedUp } from '../personalization/rank.js';
import type { PassthroughReason } from './passthrough-reason.js';
import { personalizePage, type PersonalizeBodyInput } from './personalize-body.js';
import type { RankedWindow } from './window-cache.js';
import { wouldLoseDigits } from '../adapters/lossy-integers.js';

// A rerank window's answer: the backend answered the top N for a page inside it; all N are
// ranked, and the answer is the page the storefront asked for, its paging fields set back to
// that page. Everything else (totals, facets, aggregations) is the backend's, byte for byte.

export interface PersonalizeWindowInput extends PersonalizeBodyInput {
  slice: Slice;
  answerPaging: (answer: unknown) => MemberEdit[];
  /** The ranking this shopper was served for this query before (same window): reused while the backend's window is the same. */
  ranked?: RankedWindow;
}

export type PersonalizeWindowResult =
  | { ok: true; body: Buffer | string; bodyBytes: number; /** `order` is the page shown (indexes into the window's hits). */ result: PersonalizeResult; hits: readonly HitView[]; ranked: RankedWindow }
  | { ok: false; reason: PassthroughReason; result?: PersonalizeResult };

export function personalizeWindow(input: PersonalizeWindowInput): PersonalizeWindowResult {
  const read = readWindow(input.body, input.adapter);
  if (typeof read === 'string') return { ok: false, reason: read };
  if (input.overBudget()) return { ok: false, reason: 'budget' };
  const { document, parsed, text } = read;
  const result = personalizePage(input, parsed.hits);
  if (input.overBudget()) return { ok: false, reason: 'budget', result };
  const fingerprint = fingerprintOf(parsed.hits);
  const reused = input.ranked?.fingerprint === fingerprint ? input.ranked.order : undefined;
  const order = reused ?? result.order;
  const shown = order.slice(input.slice.from, input.slice.from + input.slice.size);
  const onPage = new Set(shown);
  const moved = (reused ? movedUp(reused, parsed.hits.length) : result.moved).filter((index) => onPage.has(index));
  const page: PersonalizeResult = { order: shown, moved, section: result.section };
  const marker = input.config.markerField || undefined;
  const body = answer(input.body, text, document, parsed, shown, input.answerPaging(document), { marked: moved, marker, sectionKey: input.sectionKey, section: result.section });
  if (typeof body === 'string') return { ok: false, reason: body, result: page };
  if (input.overBudget()) return { ok: false, reason: 'budget', result: page };
  return { ok: true, body, bodyBytes: body.length, result: page, hits: parsed.hits, ranked: { fingerprint, order } };
}

/**
 * The page of the backend's own window in the backend's order (no section): the answer when the
 * window cannot be personalized. null when even that cannot be built (the window is not JSON,
 * not the adapter's shape, or would lose digits).
 */
export function backendSlice(body: Buffer, adapter: SearchAdapter, slice: Slice, answerPaging: (answer: unknown) => MemberEdit[]): Buffer | null {
  const read = readWindow(body, adapter);
  if (typeof read === 'string') return null;
  const count = Math.max(0, Math.min(read.parsed.hits.length, slice.from + slice.size) - slice.from);
  const order = Array.from({ length: count }, (_, k) => slice.from + k);
  const out = answer(body, read.text, read.document, read.parsed, order, answerPaging(read.document), { marked: [], marker: undefined, sectionKey: '', section: undefined });
  return typeof out === 'string' ? null : out;
}

type Read = { document: unknown; parsed: ParsedHits; text: string };

function readWindow(body: Buffer, adapter: SearchAdapter): Read | PassthroughReason {
  const text = body.toString('utf8');
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return 'not-json';
  }
  const parsed = adapter.parse(document);
  return parsed ? { document, parsed, text } : 'adapter-mismatch';
}

/** The page's bytes: spliced from the backend's (hits and every other member as sent), else serialized. */
function answer(
  raw: Buffer,
  text: string,
  document: unknown,
  parsed: ParsedHits,
  shown: number[],
  paging: MemberEdit[],
  edit: { marked: number[]; marker: string | undefined; sectionKey: string; section: unknown },
): Buffer | PassthroughReason {
  const spliced = parsed.splice(raw, { order: shown, ...edit });
  const paged = spliced && setMembers(spliced, paging);
  if (paged) return paged;
  if (wouldLoseDigits(text)) return 'lossy-number';
  parsed.reorder(shown);
  if (edit.marker) for (const index of edit.marked) parsed.mark(index, edit.marker, true);
  if (edit.section !== undefined) parsed.inject(edit.sectionKey, edit.section);
  for (const { path, value } of paging) setExisting(parsed.document(), path, value);
  return Buffer.from(JSON.stringify(parsed.document()));
}

function setExisting(document: unknown, path: readonly string[], value: unknown): void {
  let at = document;
  for (let k = 0; k < path.length - 1; k++) at = isJsonObject(at) && Object.hasOwn(at, path[k]!) ? at[path[k]!] : undefined;
  const last = path.at(-1)!;
  if (isJsonObject(at) && Object.hasOwn(at, last)) at[last] = value;
}

/** Which window was ranked: its hit ids in the backend's order. */
function fingerprintOf(hits: readonly HitView[]): string {
  const hash = createHash('sha1');
  for (const hit of hits) hash.update(`${hit.id}\n`);
  return hash.digest('base64');
}

