import express, { type Router } from 'express';
import type { LiveConfig } from '../config/live-config.js';
import { requireAdminToken } from '../identity/admin-auth.js';
import { isStoredShopperId } from '../identity/shopper-identity.js';
import { shopperRef, type Logger } from '../logging/logger.js';
import { sendJsonError as sendApiError } from '../http/json-error.js';
import type { ProfileStore } from '../store/profile-store.js';
import { exportShopper } from './describe-shopper.js';
import { eraseShopper } from './erase-shopper.js';
import { createJsonDepthGuard } from './json-depth-guard.js';
import { redactConfig } from './redact-config.js';

export interface AdminRouterDeps {
  live: LiveConfig;
  store: ProfileStore;
  logger: Logger;
}

/**
 * The admin API on the ops port, for data-subject requests and support. Bearer token from
 * `admin.token` (env SIDECART_ADMIN_TOKEN); without one every /admin route answers 404.
 *   GET    /admin/shoppers/:id   everything stored about a shopper (same shape as the shopper's export)
 *   DELETE /admin/shoppers/:id   erase a shopper everywhere (same rule as DELETE /me); 204
 *   GET    /admin/config         the effective config, secrets redacted
 */
export function createAdminRouter(deps: AdminRouterDeps): Router {
  const router = express.Router();
  router.use('/admin', requireAdminToken(() => deps.live.current().admin.token), createJsonDepthGuard());
  router.use('/admin', (_req, res, next) => {
    res.setHeader('cache-control', 'no-store');
    next();
  });

  const validId = (id: string) => isStoredShopperId(id, deps.live.current().identity.maxIdLength);

  router.get('/admin/shoppers/:id', async (req, res) => {
    const id = req.params.id ?? '';
    if (!validId(id)) return sendApiError(res, 400, 'invalid_shopper_id', 'id: not a valid shopper id (length or characters)', 'id');
    const now = Date.now();
    const { record, source } = await deps.store.read(id, now);
    res.json({ ...exportShopper(id, record, deps.live.current(), now), source });
  });

  router.delete('/admin/shoppers/:id', async (req, res) => {
    const id = req.params.id ?? '';
    if (!validId(id)) return sendApiError(res, 400, 'invalid_shopper_id', 'id: not a valid shopper id (length or characters)', 'id');
    const { keptOptOut } = await eraseShopper(deps.store, id, Date.now());
    deps.logger.info({ shopper: shopperRef(id), keptOptOut }, 'shopper erased by admin');
    res.status(204).end();
  });

  router.get('/admin/config', (_req, res) => {
    res.json(redactConfig(deps.live.current()));
  });

  return router;
}
