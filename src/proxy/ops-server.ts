import { createServer, type Server } from 'node:http';
import express, { type Router } from 'express';
import type { Metrics } from '../metrics/metrics.js';
import { requireAdminToken } from '../identity/admin-auth.js';
import { createApiErrorHandler } from '../http/api-error-handler.js';
import { sendJsonError } from '../http/json-error.js';
import type { Logger } from '../logging/logger.js';
import type { ProcessSoundness } from './process-soundness.js';

export interface OpsServerDeps {
  metrics: Metrics;
  /** Every 5xx of the admin API is logged here. */
  logger: Logger;
  /** Ready: config loaded, traffic port listening, not draining. Redis never makes it unready. */
  isReady: () => boolean;
  /** Damage the process can not serve through (process-soundness.ts): /readyz and /healthz answer 503. */
  soundness?: ProcessSoundness;
  /** Admin routers (each also guards itself). */
  adminRouters: Router[];
  /** The admin token (live): checked before any admin body is read. */
  adminToken: () => string | undefined;
}

/** The ops port: /healthz (alive), /readyz, /metrics, and the admin API. */
export function createOpsServer(deps: OpsServerDeps): Server {
  const app = express();
  app.disable('x-powered-by');
  // A damaged process fails both: unready takes it out of the Service, unhealthy gets it restarted.
  const sound = () => (deps.soundness ? deps.soundness.problem() === null : true);
  app.get('/healthz', (_req, res) => {
    if (!sound()) res.status(503).json({ status: 'unsound' });
    else res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    if (!sound()) res.status(503).json({ status: 'unsound' });
    else if (!deps.isReady()) res.status(503).json({ status: 'not-ready' });
    else res.json({ status: 'ready' });
  });
  app.get('/metrics', async (_req, res) => {
    res.setHeader('content-type', deps.metrics.registry.contentType);
    res.end(await deps.metrics.registry.metrics());
  });
  // The token check runs before the body parser: an unauthenticated caller gets 401, never a 400/413.
  app.use('/admin', requireAdminToken(deps.adminToken), express.json({ limit: 64 * 1024 }));
  for (const router of deps.adminRouters) app.use(router);
  app.use((_req, res) => sendJsonError(res, 404, 'not_found', 'no such ops endpoint'));
  app.use(createApiErrorHandler(deps.logger));
  return createServer(app);
}
