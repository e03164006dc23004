import { EventEmitter } from 'node:events';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Dispatcher, Pool } from 'undici';
import type { SearchAdapter } from '../adapters/adapter.js';
import type { LiveConfig } from '../config/live-config.js';
import type { PersonalizationConfig, RouteConfig } from '../config/schema.js';
import { identityVaryHeaders, type IdentityResolver, type ShopperIdentity } from '../identity/shopper-identity.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { CoPurchases, PersonalizeResult } from '../personalization/personalize.js';
import type { ShopperRecord } from '../personalization/types.js';
import type { CoPurchaseStore } from '../store/co-purchase-store.js';
import type { ProfileStore, StoreRead } from '../store/profile-store.js';
import { CO_PURCHASE_WAIT_SHARE, coPurchasesWithin, readCoPurchases } from './co-purchase-read.js';
import { codingsToUndo, decodeWithin } from './decode-body.js';
import { isBodilessStatus, passthroughResponseHeaders, personalizedResponseHeaders, upstreamRequestHeaders, withVary } from './headers.js';
import type { PassthroughReason } from './passthrough-reason.js';
import { personalizeBody } from './personalize-body.js';
import { parseableBytes } from './search-budget.js';
import { sendUpstreamError, upstreamErrorStatus } from './upstream-errors.js';

/** An experiment's say on one search: which variant, and whether it personalizes. */
export interface VariantAssignment {
  experiment: string;
  variant: string;
  personalize: boolean;
  strength?: number;
}

/** What happened on one search response, for attribution and shadow measurements. */
export interface SearchServed {
  route: RouteConfig;
  shopper: ShopperIdentity | null;
  outcome: 'personalized' | 'passthrough';
  reason?: PassthroughReason;
  assignment: VariantAssignment | null;
  /** Set when personalization ran (also in shadow mode and when the budget cut it off). */
  result?: PersonalizeResult;
  hitIds?: string[];
  now: number;
}

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

const EMPTY_RECORD: ShopperRecord = { profile: null, settings: null, session: null };

/**
 * The search-route interceptor: forward with the undici pool, buffer (bounded), then personalize
 * under the route's deadline — or send the upstream's own status, headers and bytes with a reason.
 * The profile read starts together with the upstream request, so it usually costs nothing.
 */
