import { EventEmitter } from 'node:events';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Dispatcher, Pool } from 'undici';
import type { SearchAdapter } from '../adapters/adapter.js';
import { multiQueryKind } from '../adapters/multi-query/multi-query-kind.js';
import type { LiveConfig } from '../config/live-config.js';
import type { RouteConfig, SidecartConfig } from '../config/schema.js';
import type { IdentityResolver, ShopperIdentity } from '../identity/shopper-identity.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { PersonalizeResult } from '../personalization/personalize.js';
import { EMPTY_SHOPPER_RECORD } from '../personalization/types.js';
import type { CoPurchaseStore } from '../store/co-purchase-store.js';
import type { ProfileStore } from '../store/profile-store.js';
import { CO_PURCHASE_WAIT_SHARE, readCoPurchases } from './co-purchase-read.js';
import { codingsToUndo, decodeWithin } from './decode-body.js';
import { searchAnswerCors } from './cors.js';
import { passthroughResponseHeaders, upstreamRequestHeaders, withVary } from './headers.js';
import type { PassthroughReason } from './passthrough-reason.js';
import { personalizeBody } from './personalize-body.js';
import { personalizeMultiQuery } from './personalize-multi-query.js';
import { sendOriginal, sendPersonalized } from './search-answers.js';
import { parseableBytes, within } from './search-budget.js';
import { HeaderMemo, headerString } from './search-header-memo.js';
import { teeRequestBody, type RequestCopy } from './search-request-body.js';
import type { SearchServed, VariantAssignment } from './search-served.js';
import type { Buffered, Gated, Outcome, Search } from './search-types.js';
import { bufferBody, streamThrough } from './search-upstream-body.js';
import { backendWindowPage, personalizeInWindow } from './search-window-answer.js';
import { windowRequest } from './search-window.js';
import { sendUpstreamError, upstreamErrorStatus } from './upstream-errors.js';
import { WindowCache } from './window-cache.js';

export type { SearchServed, VariantAssignment } from './search-served.js';

export interface SearchRouteDeps {
  live: LiveConfig;
  pool: Pool;
  store: ProfileStore;
  identify: IdentityResolver;
  adapterFor: (route: RouteConfig) => SearchAdapter;
  metrics: Metrics;
  logger: Logger;
  /** Experiments (optional): assigns a shopper to a variant on a route. */
  assignVariant?: (route: RouteConfig, shopper: ShopperIdentity) => VariantAssignment | null;
  /** Called once per search response after it is sent. */
  onServed?: (served: SearchServed) => void;
  /** Header name under which the variant is exposed to the storefront. */
  variantHeader?: string;
  /** Store-wide co-purchase counts (complementary feature; read only when the store enables them). */
  coPurchases?: CoPurchaseStore;
}


/**
 * The search-route interceptor, in phases: forward (the profile read starts together with the
 * upstream request, so it usually costs nothing) → buffer (bounded) → gate (every reason not to
 * personalize, and the budget for decode and parse) → personalize → send. Any miss sends the
 * upstream's own status, headers and bytes with a reason.
 */
export function createSearchHandler(deps: SearchRouteDeps) {
  const upstreamPrefix = new URL(deps.live.current().upstream.url).pathname.replace(/\/$/, '');
  const memo = new HeaderMemo();
  const windows = new WindowCache();

  return async function handleSearch(req: IncomingMessage, res: ServerResponse, route: RouteConfig): Promise<void> {
    const search = await begin(deps, req, res, route);
    const upstream = await forward(deps, search, upstreamPrefix);
    if (!upstream) return;
    const buffered = await buffer(deps, search, upstream, memo);
    if (!buffered) return;
    // Without a window the backend's bytes; with one, the page asked for of the backend's window.
    const fallback = (reason: PassthroughReason, result?: PersonalizeResult) =>
      search.window ? sendWindowPage(deps, search, buffered, reason, memo, result) : sendBackendBytes(deps, search, buffered, reason, result);
    const gated = await gate(deps, search, buffered, memo);
    if (typeof gated === 'string') return fallback(gated);
    const outcome = await personalizeSearch(deps, search, buffered, gated, windows);
    if (!outcome.ok) return fallback(outcome.reason, outcome.lists[0]?.result);
    if (route.shadow) {
      for (const list of outcome.lists) deps.metrics.shadowDisplacement.observe({ route: route.path }, topDisplacement(list.result.order));
      return fallback('shadow', outcome.lists[0]?.result);
    }
    sendPersonalizedSearch(deps, search, buffered, outcome, memo);
  };
}

