import { performance } from 'node:perf_hooks';
import type { SearchAdapter } from '../adapters/adapter.js';
import type { SidecartConfig } from '../config/schema.js';
import { codingsToUndo, decodeWithin } from './decode-body.js';
import type { PersonalizeBodyInput } from './personalize-body.js';
import { backendSlice, personalizeWindow } from './personalize-window.js';
import { headerString } from './search-header-memo.js';
import type { Buffered, Outcome, Search } from './search-types.js';
import type { SearchWindow } from './search-window.js';
import type { WindowCache } from './window-cache.js';

// The search route's rerank window, on the answer side: the page of a ranked window, or of the
// backend's own window when it is not personalized.

/** All of the window ranked, the page asked for answered; its ranking kept for the shopper's next pages. */
export function personalizeInWindow(search: Search, input: PersonalizeBodyInput, window: SearchWindow, windows: WindowCache): Outcome {
  const { config, route, now } = search;
  const ranked = windows.get(window.cacheKey, now, config.search.windowCacheTtlMs);
  const out = personalizeWindow({ ...input, slice: window.slice, answerPaging: window.answerPaging, ranked });
  if (!out.ok) return { ok: false, reason: out.reason, lists: out.result ? [{ result: out.result, hits: [] }] : [] };
  // A shadow route's shoppers saw the backend's order: nothing of this ranking is theirs to keep.
  if (!route.shadow && out.ranked.fingerprint !== ranked?.fingerprint) windows.set(window.cacheKey, out.ranked, now, config.search.windowCacheEntries);
  return { ok: true, body: out.body, bodyBytes: out.bodyBytes, lists: [{ result: out.result, hits: out.hits }], multiQuery: false };
}

/**
 * A widened search that is not personalized still answers the page asked for: those hits of the
 * backend's window, in its order, with the backend's totals and facets (never the whole window).
 * null only when the window cannot be read at all (it then goes out as the backend sent it).
 */
export async function backendWindowPage(adapter: SearchAdapter, search: Search, buffered: Buffered): Promise<Buffer | null> {
  const window = search.window!;
  const body = await windowBody(search.config, buffered);
  return body && backendSlice(body, adapter, window.slice, window.answerPaging);
}

/** The window's body decoded, whatever the budget (the page must be cut from it); null when it cannot be. */
async function windowBody(config: SidecartConfig, buffered: Buffered): Promise<Buffer | null> {
  const codings = codingsToUndo(headerString(buffered.upstream.headers['content-encoding']));
  if (codings === null) return null;
  if (codings.length === 0) return buffered.raw;
  const decoded = await decodeWithin(buffered.raw, codings, { maxDecodedBytes: config.search.maxDecodedBytes, deadline: performance.now() + config.upstream.bodyTimeoutMs });
  return decoded.ok ? decoded.body : null;
}