export function createSearchHandler(deps: SearchRouteDeps) {
  const upstreamPrefix = new URL(deps.live.current().upstream.url).pathname.replace(/\/$/, '');

  return async function handleSearch(req: IncomingMessage, res: ServerResponse, route: RouteConfig): Promise<void> {
    const config = deps.live.current();
    const identity = await deps.identify(req);
    const assignment = identity && deps.assignVariant ? deps.assignVariant(route, identity) : null;
    const wantsPersonalization = config.personalization.enabled && identity !== null && (assignment?.personalize ?? true);
    const now = Date.now();
    const storeRead: Promise<StoreRead | null> | null = wantsPersonalization
      ? deps.store.read(identity!.id, now).catch(() => null)
      : null;
    // Usually settled by the time the backend has answered (always with the memory store): then
    // the value is taken as is, without a race against a budget timer.
    const settledRead: { value?: StoreRead | null } = {};
    storeRead?.then((value) => (settledRead.value = value));
    // Co-purchase counts need the shopper's anchors, so they are read right after the profile,
    // still while the backend answers. Nothing at all happens here with the store switch off.
    const coPurchaseRead =
      storeRead && deps.coPurchases && config.personalization.complementaryStoreWide
        ? startCoPurchaseRead(storeRead, deps.coPurchases, config.personalization, now)
        : null;

    // A client gone before its answer cancels the upstream request. undici takes an EventEmitter
    // as the signal (documented); it costs a fraction of an AbortController per search.
    const cancel = new EventEmitter();
    let cancelled = false;
    res.once('close', () => {
      if (res.writableFinished) return;
      cancelled = true;
      cancel.emit('abort');
    });

    const upstreamStart = performance.now();
    let upstream: Dispatcher.ResponseData;
    try {
      const hasBody = req.method === 'POST';
      upstream = await deps.pool.request({
        method: req.method as Dispatcher.HttpMethod,
        path: upstreamPrefix + (req.url ?? '/'),
        headers: upstreamRequestHeaders(req.headers, { remoteAddress: req.socket.remoteAddress, encrypted: 'encrypted' in req.socket }),
        body: hasBody ? req : null,
        signal: cancel,
      });
    } catch (err) {
      if (!cancelled) sendUpstreamError(res, err, deps.logger);
      deps.metrics.requests.inc({ route: route.path, outcome: 'upstream-error', reason: String(upstreamErrorStatus(err)) });
      return;
    }

    const served = (outcome: SearchServed['outcome'], reason?: PassthroughReason, result?: PersonalizeResult, hitIds?: string[]) => {
      deps.metrics.requests.inc({ route: route.path, outcome, reason: reason ?? '' });
      if (assignment) deps.metrics.experimentExposures.inc({ experiment: assignment.experiment, variant: assignment.variant });
      deps.onServed?.({ route, shopper: identity, outcome, reason, assignment, result, ...(hitIds ? { hitIds } : {}), now });
    };
    const headers = passthroughResponseHeaders(upstream.headers);
    if (assignment && deps.variantHeader) {
      // The variant is per shopper even when the body is the backend's: no shared cache may reuse it.
      headers[deps.variantHeader] = `${assignment.experiment}=${assignment.variant}`;
      withVary(headers, varyHeaders(config));
    }

    // Non-2xx and declared-too-large bodies stream straight through, never buffered.
    const declaredLength = Number(upstream.headers['content-length'] ?? -1);
    const firstReason: PassthroughReason | null =
      upstream.statusCode < 200 || upstream.statusCode >= 300
        ? 'upstream-status'
        : declaredLength > config.search.maxBodyBytes
          ? 'too-large'
          : null;
    const bodyDeadline = performance.now() + config.upstream.bodyTimeoutMs;
    if (firstReason) {
      streamThrough(res, upstream, headers, [], firstReason, 0, bodyDeadline);
      served('passthrough', firstReason);
      return;
    }

    const chunks: Buffer[] = [];
    const complete = await bufferBody(upstream.body, chunks, config.search.maxBodyBytes, bodyDeadline);
    if (complete === 'too-large') {
      streamThrough(res, upstream, headers, chunks, 'too-large', 0, bodyDeadline);
      served('passthrough', 'too-large');
      return;
    }
    if (complete === 'error') {
      // The upstream broke mid-body; nothing has been sent yet, so the client gets a clean 502.
      sendUpstreamError(res, Object.assign(new Error('upstream body ended early'), { code: 'UND_ERR_SOCKET' }), deps.logger);
      return;
    }
    if (complete === 'timeout') {
      // upstream.bodyTimeoutMs: a body still arriving (however slowly) past its overall deadline.
      if (!cancelled) sendUpstreamError(res, Object.assign(new Error('upstream body too slow'), { code: 'UND_ERR_BODY_TIMEOUT' }), deps.logger);
      deps.metrics.requests.inc({ route: route.path, outcome: 'upstream-error', reason: '504' });
      return;
    }
    deps.metrics.upstreamDuration.observe({ route: route.path }, (performance.now() - upstreamStart) / 1000);

    // From here on the route's budget runs.
    const start = performance.now();
    const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    const original = (reason: PassthroughReason, result?: PersonalizeResult) => {
      const dur = performance.now() - start;
      deps.metrics.overhead.observe({ route: route.path }, dur / 1000);
      sendOriginal(res, upstream.statusCode, headers, raw, reason, dur);
      served('passthrough', reason, result);
    };

    if (!config.personalization.enabled) return original('disabled');
    if (!identity) return original('no-identity');
    if (assignment && !assignment.personalize) return original('control-group');
    if (!isJson(upstream.headers['content-type'])) return original('not-json');

    const budgetMs = route.budgetMs;
    const read = 'value' in settledRead ? settledRead.value! : await withinBudget(storeRead!, budgetMs - (performance.now() - start));
    if (read === 'timeout') return original('budget');
    if (read === null) return original('store-unavailable');
    const record = read.record ?? EMPTY_RECORD;
    if (record.settings && !record.settings.personalization) return original('opted-out');
    if (!record.profile && !record.settings) return original('no-profile');

    // Decode and parse are inside the budget: a body whose parse cannot finish in the time left
    // is never decoded further or parsed.
    const codings = codingsToUndo(headerString(upstream.headers['content-encoding']));
    if (codings === null) return original('unknown-encoding');
    const deadline = start + budgetMs;
    let body = raw;
    if (codings.length > 0) {
      const decoded = await decodeWithin(raw, codings, { maxDecodedBytes: config.search.maxDecodedBytes, deadline });
      if (!decoded.ok) return original(decoded.reason);
      body = decoded.body;
    } else if (raw.length > config.search.maxDecodedBytes) return original('too-large');
    if (body.length > parseableBytes(deadline - performance.now())) return original('budget');

    // Counts not there yet get a quarter of the budget at most; later ones are ignored.
    const coPurchases = coPurchaseRead
      ? await coPurchasesWithin(coPurchaseRead, Math.min(budgetMs * CO_PURCHASE_WAIT_SHARE, budgetMs - (performance.now() - start)))
      : undefined;

    let outcome;
    try {
      outcome = personalizeBody({
        body,
        adapter: deps.adapterFor(route),
        record,
        strength: assignment?.strength ?? route.strength,
        config: config.personalization,
        sectionKey: config.search.sectionKey,
        explain: req.headers[config.search.explainHeader] === '1',
        now,
        overBudget: () => performance.now() > deadline,
        coPurchases,
      });
    } catch (err) {
      deps.logger.warn({ err, route: route.path, requestId: req.headers['x-request-id'] }, 'personalization failed; sent the backend response');
      return original('error');
    }
    if (!outcome.ok) return original(outcome.reason, outcome.result);
    if (route.shadow) {
      deps.metrics.shadowDisplacement.observe({ route: route.path }, topDisplacement(outcome.result.order));
      return original('shadow', outcome.result);
    }

    const dur = performance.now() - start;
    deps.metrics.overhead.observe({ route: route.path }, dur / 1000);
    const out = personalizedResponseHeaders(headers, outcome.bodyBytes, varyHeaders(config));
    out['x-sidecart'] = 'personalized';
    out['server-timing'] = serverTiming(headers['server-timing'], dur);
    res.writeHead(upstream.statusCode, out);
    res.end(outcome.body);
    // The ids in the order shown, only when an experiment's attribution will read them.
    const hitIds = assignment && deps.onServed ? shownIds(outcome.result.order, outcome.hits) : undefined;
    served('personalized', undefined, outcome.result, hitIds);
  };
}

