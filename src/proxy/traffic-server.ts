import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import express, { type Router } from 'express';
import type { RequestHandler } from 'http-proxy-middleware';
import type { LiveConfig } from '../config/live-config.js';
import type { RouteConfig } from '../config/schema.js';
import { createApiErrorHandler } from '../http/api-error-handler.js';
import { sendJsonError } from '../http/json-error.js';
import type { Logger } from '../logging/logger.js';
import { corsResponseHeaders, preflightAnswer } from './cors.js';
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
 * sidecart is not an open proxy. The asterisk target is sidecart's own to answer (`OPTIONS *`
 * asks about the server, not a resource; anything else with `*` is malformed), so it never
 * reaches the backend or holds a socket.
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
  app.use('/sidecart/v1', (_req, res) => sendJsonError(res, 404, 'not_found', 'no such sidecart endpoint'));
  app.use(createApiErrorHandler(deps.logger));
  app.use((req, res) => void deps.passthrough(req, res));

  const server = createServer((req, res) => {
    // One id per request, for log lines here and upstream: the caller's, or a new one.
    const requestId = req.headers['x-request-id'];
    if (typeof requestId !== 'string' || requestId.length === 0 || requestId.length > 128) req.headers['x-request-id'] = randomUUID();
    const url = req.url ?? '/';
    if (url === '*') {
      answerAsterisk(req, res);
      return;
    }
    if (url[0] !== '/') {
      reject(res, 400, 'bad_request', 'absolute-form request targets are not accepted: sidecart is not an open proxy');
      return;
    }
    if (req.method === 'OPTIONS' && answerPreflight(req, res, url)) return;
    if (req.method === 'GET' || req.method === 'POST') {
      const query = url.indexOf('?');
      const route = matcher.match(query === -1 ? url : url.slice(0, query));
      if (route) {
        deps.handleSearch(req, res, route).catch((err: unknown) => {
          deps.logger.error({ err, requestId: req.headers['x-request-id'] }, 'search route failed');
          reject(res, 502, 'bad_gateway', 'search route failed');
        });
        return;
      }
    }
    // Only the control API needs Express; everything else goes straight to the pass-through
    // (Express's router was ~8% of a pass-through request's CPU; bench/RESULTS.md).
    if (CONTROL_API.test(url)) {
      const cors = corsResponseHeaders(req.headers, deps.live.current().cors.allowedOrigins);
      if (cors) {
        for (const name in cors) res.setHeader(name, cors[name]!);
        res.setHeader('vary', 'Origin');
      }
      app(req, res);
    } else void deps.passthrough(req, res);
  });

  /** A CORS preflight sidecart answers itself (cors.allowedOrigins, search routes and /sidecart/v1); false: not ours. */
  const answerPreflight = (req: IncomingMessage, res: ServerResponse, url: string): boolean => {
    const allowed = deps.live.current().cors.allowedOrigins;
    if (allowed.length === 0) return false;
    const query = url.indexOf('?');
    const scope = CONTROL_API.test(url) ? 'control' : matcher.match(query === -1 ? url : url.slice(0, query)) ? 'search' : null;
    const answer = scope ? preflightAnswer(req.method, req.headers, scope, allowed) : null;
    if (!answer) return false;
    res.writeHead(answer.status, answer.headers);
    res.end();
    return true;
  };

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
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (socket.writable) socket.end(`HTTP/1.1 ${clientErrorStatus(err.code)}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    else socket.destroy();
  });
  return server;
}

/** The paths Express routes (`app.use('/sidecart/v1', …)`: case-insensitive, whole segments). */
const CONTROL_API = /^\/sidecart\/v1(?:[/?]|$)/i;

/** The methods sidecart forwards; what `OPTIONS *` announces. */
const ALLOW = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';

/** `OPTIONS *`: 204 with Allow and no body. Any other method with `*` is malformed: 400. */
function answerAsterisk(req: IncomingMessage, res: ServerResponse): void {
  if (req.method === 'OPTIONS') {
    res.writeHead(204, { allow: ALLOW });
    res.end();
  } else {
    reject(res, 400, 'bad_request', 'the request target "*" is only valid with OPTIONS');
  }
}

/** The status line for a request node:http could not parse (its own default handler's choices). */
function clientErrorStatus(code: string | undefined): string {
  if (code === 'HPE_HEADER_OVERFLOW') return '431 Request Header Fields Too Large';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return '408 Request Timeout';
  return '400 Bad Request';
}

/** Refuses a request and closes the connection (what follows on it may be misframed). */
function reject(res: ServerResponse, status: number, code: string, message: string): void {
  if (!res.headersSent) res.setHeader('connection', 'close');
  sendJsonError(res, status, code, message);
}
