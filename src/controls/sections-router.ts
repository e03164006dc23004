import express, { type Router } from 'express';
import type { LiveConfig } from '../config/live-config.js';
import { sendJsonError } from '../http/json-error.js';
import { identityVaryHeaders, type IdentityResolver } from '../identity/shopper-identity.js';
import { personalize, type PersonalizationSection } from '../personalization/personalize.js';
import { EMPTY_SHOPPER_RECORD } from '../personalization/types.js';
import type { ProfileStore } from '../store/profile-store.js';

export interface SectionsRouterDeps {
  live: LiveConfig;
  store: ProfileStore;
  identify: IdentityResolver;
}

/** What `GET /sidecart/v1/me/sections` answers: the section a search would carry, without a page. */
export type SectionsAnswer = Omit<PersonalizationSection, 'explain'> | { enabled: false; reason: 'opted-out' | 'disabled' };

/**
 * The section channel: `GET /sidecart/v1/me/sections` answers the shopper's usual, reorder,
 * preferences, household and confidence for any widget ("your usual" on a home page), also for
 * storefronts whose search client drops unknown response keys (InstantSearch adapters,
 * Searchkit). The same rules as a search's section — personalize() over an empty page — and the
 * same store read (breaker, memory fallback). Private to the shopper: `Cache-Control: private`
 * and a Vary on what identifies them. Items carry product ids (no page names them).
 */
export function createSectionsRouter(deps: SectionsRouterDeps): Router {
  const router = express.Router();
  router.get('/sidecart/v1/me/sections', async (req, res) => {
    const config = deps.live.current();
    res.setHeader('cache-control', 'private');
    // Appended: a CORS answer already varies on Origin.
    for (const name of identityVaryHeaders(config.identity)) res.vary(name);
    const shopper = await deps.identify(req);
    if (!shopper) return sendJsonError(res, 401, 'no_identity', 'no shopper identity: send the configured identity to see your sections');
    if (!config.personalization.enabled) return res.json({ enabled: false, reason: 'disabled' } satisfies SectionsAnswer);
    const now = Date.now();
    const { record, source } = await deps.store.read(shopper.id, now);
    res.setHeader('x-sidecart-store', source);
    res.json(sectionsOf(record ?? EMPTY_SHOPPER_RECORD, config.personalization, now));
  });
  return router;
}

/** The shopper's section from the profile alone (no hits: nothing reordered, no names). */
export function sectionsOf(record: Parameters<typeof personalize>[0]['record'], config: Parameters<typeof personalize>[0]['config'], now: number): SectionsAnswer {
  if (record.settings?.personalization === false) return { enabled: false, reason: 'opted-out' };
  const { section } = personalize({ hits: [], record, strength: 0, config, now, explain: false });
  return section;
}
