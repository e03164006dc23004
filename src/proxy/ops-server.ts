import { createServer, type Server } from 'node:http';
import express, { type Router } from 'express';
import type { Metrics } from '../metrics/metrics.js';
import { apiErrorHandler } from './api-errors.js';

export interface OpsServerDeps {
  metrics: Metrics;
  /** Ready: config loaded, traffic port listening, not draining. Redis never makes it unready. */
  isReady: () => boolean;
  /** Admin routers (bearer-token protected by their own middleware). */
  adminRouters: Router[];
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
  app.use('/admin', express.json({ limit: 64 * 1024 }));
  for (const router of deps.adminRouters) app.use(router);
  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found', message: 'no such ops endpoint' });
  });
  app.use(apiErrorHandler);
  return createServer(app);
}
