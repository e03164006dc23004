import type { HitView, SpliceEdit } from '../adapters/adapter.js';
import type { MultiQueryKind } from '../adapters/multi-query/multi-query-format.js';
import { multiQueryFormat } from '../adapters/multi-query/multi-query-kind.js';
import { editedSubResult, splicedSubResult } from '../adapters/multi-query/place-section.js';
import { joinSubResults, splitResponse, type SubResult } from '../adapters/multi-query/sub-results.js';
import type { PersonalizeResult } from '../personalization/personalize.js';
import { personalizePage, type PersonalizeBodyInput } from './personalize-body.js';
import type { PassthroughReason } from './passthrough-reason.js';
import { wouldLoseDigits } from '../adapters/lossy-integers.js';

export interface PersonalizeMultiQueryInput extends PersonalizeBodyInput {
  /** From multiQueryKind(method, url, route.adapter). */
  kind: MultiQueryKind;
  /** The storefront's request body as sent (NDJSON for `_msearch`): which index each query searches, and its page size. */
  requestBody: Buffer;
  /** The request's path and query (`req.url`): the index of `/:index/_msearch`, Typesense's common parameters. */
  requestUrl: string;
  /** The route's `indexes`: only sub-results answering these are personalized. Absent: every sub-result with hits. */
  indexes?: readonly string[];
}

/** A sub-result that went out personalized. */
export interface PersonalizedSubResult {
  /** Its place in the response's list (0 for a merged list). */
  position: number;
  indexes: readonly string[] | undefined;
  result: PersonalizeResult;
  /** The backend's hits of this sub-result (`result.order` indexes them). */
  hits: readonly HitView[];
}

/** Every sub-result stayed as the backend sent it: errors, facet-only, empty, or not in the route's `indexes`. */
export type MultiQueryPassReason = PassthroughReason;

export type PersonalizeMultiQueryResult =
  | { ok: true; body: Buffer; bodyBytes: number; /** Sub-results personalized (≥ 1). */ count: number; personalized: PersonalizedSubResult[] }
  | { ok: false; reason: MultiQueryPassReason; /** What ran before the budget ran out (shadow measurements). */ personalized?: PersonalizedSubResult[] };

/**
 * A multi-query response personalized sub-result by sub-result, with the route's single-query
 * adapter: each sub-result is located in the backend's bytes, personalized on its own and spliced
 * back; every other byte (untouched sub-results, the envelope) goes out as the backend sent it.
 * One budget covers the whole response: past it, the backend's bytes. A sub-result the adapter
 * cannot read, or that would lose digits when serialized, stays as sent and the others are
 * still personalized. No I/O; never throws for a bad body (a bug is the caller's `error`).
 */
export function personalizeMultiQuery(input: PersonalizeMultiQueryInput): PersonalizeMultiQueryResult {
  const { body } = input;
  let document: unknown;
  try {
    document = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, reason: 'not-json' };
  }
  if (input.overBudget()) return { ok: false, reason: 'budget' };
  const format = multiQueryFormat(input.kind);
  const listed = input.indexes && input.indexes.length > 0 ? new Set(input.indexes) : undefined;
  const split = splitResponse(format, document, body, format.readRequest(input.requestBody, input.requestUrl), listed);
  if (!split) return { ok: false, reason: 'adapter-mismatch' };

  const personalized: PersonalizedSubResult[] = [];
  const replacements: Array<{ start: number; end: number; bytes: Buffer }> = [];
  let unreadable = 0;
  let lossy = 0;
  for (const sub of split.subResults) {
    if (sub.skip) continue;
    if (input.overBudget()) return { ok: false, reason: 'budget', personalized };
    const outcome = personalizeSubResult(input, sub, body, format.sectionPlace);
    if (outcome === 'unreadable') unreadable++;
    else if (outcome === 'lossy') lossy++;
    else if (outcome !== 'empty') {
      personalized.push({ position: sub.position, indexes: sub.indexes, result: outcome.result, hits: outcome.hits });
      replacements.push({ start: sub.start, end: sub.end, bytes: outcome.bytes });
    }
  }
  if (input.overBudget()) return { ok: false, reason: 'budget', personalized };
  if (personalized.length === 0) {
    return { ok: false, reason: unreadable > 0 ? 'adapter-mismatch' : lossy > 0 ? 'lossy-number' : 'nothing-to-personalize' };
  }
  const out = split.merged ? replacements[0]!.bytes : joinSubResults(body, replacements);
  return { ok: true, body: out, bodyBytes: out.length, count: personalized.length, personalized };
}

type SubOutcome = 'unreadable' | 'lossy' | 'empty' | { bytes: Buffer; result: PersonalizeResult; hits: readonly HitView[] };

function personalizeSubResult(input: PersonalizeMultiQueryInput, sub: SubResult, body: Buffer, place: 'member' | 'userData'): SubOutcome {
  const parsed = input.adapter.parse(sub.document);
  if (!parsed) return 'unreadable';
  // No hits: nothing to reorder, and the storefront renders nothing that a section could sit beside.
  if (parsed.hits.length === 0) return 'empty';
  const result = personalizePage(input, parsed.hits);
  const raw = body.subarray(sub.start, sub.end);
  const edit: SpliceEdit = { order: result.order, marked: result.moved, marker: input.config.markerField || undefined, sectionKey: input.sectionKey, section: result.section };
  const spliced = splicedSubResult(parsed, raw, edit, place);
  if (spliced) return { bytes: spliced, result, hits: parsed.hits };

  const text = raw.toString('utf8');
  if (wouldLoseDigits(text)) return 'lossy';
  if (!editedSubResult(parsed, edit, place)) return 'unreadable';
  return { bytes: Buffer.from(JSON.stringify(parsed.document())), result, hits: parsed.hits };
}

