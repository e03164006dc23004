import { IncomingMessage, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { dropBodyFraming, isBodilessStatus, PASSTHROUGH_HOP_BY_HOP_REQUEST, PASSTHROUGH_HOP_BY_HOP_RESPONSE } from './headers.js';
import { sendUpstreamError } from './upstream-errors.js';

/**
 * The pass-through's fast lane: a bodiless GET or HEAD (the bulk of pass-through traffic) goes
 * over an undici pool instead of http-proxy's node:http client, which costs about twice the CPU
 * per request (docs/adr/hot-path-performance.md). Everything else — bodies, other methods,
 * `Expect`, unusual request targets, tapped calls, upgrades — stays on http-proxy-middleware.
 *
 * What goes out and comes back is what http-proxy-middleware (http-proxy 1.18, our options)
 * produces for the same request:
 * - path: the target's path joined with the request target (only targets where that join is a
 *   plain concatenation take this lane, see `fastPath`);
 * - request headers: the client's, minus hop-by-hop (the fixed list, `Connection` and the names
 *   it lists) and `X-Sidecart*`, plus `X-Forwarded-For/-Port/-Proto/-Host` built as http-proxy
 *   builds them (appended to the client's);
 * - response: status and reason phrase; headers merged as node:http merges them (set-cookie an
 *   array, duplicates joined or dropped), minus hop-by-hop, with `Connection` set as http-proxy's
 *   web-outgoing pass sets it; body streamed with backpressure.
 * - errors: refused/reset → 502 JSON, slower than `upstream.timeoutMs` → 504 JSON (the pool's
 *   headers/body timeouts), logged; a client that goes away aborts the upstream request.
 */

const HOP_BY_HOP_REQUEST = new Set<string>(['connection', ...PASSTHROUGH_HOP_BY_HOP_REQUEST]);
/** Request targets whose path http-proxy forwards byte for byte (url.parse escapes or rewrites others). */
const PLAIN_TARGET = /^\/[A-Za-z0-9\-._~!$&()*+,;=:@%/?]*$/;

/** node:http's own header merge (the one that builds `IncomingMessage.headers`). */
const addHeaderLine = (IncomingMessage.prototype as unknown as { _addHeaderLine(field: string, value: string, dest: IncomingHttpHeaders): void })._addHeaderLine;
const mergeState = { joinDuplicateHeaders: false };

export interface FastPassthroughOptions {
  pool: Dispatcher;
  /** The upstream URL's path ('' or '/' for none). */
  targetPath: string;
  logger: Logger;
  metrics: Metrics;
  /** The whole upstream body within this many ms of its headers, else the stream is cut. */
  bodyTimeoutMs?: number;
}

export interface FastPassthrough {
  /** Handles the request and returns true, or returns false (untouched) for the hpm lane. */
  (req: IncomingMessage, res: ServerResponse): boolean;
}

export function createFastPassthrough(options: FastPassthroughOptions): FastPassthrough | null {
  const prefix = plainPrefix(options.targetPath);
  if (prefix === null) return null;
  const { pool, logger, metrics, bodyTimeoutMs } = options;

  return (req, res) => {
    const method = req.method;
    if (method !== 'GET' && method !== 'HEAD') return false;
    const headers = req.headers;
    if (headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined || headers.expect !== undefined) return false;
    const url = req.url ?? '';
    if (!PLAIN_TARGET.test(url) || url.includes('//') || url.includes(':/')) return false;

    addForwardedHeaders(req);
    const upstreamHeaders: Record<string, string | string[]> = {};
    for (const name in headers) {
      const value = headers[name];
      if (value !== undefined && !HOP_BY_HOP_REQUEST.has(name) && !name.startsWith('x-sidecart')) upstreamHeaders[name] = value;
    }
    const connection = headers.connection;
    if (connection !== undefined && connection !== 'keep-alive' && connection !== 'close') {
      for (const token of connection.split(',')) delete upstreamHeaders[token.trim().toLowerCase()];
    }

    pool.dispatch({ method, path: prefix + url, headers: upstreamHeaders, body: null }, new FastHandler(req, res, logger, metrics, bodyTimeoutMs));
    return true;
  };
}

/** The prefix to put before the request target, or null when http-proxy's join is not a plain concatenation. */
function plainPrefix(targetPath: string): string | null {
  if (targetPath === '' || targetPath === '/') return '';
  if (!/^(\/[A-Za-z0-9\-._~!$&()*+,;=:@%]+)+\/?$/.test(targetPath)) return null;
  return targetPath.endsWith('/') ? targetPath.slice(0, -1) : targetPath;
}

/** http-proxy's XHeaders pass (xfwd: true), on req.headers as it does it. */
function addForwardedHeaders(req: IncomingMessage): void {
  const headers = req.headers;
  const encrypted = Boolean((req.socket as { encrypted?: boolean }).encrypted);
  const port = headers.host ? (/:(\d+)/.exec(headers.host)?.[1] ?? (encrypted ? '443' : '80')) : encrypted ? '443' : '80';
  const values = { for: req.socket.remoteAddress, port, proto: encrypted ? 'https' : 'http' } as const;
  for (const key of ['for', 'port', 'proto'] as const) {
    const name = `x-forwarded-${key}`;
    const previous = headers[name] as string | undefined;
    headers[name] = (previous || '') + (previous ? ',' : '') + String(values[key]);
  }
  headers['x-forwarded-host'] = headers['x-forwarded-host'] || headers.host || '';
}

/** undici's handler interface (the one Pool.dispatch calls), for one pass-through exchange. */
class FastHandler implements Dispatcher.DispatchHandler {
  private abort: ((err?: Error) => void) | null = null;
  private resume: (() => void) | null = null;
  private draining = false;
  private finished = false;
  /** The answer's status has no body (204, 304): once its headers are out it is complete. */
  private bodiless = false;
  private bodyTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly bodyTimeoutMs: number | undefined,
  ) {
    res.once('close', this.onClientClose);
  }

  /** The client went away before the answer was complete: stop the upstream request. */
  private readonly onClientClose = () => {
    if (!this.finished) this.abort?.(new Error('client closed the connection'));
  };

  private readonly onDrain = () => this.resume?.();

  /** upstream.bodyTimeoutMs passed with the body still streaming: undici's onError cuts the client's stream. */
  private readonly onBodyTimeout = () => this.abort?.(Object.assign(new Error('upstream body too slow'), { code: 'UND_ERR_BODY_TIMEOUT' }));

  onConnect(abort: (err?: Error) => void): void {
    this.abort = abort;
    if (this.res.destroyed) abort(new Error('client closed the connection'));
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (statusCode < 200) return true; // 1xx: node:http's client (and so http-proxy) does not forward these either
    const { req, res } = this;
    const headers: IncomingHttpHeaders = {};
    for (let i = 0; i < rawHeaders.length; i += 2) addHeaderLine.call(mergeState, rawHeaders[i]!.toString('latin1'), rawHeaders[i + 1]!.toString('latin1'), headers);
    for (const name of PASSTHROUGH_HOP_BY_HOP_RESPONSE) delete headers[name];
    dropBodyFraming(statusCode, headers);
    this.bodiless = isBodilessStatus(statusCode);
    // http-proxy's web-outgoing passes (removeChunked, setConnection).
    if (req.httpVersion === '1.0') {
      delete headers['transfer-encoding'];
      headers.connection = req.headers.connection || 'close';
    } else {
      headers.connection = req.headers.connection || 'keep-alive';
    }
    this.metrics.passthroughRequests.inc({ status_class: `${Math.floor(statusCode / 100)}xx` });
    this.resume = resume;
    if (this.bodyTimeoutMs) this.bodyTimer = setTimeout(this.onBodyTimeout, this.bodyTimeoutMs);
    // An empty reason phrase gets node's default, as http-proxy's writeStatusCode does.
    if (statusText) res.writeHead(statusCode, statusText, headers as OutgoingHttpHeaders);
    else res.writeHead(statusCode, headers as OutgoingHttpHeaders);
    return true;
  }

  onData(chunk: Buffer): boolean {
    const flowing = this.res.write(chunk);
    // Backpressure: returning false pauses undici until `resume`, called on the client's drain.
    if (!flowing && !this.draining) {
      this.draining = true;
      this.res.on('drain', this.onDrain);
    }
    return flowing;
  }

  onComplete(): void {
    this.finished = true;
    if (this.bodyTimer) clearTimeout(this.bodyTimer);
    this.res.end();
  }

  onError(err: Error): void {
    this.finished = true;
    if (this.bodyTimer) clearTimeout(this.bodyTimer);
    const { res } = this;
    if (res.destroyed) return; // the client is gone; nothing to answer
    // undici refuses a backend's 204 that announces a length; the client's 204 is already whole.
    if (this.bodiless && res.headersSent) {
      res.end();
      return;
    }
    sendUpstreamError(res, err, this.logger);
    if (!res.destroyed) this.metrics.passthroughRequests.inc({ status_class: String(res.statusCode) });
  }
}