let cachedVary: { identity: unknown; vary: string[] } | null = null;
function varyHeaders(config: ReturnType<LiveConfig['current']>): string[] {
  if (cachedVary?.identity !== config.identity) cachedVary = { identity: config.identity, vary: identityVaryHeaders(config.identity) };
  return cachedVary.vary;
}

function headerString(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

let lastContentType: { value: string | string[] | undefined; json: boolean } = { value: undefined, json: false };
function isJson(contentType: string | string[] | undefined): boolean {
  // A backend sends the same Content-Type on every search: one parse, not one per response.
  if (contentType !== lastContentType.value) {
    const type = headerString(contentType)?.split(';')[0]?.trim().toLowerCase();
    lastContentType = { value: contentType, json: type === 'application/json' || (type !== undefined && type.endsWith('+json')) };
  }
  return lastContentType.json;
}

function serverTiming(upstream: OutgoingHttpHeaders[string], durMs: number): string {
  const own = `sidecart;dur=${durMs.toFixed(2)}`;
  return upstream ? `${Array.isArray(upstream) ? upstream.join(', ') : String(upstream)}, ${own}` : own;
}

function sendOriginal(res: ServerResponse, status: number, headers: OutgoingHttpHeaders, body: Buffer, reason: PassthroughReason, durMs: number): void {
  const out = { ...headers, 'x-sidecart': `passthrough; reason=${reason}`, 'server-timing': serverTiming(headers['server-timing'], durMs) };
  // The upstream framed the body with its own length or chunking; we send the exact bytes with a
  // length — except on 204 and 304, which never have a body and must not get a length from us.
  if (out['content-length'] === undefined && !isBodilessStatus(status)) out['content-length'] = String(body.length);
  res.writeHead(status, out);
  res.end(body);
}

function streamThrough(
  res: ServerResponse,
  upstream: Dispatcher.ResponseData,
  headers: OutgoingHttpHeaders,
  already: Buffer[],
  reason: PassthroughReason,
  durMs: number,
  bodyDeadline: number,
): void {
  res.writeHead(upstream.statusCode, { ...headers, 'x-sidecart': `passthrough; reason=${reason}`, 'server-timing': serverTiming(headers['server-timing'], durMs) });
  for (const chunk of already) res.write(chunk);
  // Past upstream.bodyTimeoutMs the stream is cut: the client sees a truncated body, not a hang.
  const timer = setTimeout(() => {
    upstream.body.destroy();
    res.destroy();
  }, Math.max(0, bodyDeadline - performance.now()));
  upstream.body.once('close', () => clearTimeout(timer));
  upstream.body.on('error', () => res.destroy());
  upstream.body.pipe(res);
}

/**
 * Buffers up to `limit` bytes. On overflow it stops reading (the stream is left paused for
 * piping); past `deadline` (performance.now()) it drops the body ('timeout').
 */
function bufferBody(body: Dispatcher.ResponseData['body'], chunks: Buffer[], limit: number, deadline: number): Promise<'done' | 'too-large' | 'error' | 'timeout'> {
  return new Promise((resolve) => {
    let size = 0;
    const settle = (outcome: 'done' | 'too-large' | 'error' | 'timeout') => {
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      body.off('data', onData);
      body.destroy();
      settle('timeout');
    }, Math.max(0, deadline - performance.now()));
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
      if (size > limit) {
        body.off('data', onData);
        body.off('end', onEnd);
        body.off('error', onError);
        body.pause();
        settle('too-large');
      }
    };
    const onEnd = () => settle('done');
    const onError = () => settle('error');
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', onError);
  });
}

function startCoPurchaseRead(storeRead: Promise<StoreRead | null>, store: CoPurchaseStore, config: PersonalizationConfig, now: number): Promise<CoPurchases | undefined> {
  // Never rejects: the search may already have answered without waiting for it.
  return storeRead.then((read) => (read ? (readCoPurchases(store, config, read.record ?? EMPTY_RECORD, now) ?? undefined) : undefined)).catch(() => undefined);
}

function withinBudget<T>(promise: Promise<T>, remainingMs: number): Promise<T | 'timeout'> {
  if (remainingMs <= 0) return Promise.resolve('timeout');
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), remainingMs);
    }),
  ]).finally(() => clearTimeout(timer));
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
