import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Pool } from 'undici';
import type { SidecartConfig } from '../config/schema.js';

/** The search path's keep-alive pool. Created once; timeouts from `upstream.timeoutMs`. */
export function createUpstreamPool(upstream: SidecartConfig['upstream']): Pool {
  const origin = new URL(upstream.url).origin;
  return new Pool(origin, {
    connections: upstream.connections,
    pipelining: 1,
    keepAliveTimeout: upstream.keepAliveTimeoutMs,
    keepAliveMaxTimeout: upstream.keepAliveTimeoutMs,
    headersTimeout: upstream.timeoutMs,
    bodyTimeout: upstream.timeoutMs,
    connectTimeout: Math.min(upstream.timeoutMs, 10_000),
  });
}

/** http-proxy-middleware's keep-alive agent (without one it opens a socket per request). */
export function createPassthroughAgent(upstream: SidecartConfig['upstream']): HttpAgent {
  const options = { keepAlive: true, maxSockets: upstream.connections, maxFreeSockets: 32, timeout: upstream.keepAliveTimeoutMs };
  return new URL(upstream.url).protocol === 'https:' ? new HttpsAgent(options) : new HttpAgent(options);
}
