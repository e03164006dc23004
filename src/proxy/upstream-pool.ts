import { readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import { Pool, type Dispatcher } from 'undici';
import type { SidecartConfig } from '../config/schema.js';

type UpstreamConfig = SidecartConfig['upstream'];

/**
 * TLS options for an HTTPS backend: always verified; SNI is the backend's own host name (never
 * the storefront's Host, which `preserveHost` may forward); `caFile` adds a private CA to the
 * public ones (a `ca` option alone would replace them).
 */
function tlsOptions(upstream: UpstreamConfig): { ca?: string[]; servername?: string } {
  const url = new URL(upstream.url);
  if (url.protocol !== 'https:') return {};
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const options: { ca?: string[]; servername?: string } = {};
  if (isIP(hostname) === 0) options.servername = hostname;
  if (upstream.caFile) options.ca = [...rootCertificates, readFileSync(upstream.caFile, 'utf8')];
  return options;
}

/**
 * An undici pool to the backend that sends the backend its own Host (undici's, from the
 * origin) unless `preserveHost` is on: callers pass the storefront's headers as they came, Host
 * included, and this is the one place that decides. HTTPS requests always carry the backend's
 * server name (undici would otherwise take SNI from a forwarded Host).
 */
class UpstreamPool extends Pool {
  constructor(
    origin: string,
    options: Pool.Options,
    private readonly preserveHost: boolean,
    private readonly servername: string | undefined,
  ) {
    super(origin, options);
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const headers = this.preserveHost ? options.headers : withoutHost(options.headers);
    if (headers === options.headers && this.servername === undefined) return super.dispatch(options, handler);
    return super.dispatch({ ...options, headers, ...(this.servername ? { servername: this.servername } : {}) } as Dispatcher.DispatchOptions, handler);
  }
}

/** The headers without `host` (a copy only when there is one to drop). */
function withoutHost(headers: Dispatcher.DispatchOptions['headers']): Dispatcher.DispatchOptions['headers'] {
  if (!headers) return headers;
  if (Array.isArray(headers)) {
    // Flat [name, value, name, value, ...] form.
    const pairs = headers as string[];
    let found = false;
    for (let i = 0; i < pairs.length; i += 2) if (String(pairs[i]).toLowerCase() === 'host') found = true;
    if (!found) return headers;
    const out: string[] = [];
    for (let i = 0; i < pairs.length; i += 2) if (String(pairs[i]).toLowerCase() !== 'host') out.push(pairs[i]!, pairs[i + 1]!);
    return out;
  }
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    const entries = [...(headers as Iterable<[string, string | string[] | undefined]>)];
    return entries.some(([name]) => name.toLowerCase() === 'host') ? entries.filter(([name]) => name.toLowerCase() !== 'host') : headers;
  }
  const record = headers as Record<string, string | string[] | undefined>;
  let found = false;
  for (const name in record) if (name.toLowerCase() === 'host') found = true;
  if (!found) return headers;
  const out: Record<string, string | string[] | undefined> = {};
  for (const name in record) if (name.toLowerCase() !== 'host') out[name] = record[name];
  return out;
}

/** The search path's keep-alive pool. Created once; timeouts from `upstream.timeoutMs`. */
export function createUpstreamPool(upstream: UpstreamConfig): Pool {
  const origin = new URL(upstream.url).origin;
  const tls = tlsOptions(upstream);
  return new UpstreamPool(
    origin,
    {
      connections: upstream.connections,
      pipelining: 1,
      keepAliveTimeout: upstream.keepAliveTimeoutMs,
      keepAliveMaxTimeout: upstream.keepAliveTimeoutMs,
      headersTimeout: upstream.timeoutMs,
      bodyTimeout: upstream.timeoutMs,
      connectTimeout: Math.min(upstream.timeoutMs, 10_000),
      ...(tls.ca || tls.servername ? { connect: tls } : {}),
    },
    upstream.preserveHost,
    tls.servername,
  );
}

/** http-proxy-middleware's keep-alive agent (without one it opens a socket per request). */
export function createPassthroughAgent(upstream: UpstreamConfig): HttpAgent {
  const options = { keepAlive: true, maxSockets: upstream.connections, maxFreeSockets: 32, timeout: upstream.keepAliveTimeoutMs };
  // An agent's own options win over the request's, so SNI stays the backend's under preserveHost.
  return new URL(upstream.url).protocol === 'https:' ? new HttpsAgent({ ...options, ...tlsOptions(upstream) }) : new HttpAgent(options);
}
