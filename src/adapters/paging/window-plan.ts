// A rerank window: the storefront asks for a page, sidecart asks the backend for the top N, ranks
// all N and answers the page. These are the pure parts every engine shares.

/** The results a storefront asked for: `size` hits from position `from` (0-based) of the backend's ranking. */
export interface Slice {
  from: number;
  size: number;
}

/** A member of the answer to set so its paging fields say what the storefront asked for (set only where the answer has it). */
export interface MemberEdit {
  path: readonly string[];
  value: string | number;
}

/** Why a request goes to the backend as sent, without a window. */
export type NoWindow =
  /** The page starts or ends past the window: the backend's page, untouched. */
  | 'past-window'
  /** Cursor paging (search_after, scroll, point in time, cursorMark): only the backend can continue it. */
  | 'cursor'
  /** No hits asked for (size 0, facets only). */
  | 'no-hits'
  /** Collapsing or grouping: a page is not a slice of a longer list. */
  | 'collapse'
  /** Paging parameters it does not understand (not a count, given twice, a body it cannot read). */
  | 'unknown-paging';

export type WindowPlan =
  | {
      rewrite: true;
      slice: Slice;
      /** The request to send instead: its path and query, and its body when that changed. */
      path: string;
      body: Buffer | null;
      /** Paging members of the answer to set back to the storefront's page, from the parsed answer. */
      answerPaging: (answer: unknown) => MemberEdit[];
    }
  | { rewrite: false; why: NoWindow };

/** One engine's paging: how to widen a search request to the window, and how its answer states its page. */
export interface EnginePaging {
  /** `url` is the request's path and query as the storefront sent it; `body` its body (null without one). */
  plan(method: string, url: string, body: Buffer | null, window: number): WindowPlan;
}

/** A non-negative integer from a number or a numeric string; undefined when absent; NaN when not a count. */
export function pagingCount(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : Number.NaN;
}

/** The plan for a slice: rewrite when it lies inside the window, else the reason. */
export function sliceFits(slice: Slice, window: number): NoWindow | null {
  if (Number.isNaN(slice.from) || Number.isNaN(slice.size)) return 'unknown-paging';
  if (slice.size === 0) return 'no-hits';
  return slice.from + slice.size <= window ? null : 'past-window';
}
