import type { HitView, SearchAdapter } from '../adapters/adapter.js';
import { scanPage, scanPlanOf, type ScanPlan } from '../adapters/hit-scan-plan.js';
import type { PersonalizationConfig } from '../config/schema.js';
import { personalize, type CoPurchases, type PersonalizeResult } from '../personalization/personalize.js';
import type { ShopperRecord } from '../personalization/types.js';
import type { PassthroughReason } from './passthrough-reason.js';
import { wouldLoseDigits } from '../adapters/lossy-integers.js';

export interface PersonalizeBodyInput {
  /** The decoded upstream body. */
  body: Buffer;
  adapter: SearchAdapter;
  record: ShopperRecord;
  strength: number;
  config: PersonalizationConfig;
  sectionKey: string;
  explain: boolean;
  now: number;
  /** true once the budget is spent; checked between the expensive steps. */
  overBudget: () => boolean;
  /** Store-wide co-purchase counts for the shopper's anchors (complementary), when they arrived in time. */
  coPurchases?: CoPurchases;
}

export type PersonalizeBodyResult =
  | { ok: true; /** The new body (node writes it with the headers in one go) and its length in bytes. */ body: Buffer | string; bodyBytes: number; result: PersonalizeResult; /** The backend's hits (ids for attribution; `result.order` indexes them). */ hits: readonly HitView[] }
  | { ok: false; reason: PassthroughReason; result?: PersonalizeResult };

/**
 * Read → personalize → write. No I/O; the only outside input is the clock check. The page is
 * read by a byte scan when the adapter has a scan plan and the scan can vouch for the bytes,
 * else parsed (the reference path); both give the same hits, order and bytes.
 * Any failure answers with a pass-through reason, never an exception.
 *
 * The response is spliced from the backend's bytes (ParsedHits.splice): each hit goes out
 * exactly as the backend wrote it, and only the section (and markers) are serialized. It costs
 * about what serializing the whole document did, and no number can change. When splicing is not
 * possible the parsed document is edited and serialized, and then a body with integers beyond
 * 2^53 (which JSON.parse rounds) goes out as the backend's own bytes instead.
 */
/** The shopper's ranking and section for one list of hits, with the search's settings. */
export function personalizePage(input: PersonalizeBodyInput, hits: HitView[]): PersonalizeResult {
  return personalize({ hits, record: input.record, strength: input.strength, config: input.config, now: input.now, explain: input.explain, coPurchases: input.coPurchases });
}

export function personalizeBody(input: PersonalizeBodyInput): PersonalizeBodyResult {
  const plan = scanPlanOf(input.adapter);
  if (plan) {
    const fast = scannedBody(input, plan);
    if (fast) return fast;
  }
  return parsedBody(input);
}

/**
 * The hot path: one pass over the bytes reads what ranking needs and where the hits are
 * (adapters/hit-scan.ts), no JSON.parse. undefined when the scan cannot vouch for the page or
 * the splice needs the serializer: the reference path then answers exactly as before.
 */
function scannedBody(input: PersonalizeBodyInput, plan: ScanPlan): PersonalizeBodyResult | undefined {
  const page = scanPage(plan, input.body, input.sectionKey);
  if (!page) return undefined;
  if (input.overBudget()) return { ok: false, reason: 'budget' };
  const result = personalizePage(input, page.hits);
  if (input.overBudget()) return { ok: false, reason: 'budget', result };
  const marker = input.config.markerField || undefined;
  const spliced = page.splice({ order: result.order, marked: result.moved, marker, sectionKey: input.sectionKey, section: result.section });
  if (!spliced) return undefined;
  if (input.overBudget()) return { ok: false, reason: 'budget', result };
  return { ok: true, body: spliced, bodyBytes: spliced.length, result, hits: page.hits };
}

/** The reference path: parse → adapt → personalize → splice (or serialize). */
function parsedBody(input: PersonalizeBodyInput): PersonalizeBodyResult {
  const text = input.body.toString('utf8');
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not-json' };
  }
  if (input.overBudget()) return { ok: false, reason: 'budget' };
  const parsed = input.adapter.parse(document);
  if (!parsed) return { ok: false, reason: 'adapter-mismatch' };
  const result = personalizePage(input, parsed.hits);
  if (input.overBudget()) return { ok: false, reason: 'budget', result };
  const marker = input.config.markerField || undefined;
  const spliced = parsed.splice(input.body, { order: result.order, marked: result.moved, marker, sectionKey: input.sectionKey, section: result.section });
  if (spliced) {
    if (input.overBudget()) return { ok: false, reason: 'budget', result };
    return { ok: true, body: spliced, bodyBytes: spliced.length, result, hits: parsed.hits };
  }

  if (wouldLoseDigits(text)) return { ok: false, reason: 'lossy-number' };
  parsed.reorder(result.order);
  if (marker) for (const index of result.moved) parsed.mark(index, marker, true);
  parsed.inject(input.sectionKey, result.section);
  const body = JSON.stringify(parsed.document());
  if (input.overBudget()) return { ok: false, reason: 'budget', result };
  return { ok: true, body, bodyBytes: Buffer.byteLength(body, 'utf8'), result, hits: parsed.hits };
}

