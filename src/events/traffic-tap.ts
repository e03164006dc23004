import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'http-proxy-middleware';
import type { LiveConfig } from '../config/live-config.js';
import type { TapConfig } from '../config/schema.js';
import type { IdentityResolver } from '../identity/shopper-identity.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { decodeBody } from '../proxy/decode-body.js';
import type { ProfileStore } from '../store/profile-store.js';
import { ingestEvents, type EventsAcceptedHook } from './ingest-events.js';
import { tapEvent } from './tap-events.js';
import { createTapMatcher, type TapMatcher } from './tap-matcher.js';

export interface TrafficTapDeps {
  live: LiveConfig;
  store: ProfileStore;
  identify: IdentityResolver;
  metrics: Metrics;
  logger: Logger;
  now?: () => number;
  /** Told about accepted events (experiment attribution). */
  onEventsAccepted?: EventsAcceptedHook;
}

export interface TrafficTap {
  /** The pass-through with tapped requests' bodies teed as they stream upstream. */
  wrap(passthrough: RequestHandler<IncomingMessage, ServerResponse>): RequestHandler<IncomingMessage, ServerResponse>;
  /** True for a request `wrap` matched to a tap (it must take the pass-through's http-proxy lane). */
  tapped(req: IncomingMessage): boolean;
  /** For the pass-through's `onProxyResponse` hook: a 2xx answer to a tapped call becomes an event. */
  onProxyResponse(req: IncomingMessage, upstream: IncomingMessage): void;
  /** Resolves once the tap work started so far has finished (tests, shutdown). */
  idle(): Promise<void>;
}

/** A body copied off a stream while it flows on; bounded, and dropped once it grows too large. */
interface BodyCopy {
  chunks: Buffer[];
  size: number;
  tooLarge: boolean;
  /** true when the stream ended normally (a client that went away yields false). */
  complete: Promise<boolean>;
}

interface TappedCall {
  tap: TapConfig;
  request?: BodyCopy;
}

/**
 * Traffic taps: the storefront's own cart and checkout calls already stream through the
 * pass-through; a configured tap turns a 2xx answer into a shopping event for the shopper the
 * request identifies, without touching the request or the response.
 *
 * How the body is read without changing the stream: the tee is a second `data` listener next
 * to http-proxy's pipe. The request is paused first so adding the listener does not start the
 * flow before the pipe is attached (the pipe resumes it); from then on both see every chunk
 * and the pipe's backpressure pauses both. A response is teed in the `proxyRes` hook, which
 * runs synchronously before http-proxy pipes it to the client. Bodies over the tap's
 * `maxBodyBytes` are skipped, never buffered whole.
 */
export function createTrafficTap(deps: TrafficTapDeps): TrafficTap {
  const clock = deps.now ?? Date.now;
  const calls = new WeakMap<IncomingMessage, TappedCall>();
  const pending = new Set<Promise<void>>();
  let taps = deps.live.current().events.taps;
  let matcher: TapMatcher = createTapMatcher(taps);

  const matchTap = (req: IncomingMessage): TapConfig | null => {
    const current = deps.live.current().events.taps;
    if (current !== taps) {
      taps = current;
      matcher = createTapMatcher(current);
    }
    if (matcher.empty) return null;
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    return matcher.match(req.method ?? 'GET', query === -1 ? url : url.slice(0, query));
  };

  const skip = (reason: string) => deps.metrics.eventsRejected.inc({ reason });

  const track = (work: Promise<void>) => {
    const guarded = work.catch((err: unknown) => deps.logger.warn({ err }, 'traffic tap failed; the event is lost, the call was not affected'));
    pending.add(guarded);
    void guarded.finally(() => pending.delete(guarded));
  };

  const record = async (req: IncomingMessage, tap: TapConfig, copy: BodyCopy, contentEncoding: string | undefined) => {
    if (!(await copy.complete)) return;
    if (copy.tooLarge) return skip('too-large');
    const shopper = await deps.identify(req);
    if (!shopper) return skip('no-identity');
    const raw = Buffer.concat(copy.chunks, copy.size);
    const decoded = decodeBody(raw, contentEncoding, tap.maxBodyBytes);
    if (!decoded.ok) return skip(decoded.reason === 'too-large' ? 'too-large' : 'invalid');
    let document: unknown;
    try {
      document = decoded.body.length === 0 ? null : JSON.parse(decoded.body.toString('utf8'));
    } catch {
      return skip('invalid');
    }
    const now = clock();
    const requestId = req.headers['x-request-id'];
    const outcome = tapEvent(
      tap,
      document,
      {
        shopperId: shopper.id,
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        ...(typeof requestId === 'string' && requestId.length > 0 && requestId.length <= 256 ? { requestId } : {}),
        body: decoded.body,
        now,
      },
      deps.live.current().events.maxItemsPerEvent,
    );
    if (!outcome.ok) return skip('invalid');
    await ingestEvents(deps, shopper.id, [outcome.event], 'tap', now);
  };

  return {
    wrap(passthrough) {
      const handler = ((req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => {
        const tap = matchTap(req);
        if (tap) {
          const call: TappedCall = { tap };
          if (tap.source === 'request') call.request = teeRequest(req, tap.maxBodyBytes);
          calls.set(req, call);
        }
        return passthrough(req, res, next);
      }) as RequestHandler<IncomingMessage, ServerResponse>;
      handler.upgrade = passthrough.upgrade;
      return handler;
    },

    tapped(req) {
      return calls.has(req);
    },

    onProxyResponse(req, upstream) {
      const call = calls.get(req);
      if (!call) return;
      calls.delete(req);
      const status = upstream.statusCode ?? 0;
      if (status < 200 || status > 299) return;
      if (call.request) {
        track(record(req, call.tap, call.request, firstHeader(req.headers['content-encoding'])));
      } else {
        track(record(req, call.tap, copyStream(upstream, call.tap.maxBodyBytes), firstHeader(upstream.headers['content-encoding'])));
      }
    },

    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/** Pause, then listen: the pass-through's pipe resumes the request once it is attached. */
function teeRequest(req: IncomingMessage, maxBytes: number): BodyCopy {
  req.pause();
  return copyStream(req, maxBytes);
}

function copyStream(stream: IncomingMessage, maxBytes: number): BodyCopy {
  const copy: BodyCopy = { chunks: [], size: 0, tooLarge: false, complete: Promise.resolve(false) };
  const declared = Number(stream.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    copy.tooLarge = true;
    copy.complete = Promise.resolve(true);
    return copy;
  }
  const onData = (chunk: Buffer) => {
    copy.size += chunk.length;
    if (copy.size > maxBytes) {
      copy.tooLarge = true;
      copy.chunks = [];
      stream.off('data', onData);
      return;
    }
    copy.chunks.push(chunk);
  };
  copy.complete = new Promise<boolean>((resolve) => {
    stream.once('end', () => resolve(true));
    stream.once('close', () => resolve(stream.complete));
    stream.once('error', () => resolve(false));
  });
  stream.on('data', onData);
  return copy;
}