/** Who the shopper is, their variant, and the reads that can start before the backend answers. */
async function begin(deps: SearchRouteDeps, req: IncomingMessage, res: ServerResponse, route: RouteConfig): Promise<Search> {
  const config = deps.live.current();
  const identity = await deps.identify(req);
  const assignment = identity && deps.assignVariant ? deps.assignVariant(route, identity) : null;
  const wantsPersonalization = config.personalization.enabled && identity !== null && (assignment?.personalize ?? true);
  const now = Date.now();
  const storeRead = wantsPersonalization ? deps.store.read(identity!.id, now).catch(() => null) : null;
  const multiQuery = multiQueryKind(req.method, req.url ?? '/', route.adapter);
  const search: Search = { req, res, route, config, identity, assignment, now, upstreamStart: 0, storeRead, settledRead: {}, coPurchaseRead: null, cancel: new EventEmitter(), cancelled: false, multiQuery, requestCopy: null, window: null, unwidened: null };
  storeRead?.then((value) => (search.settledRead.value = value));
  // Co-purchase counts need the shopper's anchors, so they are read right after the profile,
  // still while the backend answers. Nothing at all happens here with the store switch off.
  if (storeRead && deps.coPurchases && config.personalization.complementaryStoreWide) {
    const store = deps.coPurchases;
    // Never rejects: the search may already have answered without waiting for it.
    search.coPurchaseRead = storeRead
      .then((read) => (read ? (readCoPurchases(store, config.personalization, read.record ?? EMPTY_SHOPPER_RECORD, now) ?? undefined) : undefined))
      .catch(() => undefined);
  }
  res.once('close', () => {
    if (res.writableFinished) return;
    search.cancelled = true;
    search.cancel.emit('abort');
  });
  return search;
}

/** The request to the backend; null when it failed (answered 502/504 here). */
async function forward(deps: SearchRouteDeps, search: Search, upstreamPrefix: string): Promise<Dispatcher.ResponseData | null> {
  const { req, res, route, config } = search;
  let url = req.url ?? '/';
  let body: Dispatcher.DispatchOptions['body'] = req.method === 'POST' ? req : null;
  // Only when it will be read: the personalization of a multi-query answer labels sub-results by their queries.
  if (body && search.multiQuery && search.storeRead) {
    const tee = teeRequestBody(req, config.search.maxRequestBytes);
    body = tee.forward;
    search.requestCopy = tee.copy;
  } else if (route.rerankWindow && !search.multiQuery && search.storeRead && search.identity) {
    // Only for a shopper it may personalize: everyone else's request goes out as sent.
    const widened = await windowRequest(req, { ...route, rerankWindow: route.rerankWindow }, search.identity.id, config.search.maxRequestBytes);
    url = widened.url;
    body = widened.body;
    search.window = widened.window;
    if (widened.why) search.unwidened = widened.why === 'past-window' || widened.why === 'request-too-large' ? widened.why : 'no-window';
  }
  const headers = upstreamRequestHeaders(req.headers, { remoteAddress: req.socket.remoteAddress, encrypted: 'encrypted' in req.socket });
  if (Buffer.isBuffer(body)) headers['content-length'] = String(body.length);
  search.upstreamStart = performance.now();
  try {
    return await deps.pool.request({
      method: req.method as Dispatcher.HttpMethod,
      path: upstreamPrefix + url,
      headers,
      body,
      signal: search.cancel,
    });
  } catch (err) {
    if (!search.cancelled) sendUpstreamError(res, err, deps.logger);
    deps.metrics.requests.inc({ route: search.route.path, outcome: 'upstream-error', reason: String(upstreamErrorStatus(err)) });
    return null;
  }
}

