import type { Agent } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { parse as parseUrl } from 'node:url';
import { allowIdentityInPreflight } from './cors.js';
import { createProxyMiddleware, type RequestHandler } from 'http-proxy-middleware';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Dispatcher } from 'undici';
import { dropBodyFraming, PASSTHROUGH_HOP_BY_HOP_REQUEST, PASSTHROUGH_HOP_BY_HOP_RESPONSE } from './headers.js';
import { createFastPassthrough } from './passthrough-fast.js';
import { sendUpstreamError } from './upstream-errors.js';


export interface PassthroughOptions {
  target: string;
  timeoutMs: number;
  /** The whole upstream body within this many ms of its headers, else the stream is cut. */
  bodyTimeoutMs?: number;
  agent: Agent;
  logger: Logger;
  metrics: Metrics;
  /** Sees each proxied request and its upstream response (used by traffic taps). */
  onProxyResponse?: (req: IncomingMessage, upstream: IncomingMessage) => void;
  /** The trusted identity header (read per request: config reloads), added to preflights the backend allowed. */
  identityHeader?: () => string | undefined;
  /**
   * An undici pool to the same upstream: bodiless GET/HEAD requests take it instead of
   * http-proxy's node:http client (src/proxy/passthrough-fast.ts). Without it, everything goes
   * through http-proxy-middleware.
   */
  pool?: Dispatcher;
  /** Requests that must take http-proxy-middleware (traffic taps read its upstream response). */
  needsHpm?: (req: IncomingMessage) => boolean;
  /**
   * Send the backend its own Host (the target's authority) instead of the storefront's: the app
   * sets it unless upstream.preserveHost. `pool` must do the same (createUpstreamPool does).
   */
  backendHost?: boolean;
}

/**
 * Everything that is not a search route streams through untouched: no body parsing ahead of it,
 * bodies piped both ways (never buffered), keep-alive connections. With `pool`, bodiless GET/HEAD
 * take an undici lane that sends and answers the same bytes (passthrough-fast.ts) at about half
 * the CPU; everything else (bodies, other methods, taps, upgrades) is http-proxy-middleware's.
 * Errors: refused/reset → 502 JSON, slower than `upstream.timeoutMs` → 504 JSON.
 */
export function createPassthrough(options: PassthroughOptions): RequestHandler<IncomingMessage, ServerResponse> {
  // Parsed once here: given a string, http-proxy runs url.parse on it for every request.
  const target = parseUrl(options.target);
  const hpm = createHpmPassthrough(options, target);
  const fast = options.pool ? createFastPassthrough({ pool: options.pool, targetPath: target.path ?? '', logger: options.logger, metrics: options.metrics, bodyTimeoutMs: options.bodyTimeoutMs }) : null;
  const needsHpm = options.needsHpm;
  const handler = ((req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => {
    // node:http has already answered `Expect: 100-continue`; the expectation is this hop's, and
    // node's client renders a request carrying it at once, before hop-by-hop names can be removed.
    if (req.headers.expect !== undefined) delete req.headers.expect;
    if (fast && !needsHpm?.(req) && fast(req, res)) return Promise.resolve();
    return hpm(req, res, next);
  }) as RequestHandler<IncomingMessage, ServerResponse>;
  handler.upgrade = hpm.upgrade;
  return handler;
}

function createHpmPassthrough(options: PassthroughOptions, target: ReturnType<typeof parseUrl>): RequestHandler<IncomingMessage, ServerResponse> {
  const timedOut = new WeakSet<IncomingMessage>();
  return createProxyMiddleware<IncomingMessage, ServerResponse>({
    target,
    changeOrigin: options.backendHost === true,
    xfwd: true,
    ws: false, // upgrades are routed explicitly by the traffic server
    agent: options.agent,
    proxyTimeout: options.timeoutMs,
    ejectPlugins: true,
    plugins: [
      (proxy) => {
        proxy.on('proxyReq', (proxyReq, req) => {
          proxyReq.once('timeout', () => timedOut.add(req));
          const listed = String(req.headers.connection ?? '')
            .split(',')
            .map((h) => h.trim().toLowerCase())
            .filter((h) => h && h !== 'keep-alive' && h !== 'close');
          for (const name of [...PASSTHROUGH_HOP_BY_HOP_REQUEST, ...listed]) if (proxyReq.hasHeader(name)) proxyReq.removeHeader(name);
          for (const name of proxyReq.getHeaderNames()) if (name.startsWith('x-sidecart')) proxyReq.removeHeader(name);
        });
        proxy.on('proxyRes', (upstream, req, res) => {
          for (const name of PASSTHROUGH_HOP_BY_HOP_RESPONSE) delete upstream.headers[name];
          if (options.bodyTimeoutMs) cutAfter(upstream, res, options.bodyTimeoutMs);
          const status = upstream.statusCode ?? 0;
          dropBodyFraming(status, upstream.headers);
          if (req.method === 'OPTIONS') allowIdentityInPreflight(upstream.headers, req.headers, options.identityHeader?.());
          options.metrics.passthroughRequests.inc({ status_class: `${Math.floor(status / 100)}xx` });
          options.onProxyResponse?.(req, upstream);
        });
        proxy.on('error', (err, req, res) => {
          const response = res as ServerResponse | Socket;
          if (!('writeHead' in response)) {
            response.destroy();
            return;
          }
          const error = timedOut.has(req) ? Object.assign(new Error('upstream timeout'), { code: 'ETIMEDOUT' }) : err;
          sendUpstreamError(response, error, options.logger);
          options.metrics.passthroughRequests.inc({ status_class: String(response.statusCode) });
        });
        proxy.on('econnreset', () => {
          // The client went away mid-request; nothing to answer.
        });
      },
    ],
  });
}

/** A body still streaming `ms` after its headers is cut on both sides (the client sees it truncated). */
function cutAfter(upstream: IncomingMessage, res: ServerResponse, ms: number): void {
  const timer = setTimeout(() => {
    upstream.destroy();
    res.destroy();
  }, ms);
  upstream.once('close', () => clearTimeout(timer));
}
