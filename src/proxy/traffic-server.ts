import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import express, { type Router } from 'express';
import type { RequestHandler } from 'http-proxy-middleware';
import type { LiveConfig } from '../config/live-config.js';
import type { RouteConfig } from '../config/schema.js';
import type { Logger } from '../logging/logger.js';
import { apiErrorHandler } from './api-errors.js';
import { createRouteMatcher, type RouteMatcher } from './route-matcher.js';

export interface TrafficServerDeps {
  live: LiveConfig;
  logger: Logger;
  handleSearch: (req: IncomingMessage, res: ServerResponse, route: RouteConfig) => Promise<void>;
  passthrough: RequestHandler<IncomingMessage, ServerResponse>;
  /** Control API routers (events, shopper controls), mounted under /sidecart/v1. */
  apiRouters: Router[];
  /** Body limit for the control API (events.maxBodyBytes). */
  apiBodyLimit: () => number;
}

/**
 * The traffic port. Search routes are matched first on the raw node:http request and handled
 * without Express (the hot path pays nothing for it); the control API and the streamed
 * pass-through live in an Express app. Absolute-form targets and CONNECT are refused:
 * sidecart is not an open proxy.
 */
export function createTrafficServer(deps: TrafficServerDeps): Server {
  let matcher: RouteMatcher = createRouteMatcher(deps.live.current().routes);
  deps.live.onChange((next, previous) => {
    if (next.routes !== previous.routes) matcher = createRouteMatcher(next.routes);
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Only the control API parses bodies; proxied bodies must reach the upstream untouched.
  app.use('/sidecart/v1', (req, res, next) => express.json({ limit: deps.apiBodyLimit(), strict: false })(req, res, next));
  for (const router of deps.apiRouters) app.use(router);
  app.use('/sidecart/v1', (_req, res) => {
    res.status(404).json({ error: 'not_found', message: 'no such sidecart endpoint' });
  });
  app.use(apiErrorHandler);
  app.use((req, res) => void deps.passthrough(req, res));

  const server = createServer((req, res) => {
    // One id per request, for log lines here and upstream: the caller's, or a new one.
    const requestId = req.headers['x-request-id'];
    if (typeof requestId !== 'string' || requestId.length === 0 || requestId.length > 128) req.headers['x-request-id'] = randomUUID();
    const url = req.url ?? '/';
    if (url[0] !== '/' && url !== '*') {
      reject(res, 400, 'absolute-form request targets are not accepted: sidecart is not an open proxy');
      return;
    }
    if (req.method === 'GET' || req.method === 'POST') {
      const query = url.indexOf('?');
      const route = matcher.match(query === -1 ? url : url.slice(0, query));
      if (route) {
        deps.handleSearch(req, res, route).catch((err: unknown) => {
          deps.logger.error({ err, requestId: req.headers['x-request-id'] }, 'search route failed');
          if (!res.headersSent) reject(res, 502, 'search route failed');
          else res.destroy();
        });
        return;
      }
    }
    // Only the control API needs Express; everything else goes straight to the pass-through
    // (Express's router was ~8% of a pass-through request's CPU; bench/RESULTS.md).
    if (CONTROL_API.test(url)) app(req, res);
    else void deps.passthrough(req, res);
  });

  server.on('connect', (_req: IncomingMessage, socket: Socket) => {
    socket.end('HTTP/1.1 405 Method Not Allowed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    if ((req.url ?? '/')[0] !== '/') {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    deps.passthrough.upgrade(req, socket, head);
  });
  server.on('clientError', (_err, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

/** The paths Express routes (`app.use('/sidecart/v1', …)`: case-insensitive, whole segments). */
const CONTROL_API = /^\/sidecart\/v1(?:[/?]|$)/i;

function reject(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ error: status === 400 ? 'bad_request' : 'bad_gateway', message });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' });
  res.end(body);
}