/**
 * The backend's body in memory, bounded by search.maxBodyBytes and upstream.bodyTimeoutMs; null
 * when it was answered here instead (streamed through, or an error).
 */
async function buffer(deps: SearchRouteDeps, search: Search, upstream: Dispatcher.ResponseData, memo: HeaderMemo): Promise<Buffered | null> {
  const { config, route, res } = search;
  const headers = responseHeaders(deps, search, upstream, memo);
  const bodyDeadline = performance.now() + config.upstream.bodyTimeoutMs;
  // Non-2xx and declared-too-large bodies stream straight through, never buffered.
  const declaredLength = Number(upstream.headers['content-length'] ?? -1);
  const early = upstream.statusCode < 200 || upstream.statusCode >= 300 ? 'upstream-status' : declaredLength > config.search.maxBodyBytes ? 'too-large' : null;
  if (early) {
    streamThrough(res, upstream, headers, [], early, bodyDeadline);
    report(deps, search, 'passthrough', early);
    return null;
  }
  const chunks: Buffer[] = [];
  const complete = await bufferBody(upstream.body, chunks, config.search.maxBodyBytes, bodyDeadline);
  if (complete === 'too-large') {
    streamThrough(res, upstream, headers, chunks, 'too-large', bodyDeadline);
    report(deps, search, 'passthrough', 'too-large');
    return null;
  }
  if (complete !== 'done') {
    // Nothing has been sent yet: a body that broke off is a clean 502, one past upstream.bodyTimeoutMs a 504.
    const err = complete === 'timeout' ? { code: 'UND_ERR_BODY_TIMEOUT', message: 'upstream body too slow' } : { code: 'UND_ERR_SOCKET', message: 'upstream body ended early' };
    if (!search.cancelled) sendUpstreamError(res, Object.assign(new Error(err.message), { code: err.code }), deps.logger);
    if (complete === 'timeout') deps.metrics.requests.inc({ route: route.path, outcome: 'upstream-error', reason: '504' });
    return null;
  }
  deps.metrics.upstreamDuration.observe({ route: route.path }, (performance.now() - search.upstreamStart) / 1000);
  const start = performance.now();
  return { upstream, headers, raw: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), start, deadline: start + route.budgetMs };
}

/** The backend's headers as the client gets them with the backend's body (plus the variant, if any). */
function responseHeaders(deps: SearchRouteDeps, search: Search, upstream: Dispatcher.ResponseData, memo: HeaderMemo): OutgoingHttpHeaders {
  const headers = passthroughResponseHeaders(upstream.headers);
  // Whether an answer is personalized depends on who asks, so every answer of a search route
  // varies on the identity: a shared cache must not hand one shopper's backend bytes to another
  // whose answer would be personalized.
  withVary(headers, memo.varyOn(search.config));
  // The variant is per shopper even when the body is the backend's.
  if (search.assignment && deps.variantHeader) headers[deps.variantHeader] = `${search.assignment.experiment}=${search.assignment.variant}`;
  // A browser page on another origin may read X-Sidecart and Server-Timing where it may read the answer.
  if (searchAnswerCors(headers, search.req.headers, search.config.cors.allowedOrigins)) withVary(headers, ['Origin']);
  return headers;
}

