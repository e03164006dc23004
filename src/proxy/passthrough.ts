import type { Agent } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createProxyMiddleware, type RequestHandler } from 'http-proxy-middleware';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { sendUpstreamError } from './upstream-errors.js';

const HOP_BY_HOP_REQUEST = ['keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'upgrade'];
const HOP_BY_HOP_RESPONSE = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-connection', 'trailer', 'upgrade'];

export interface PassthroughOptions {
  target: string;
  timeoutMs: number;
  agent: Agent;
  logger: Logger;
  metrics: Metrics;
  /** Sees each proxied request and its upstream response (used by traffic taps). */
  onProxyResponse?: (req: IncomingMessage, upstream: IncomingMessage) => void;
}

/**
 * Everything that is not a search route streams through http-proxy-middleware untouched:
 * no body parsing ahead of it, bodies piped both ways (never buffered), keep-alive agent.
 * Errors: refused/reset → 502 JSON, slower than `upstream.timeoutMs` → 504 JSON.
 */
export function createPassthrough(options: PassthroughOptions): RequestHandler<IncomingMessage, ServerResponse> {
  const timedOut = new WeakSet<IncomingMessage>();
  return createProxyMiddleware<IncomingMessage, ServerResponse>({
    target: options.target,
    changeOrigin: false,
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
          for (const name of [...HOP_BY_HOP_REQUEST, ...listed]) if (proxyReq.hasHeader(name)) proxyReq.removeHeader(name);
          for (const name of proxyReq.getHeaderNames()) if (name.startsWith('x-sidecart')) proxyReq.removeHeader(name);
        });
        proxy.on('proxyRes', (upstream, req) => {
          for (const name of HOP_BY_HOP_RESPONSE) delete upstream.headers[name];
          const status = upstream.statusCode ?? 0;
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
