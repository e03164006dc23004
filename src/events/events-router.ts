import express, { type Request, type Response, type Router } from 'express';
import type { LiveConfig } from '../config/live-config.js';
import type { IdentityResolver } from '../identity/shopper-identity.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ProfileStore } from '../store/profile-store.js';
import { parseEventBatch } from './parse-event-batch.js';
import { sendApiError } from '../proxy/api-errors.js';

export interface EventsRouterDeps {
  live: LiveConfig;
  store: ProfileStore;
  identify: IdentityResolver;
  metrics: Metrics;
}

/** `POST /sidecart/v1/events`: a batch of shopping events for the identified shopper. */
export function createEventsRouter(deps: EventsRouterDeps): Router {
  const router = express.Router();
  router.post('/sidecart/v1/events', async (req: Request, res: Response) => {
    const config = deps.live.current();
    const shopper = await deps.identify(req);
    if (!shopper) return sendApiError(res, 401, 'no_identity', `no shopper identity (send the ${config.identity.header || 'configured identity'} header)`);
    const now = Date.now();
    const parsed = parseEventBatch(req.body, config.events, now);
    if (!parsed.ok) {
      deps.metrics.eventsRejected.inc({ reason: 'invalid' });
      return sendApiError(res, 400, 'invalid_event', `${parsed.field}: ${parsed.message}`, parsed.field);
    }
    if (parsed.batch.shopperId !== undefined) {
      return sendApiError(res, 403, 'forbidden', 'shopperId: only an admin call may name the shopper', 'shopperId');
    }
    const read = await deps.store.read(shopper.id, now);
    if (read.record.settings && !read.record.settings.personalization) {
      // Data minimization: an opted-out shopper's events are acknowledged and dropped.
      deps.metrics.eventsRejected.inc({ reason: 'opted-out' });
      return res.status(202).json({ accepted: 0, duplicates: 0, stored: false, reason: 'personalization is off for this shopper' });
    }
    const result = await deps.store.applyEvents(shopper.id, parsed.batch.events, now);
    for (const event of parsed.batch.events) deps.metrics.eventsIngested.inc({ type: event.type, source: 'api' });
    res.status(202).json({ accepted: result.applied, duplicates: result.duplicates, stored: true });
  });
  return router;
}