/** Every reason not to personalize, in order; else the shopper's record and the decoded body. */
async function gate(deps: SearchRouteDeps, search: Search, buffered: Buffered, memo: HeaderMemo): Promise<Gated | PassthroughReason> {
  const { config, identity, assignment } = search;
  if (!config.personalization.enabled) return 'disabled';
  if (!identity) return 'no-identity';
  if (assignment && !assignment.personalize) return 'control-group';
  if (search.unwidened) return search.unwidened;
  if (!memo.isJson(buffered.upstream.headers['content-type'], search.route.adapter)) return 'not-json';
  const read = 'value' in search.settledRead ? search.settledRead.value! : await within(search.storeRead!, buffered.deadline - performance.now(), 'timeout' as const);
  if (read === 'timeout') return 'budget';
  if (read === null) return 'store-unavailable';
  const record = read.record ?? EMPTY_SHOPPER_RECORD;
  if (record.settings && !record.settings.personalization) return 'opted-out';
  if (!record.profile && !record.settings) return 'no-profile';
  const body = await decoded(search.config, buffered);
  if (typeof body === 'string') return body;
  if (!search.requestCopy) return { record, body };
  const requestBody = await requestRead(search.requestCopy, buffered.deadline);
  return typeof requestBody === 'string' ? requestBody : { record, body, requestBody };
}

/** A multi-query search's request body, read while it was forwarded (it has almost always ended by the time the backend answered). */
async function requestRead(copy: RequestCopy, deadline: number): Promise<Buffer | PassthroughReason> {
  if (copy.body() === null && !copy.overLimit()) await within(copy.settled, deadline - performance.now(), undefined);
  if (copy.overLimit()) return 'request-too-large';
  return copy.body() ?? 'budget';
}

/**
 * The body to parse, inside the budget: inflated incrementally and only as far as a parse could
 * still finish in the time left; a parse that cannot finish is never started.
 */
async function decoded(config: SidecartConfig, buffered: Buffered): Promise<Buffer | PassthroughReason> {
  const codings = codingsToUndo(headerString(buffered.upstream.headers['content-encoding']));
  if (codings === null) return 'unknown-encoding';
  let body = buffered.raw;
  if (codings.length > 0) {
    const result = await decodeWithin(body, codings, { maxDecodedBytes: config.search.maxDecodedBytes, deadline: buffered.deadline });
    if (!result.ok) return result.reason;
    body = result.body;
  } else if (body.length > config.search.maxDecodedBytes) return 'too-large';
  return body.length > parseableBytes(buffered.deadline - performance.now()) ? 'budget' : body;
}

/**
 * Parse → rank → splice, with the budget checked between the steps; never throws. A multi-query
 * answer is personalized sub-result by sub-result, under the same budget.
 */
async function personalizeSearch(deps: SearchRouteDeps, search: Search, buffered: Buffered, gated: Gated, windows: WindowCache): Promise<Outcome> {
  const { req, route, config } = search;
  const { deadline } = buffered;
  // Counts not there yet get a quarter of the budget at most; later ones are ignored.
  const coPurchases = search.coPurchaseRead ? await within(search.coPurchaseRead, Math.min(route.budgetMs * CO_PURCHASE_WAIT_SHARE, deadline - performance.now()), undefined) : undefined;
  try {
    const input = {
      body: gated.body,
      adapter: deps.adapterFor(route),
      record: gated.record,
      strength: search.assignment?.strength ?? route.strength,
      config: config.personalization,
      sectionKey: config.search.sectionKey,
      explain: req.headers[config.search.explainHeader] === '1',
      now: search.now,
      overBudget: () => performance.now() > deadline,
      coPurchases,
    };
    if (search.window) return personalizeInWindow(search, input, search.window, windows);
    if (search.multiQuery) {
      const multi = personalizeMultiQuery({ ...input, kind: search.multiQuery, requestBody: gated.requestBody ?? Buffer.alloc(0), requestUrl: req.url ?? '/', indexes: route.indexes });
      if (!multi.ok) return { ok: false, reason: multi.reason, lists: multi.personalized ?? [] };
      return { ok: true, body: multi.body, bodyBytes: multi.bodyBytes, lists: multi.personalized, multiQuery: true };
    }
    const single = personalizeBody(input);
    if (!single.ok) return { ok: false, reason: single.reason, lists: single.result ? [{ result: single.result, hits: [] }] : [] };
    return { ok: true, body: single.body, bodyBytes: single.bodyBytes, lists: [{ result: single.result, hits: single.hits }], multiQuery: false };
  } catch (err) {
    deps.logger.warn({ err, route: route.path, requestId: req.headers['x-request-id'] }, 'personalization failed; sent the backend response');
    return { ok: false, reason: 'error', lists: [] };
  }
}


