import express, { type Request, type Response, type Router } from 'express';
import type { LiveConfig } from '../config/live-config.js';
import { identityVaryHeaders, type IdentityResolver, type ShopperIdentity } from '../identity/shopper-identity.js';
import { shopperRef, type Logger } from '../logging/logger.js';
import { enabledFeatures } from '../personalization/features.js';
import { sendJsonError as sendApiError } from '../http/json-error.js';
import type { ProfileStore } from '../store/profile-store.js';
import { describeShopper, exportShopper } from './describe-shopper.js';
import { eraseShopper } from './erase-shopper.js';
import { applySettingsUpdate, parseSettingsUpdate } from './settings-update.js';

export interface ShopperControlsDeps {
  live: LiveConfig;
  store: ProfileStore;
  identify: IdentityResolver;
  logger: Logger;
}

/**
 * The shopper's own controls on the traffic port. Every route acts on the shopper the request
 * identifies (signed-in or anonymous) and on no one else: there is no id in the path to tamper with.
 *   GET    /sidecart/v1/me           settings, features, what is stored, in plain terms
 *   PUT    /sidecart/v1/me/settings  change settings (partial; unknown fields → 400)
 *   GET    /sidecart/v1/me/export    everything stored, as JSON
 *   DELETE /sidecart/v1/me           erase everything (an opt-out survives); 204
 */
export function createShopperControlsRouter(deps: ShopperControlsDeps): Router {
  const router = express.Router();
  const vary = identityVaryHeaders(deps.live.current().identity).join(', ');

  /** The identified shopper, or a 401 already sent. Private answers are never cached by anyone. */
  const shopperOf = async (req: Request, res: Response): Promise<ShopperIdentity | null> => {
    res.setHeader('cache-control', 'no-store');
    if (vary) res.setHeader('vary', vary);
    const shopper = await deps.identify(req);
    if (!shopper) sendApiError(res, 401, 'no_identity', 'no shopper identity: sign in (or send the configured identity) to see or change your data');
    return shopper;
  };

  router.get('/sidecart/v1/me', async (req, res) => {
    const shopper = await shopperOf(req, res);
    if (!shopper) return;
    const now = Date.now();
    const { record } = await deps.store.read(shopper.id, now);
    res.json(describeShopper(shopper.id, record, deps.live.current(), now));
  });

  router.get('/sidecart/v1/me/export', async (req, res) => {
    const shopper = await shopperOf(req, res);
    if (!shopper) return;
    const now = Date.now();
    const { record } = await deps.store.read(shopper.id, now);
    res.setHeader('content-disposition', 'attachment; filename="sidecart-export.json"');
    res.json(exportShopper(shopper.id, record, deps.live.current(), now));
  });

  router.put('/sidecart/v1/me/settings', async (req, res) => {
    const shopper = await shopperOf(req, res);
    if (!shopper) return;
    const config = deps.live.current();
    const parsed = parseSettingsUpdate(req.body, config.personalization.dietary.extraTags);
    if (!parsed.ok) return sendApiError(res, 400, 'invalid_settings', `${parsed.field}: ${parsed.message}`, parsed.field);
    const now = Date.now();
    const { record } = await deps.store.read(shopper.id, now);
    const settings = applySettingsUpdate(record.settings, parsed.update, now);
    await deps.store.writeSettings(shopper.id, settings);
    deps.logger.info({ shopper: shopperRef(shopper.id), personalization: settings.personalization }, 'shopper settings changed');
    res.json({ settings, features: enabledFeatures(config.personalization, { ...record, settings }) });
  });

  router.delete('/sidecart/v1/me', async (req, res) => {
    const shopper = await shopperOf(req, res);
    if (!shopper) return;
    const { keptOptOut } = await eraseShopper(deps.store, shopper.id, Date.now());
    deps.logger.info({ shopper: shopperRef(shopper.id), keptOptOut }, 'shopper erased on request');
    res.status(204).end();
  });

  return router;
}
