// The search route's budget arithmetic: how long to wait for something that may come late, and
// whether a parse of this many bytes can still finish in the time left.

/**
 * The promise's value if it settles within `waitMs`, else `late` (the promise keeps running and
 * is ignored). With no time left, a promise that has already settled still wins.
 */
export function within<T, L>(promise: Promise<T>, waitMs: number, late: L): Promise<T | L> {
  if (waitMs <= 0) return Promise.race([promise, Promise.resolve(late)]);
  let timer: NodeJS.Timeout;
  return Promise.race([promise, new Promise<L>((resolve) => (timer = setTimeout(resolve, waitMs, late)))]).finally(() => clearTimeout(timer));
}

/**
 * JSON.parse throughput assumed when deciding whether a parse fits in the time left, in bytes
 * per ms. Measured on the 2-vCPU dev machine (Node 20, 7 runs each, toString included):
 * Elasticsearch-shaped hits 59–77 KB/ms, a long array of numbers 54–63, arrays of small objects
 * 30–46, arrays of short strings 20–31, one long string 120–290. 50 KB/ms sits below every run
 * of the search-response shape, so a body the estimate admits is rarely cut after its parse;
 * odd shapes (slower) are still caught by the check right after the parse.
 */
export const PARSE_BYTES_PER_MS = 50_000;

/** The most bytes a parse can take and still finish in `remainingMs`. */
export function parseableBytes(remainingMs: number): number {
  return remainingMs <= 0 ? 0 : remainingMs * PARSE_BYTES_PER_MS;
}
