import { createServer, type Server } from 'node:http';
import express, { type Router } from 'express';
import type { Metrics } from '../metrics/metrics.js';
import { requireAdminToken } from '../identity/admin-auth.js';
import { apiErrorHandler } from './api-errors.js';

export interface OpsServerDeps {
  metrics: Metrics;
  /** Ready: config loaded, traffic port listening, not draining. Redis never makes it unready. */
  isReady: () => boolean;
  /** Admin routers (each also guards itself). */
  adminRouters: Router[];
  /** The admin token (live): checked before any admin body is read. */
  adminToken: () => string | undefined;
}

/** The ops port: /healthz (alive), /readyz, /metrics, and the admin API. */
export function createOpsServer(deps: OpsServerDeps): Server {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    const ready = deps.isReady();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready' });
  });
  app.get('/metrics', async (_req, res) => {
    res.setHeader('content-type', deps.metrics.registry.contentType);
    res.end(await deps.metrics.registry.metrics());
  });
  // The token check runs before the body parser: an unauthenticated caller gets 401, never a 400/413.
  app.use('/admin', requireAdminToken(deps.adminToken), express.json({ limit: 64 * 1024 }));
  for (const router of deps.adminRouters) app.use(router);
  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found', message: 'no such ops endpoint' });
  });
  app.use(apiErrorHandler);
  return createServer(app);
}