/** A widened search not personalized: the page asked for of the backend's window, in its order. */
async function sendWindowPage(deps: SearchRouteDeps, search: Search, buffered: Buffered, reason: PassthroughReason, memo: HeaderMemo, result?: PersonalizeResult): Promise<void> {
  const page = await backendWindowPage(deps.adapterFor(search.route), search, buffered);
  if (!page) return sendBackendBytes(deps, search, buffered, reason, result);
  const dur = performance.now() - buffered.start;
  deps.metrics.overhead.observe({ route: search.route.path }, dur / 1000);
  sendPersonalized(search.res, buffered.upstream.statusCode, buffered.headers, page, page.length, memo.varyOn(search.config), dur, `passthrough; reason=${reason}`);
  report(deps, search, 'passthrough', reason, result);
}

function sendBackendBytes(deps: SearchRouteDeps, search: Search, buffered: Buffered, reason: PassthroughReason, result?: PersonalizeResult): void {
  const dur = performance.now() - buffered.start;
  deps.metrics.overhead.observe({ route: search.route.path }, dur / 1000);
  sendOriginal(search.res, buffered.upstream.statusCode, buffered.headers, buffered.raw, reason, dur);
  report(deps, search, 'passthrough', reason, result);
}

function sendPersonalizedSearch(deps: SearchRouteDeps, search: Search, buffered: Buffered, outcome: Extract<Outcome, { ok: true }>, memo: HeaderMemo): void {
  const dur = performance.now() - buffered.start;
  const { lists } = outcome;
  deps.metrics.overhead.observe({ route: search.route.path }, dur / 1000);
  // A multi-query answer says how many of its result lists were personalized.
  const label = outcome.multiQuery ? `personalized; count=${lists.length}` : 'personalized';
  sendPersonalized(search.res, buffered.upstream.statusCode, buffered.headers, outcome.body, outcome.bodyBytes, memo.varyOn(search.config), dur, label);
  deps.metrics.personalizedResults.inc({ route: search.route.path }, lists.length);
  // The ids in the order shown (every personalized list's), only when an experiment's attribution will read them.
  const hitIds = search.assignment && deps.onServed ? lists.flatMap((list) => shownIds(list.result.order, list.hits)) : undefined;
  report(deps, search, 'personalized', undefined, lists[0]!.result, hitIds);
}

/** Counts the outcome and tells experiments (after the response is on its way). */
function report(deps: SearchRouteDeps, search: Search, outcome: SearchServed['outcome'], reason?: PassthroughReason, result?: PersonalizeResult, hitIds?: string[]): void {
  const { route, identity, assignment, now } = search;
  deps.metrics.requests.inc({ route: route.path, outcome, reason: reason ?? '' });
  if (assignment) deps.metrics.experimentExposures.inc({ experiment: assignment.experiment, variant: assignment.variant });
  deps.onServed?.({ route, shopper: identity, outcome, reason, assignment, result, ...(hitIds ? { hitIds } : {}), now });
}


function shownIds(order: readonly number[], hits: readonly { id: string }[]): string[] {
  const ids = new Array<string>(order.length);
  for (let i = 0; i < order.length; i++) ids[i] = hits[order[i]!]?.id ?? '';
  return ids;
}

/** Mean absolute position change of the first 10 hits of the personalized order. */
function topDisplacement(order: number[]): number {
  const top = order.slice(0, 10);
  if (top.length === 0) return 0;
  return top.reduce((sum, original, position) => sum + Math.abs(original - position), 0) / top.length;
}
