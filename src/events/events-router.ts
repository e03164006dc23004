import express, { type Request, type Response, type Router } from 'express';
import type { LiveConfig } from '../config/live-config.js';
import { isValidShopperId, type IdentityResolver } from '../identity/shopper-identity.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ProfileStore } from '../store/profile-store.js';
import { sendJsonError as sendApiError } from '../http/json-error.js';
import { isAdminCall } from './admin-caller.js';
import type { EventsAcceptedHook } from './ingest-events.js';
import { ingestInSlices } from './ingest-in-slices.js';
import { parseEnvelopeEventsInSlices, readBatchEnvelope } from './parse-event-batch.js';
import { createShopperRateLimiter, type ShopperRateLimiter } from './shopper-rate-limiter.js';

export interface EventsRouterDeps {
  live: LiveConfig;
  store: ProfileStore;
  identify: IdentityResolver;
  metrics: Metrics;
  /** Shared with other ingestion paths if they want the same budget; default: a new one. */
  rateLimiter?: ShopperRateLimiter;
  /** The per-shopper item budget (tokens are items); default: a new one. */
  itemRateLimiter?: ShopperRateLimiter;
  /** Told about accepted events (experiment attribution). */
  onEventsAccepted?: EventsAcceptedHook;
  now?: () => number;
}

/** Buckets kept for the rate limit; beyond it the least recently seen shopper starts afresh. */
const RATE_LIMIT_SHOPPERS = 50_000;

/**
 * `POST /sidecart/v1/events`: a batch of shopping events for the identified shopper.
 * Admin form: `Authorization: Bearer <admin.token>` and `shopperId` in the body (backfills,
 * server-side integrations); naming a shopper without the token is 403.
 * Order of checks: who (403/401) → call rate (429) → shape and item count (400) → item rate
 * (429) → events (400) → store (202). Events are validated and applied in slices of
 * `events.sliceItems` items with a turn of the event loop between them.
 */
export function createEventsRouter(deps: EventsRouterDeps): Router {
  const router = express.Router();
  const limiter = deps.rateLimiter ?? createShopperRateLimiter({ maxShoppers: RATE_LIMIT_SHOPPERS });
  const itemLimiter = deps.itemRateLimiter ?? createShopperRateLimiter({ maxShoppers: RATE_LIMIT_SHOPPERS });
  const clock = deps.now ?? Date.now;

  router.post('/sidecart/v1/events', async (req: Request, res: Response) => {
    const config = deps.live.current();
    const now = clock();
    const body: unknown = req.body;
    const namesShopper = typeof body === 'object' && body !== null && !Array.isArray(body) && Object.hasOwn(body, 'shopperId');
    const admin = namesShopper && isAdminCall(req, config.admin.token);
    if (namesShopper && !admin) {
      deps.metrics.eventsRejected.inc({ reason: 'forbidden' });
      return sendApiError(res, 403, 'forbidden', 'shopperId: only an admin call (Authorization: Bearer <admin token>) may name the shopper', 'shopperId');
    }

    let shopperId: string;
    if (admin) {
      const named = (body as { shopperId?: unknown }).shopperId;
      if (typeof named !== 'string' || !isValidShopperId(named, config.identity.maxIdLength)) {
        deps.metrics.eventsRejected.inc({ reason: 'invalid' });
        return sendApiError(res, 400, 'invalid_event', `shopperId: 1-${config.identity.maxIdLength} letters, digits or _ . : @ -`, 'shopperId');
      }
      shopperId = named;
    } else {
      const shopper = await deps.identify(req);
      if (!shopper) return sendApiError(res, 401, 'no_identity', `no shopper identity (send the ${config.identity.header || 'configured identity'} header)`);
      shopperId = shopper.id;
      // Admin calls are trusted backfills and are not limited; shoppers are.
      const verdict = limiter.take(shopperId, { perSecond: config.events.rateLimitPerSecond, burst: config.events.rateLimitBurst }, now);
      if (!verdict.allowed) return rejectRate(res, verdict.retryAfterSeconds, 'event calls');
    }

    const read = readBatchEnvelope(body, config.events);
    if (!read.ok) return rejectInvalid(res, read);
    if (!admin) {
      // The call's cost is its items: a shopper within its call rate may still send too many.
      const verdict = itemLimiter.take(shopperId, { perSecond: config.events.itemRateLimitPerSecond, burst: config.events.itemRateLimitBurst }, now, read.envelope.items);
      if (!verdict.allowed) return rejectRate(res, verdict.retryAfterSeconds, 'event items');
    }
    const parsed = await parseEnvelopeEventsInSlices(read.envelope, config.events, now, config.events.sliceItems);
    if (!parsed.ok) return rejectInvalid(res, parsed);
    const result = await ingestInSlices(deps, shopperId, parsed.batch.events, 'api', now, config.events.sliceItems);
    if (!result.stored) {
      return res.status(202).json({ accepted: 0, duplicates: 0, stored: false, reason: 'personalization is off for this shopper' });
    }
    // 2xx means kept: say where. A write nothing could keep threw (503 with Retry-After, in the API error handler).
    const keptIn = result.journaled ? 'journal' : deps.store.health?.().backend === 'memory' ? 'memory' : 'redis';
    res.status(202).json({ accepted: result.applied, duplicates: result.duplicates, stored: keptIn });
  });
  const rejectRate = (res: Response, retryAfterSeconds: number, what: string) => {
    deps.metrics.eventsRejected.inc({ reason: 'rate-limited' });
    res.set('Retry-After', String(retryAfterSeconds));
    sendApiError(res, 429, 'rate_limited', `too many ${what} for this shopper; retry after ${retryAfterSeconds} s`);
  };
  const rejectInvalid = (res: Response, error: { field: string; message: string }) => {
    deps.metrics.eventsRejected.inc({ reason: 'invalid' });
    sendApiError(res, 400, 'invalid_event', `${error.field}: ${error.message}`, error.field);
  };
  return router;
}
