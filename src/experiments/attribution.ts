import type { LiveConfig } from '../config/live-config.js';
import type { EventSource } from '../events/ingest-events.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ShopperEvent } from '../personalization/types.js';
import type { SearchServed } from '../proxy/search-served.js';
import { RecentMap } from './recent-map.js';

// Attribution, per process and in memory: which variant each recently seen shopper was exposed
// to, and which products they were shown in personalized results. Purchases and add-to-carts
// (events API and taps) then count for that variant, once per event id, with influenced=true
// when a bought product was in a personalized result within `attribution.windowMinutes`.
// Bounded: shoppers (LRU), products per shopper, remembered event ids. Nothing here is shared
// between replicas; Prometheus sums the counters.

/** Events that count as conversions. */
const CONVERSION_TYPES = new Set<ShopperEvent['type']>(['purchase', 'add_to_cart']);
/** Storefront clocks differ a little from ours: an event this much "before" its search still counts. */
const CLOCK_SKEW_MS = 60_000;

interface Membership {
  variant: string;
  /** When this process first served the shopper in this variant. */
  since: number;
}

/** One personalized result: the ids in the order shown (the array search-route built, not copied). */
interface Shown {
  at: number;
  ids: readonly string[];
}

interface ShopperTrail {
  variants: Map<string, Membership>;
  /** Recent personalized results, oldest first; at most `maxProductsPerShopper` ids in all. */
  shown: Shown[];
  shownIds: number;
  /** `<experiment>\0<variant>\0<type>` already counted in the converted-shoppers counter (made on the first conversion). */
  converted?: Set<string>;
}

export interface AttributionDeps {
  live: LiveConfig;
  metrics: Metrics;
  logger?: Logger;
}

export interface Attribution {
  /** `SearchRouteDeps.onServed`: remember the shopper's variant and what a personalized result showed. */
  onServed(served: SearchServed): void;
  /** The events hook: attribute accepted purchases and add-to-carts. Never throws. */
  onEventsAccepted(shopperId: string, events: readonly ShopperEvent[], source: EventSource, now: number): void;
  /** What is held now (tests, debugging). */
  size(): { shoppers: number; eventIds: number };
}

export function createAttribution(deps: AttributionDeps): Attribution {
  const limits = () => deps.live.current().attribution;
  const shoppers = new RecentMap<string, ShopperTrail>(() => limits().maxShoppers);
  const eventIds = new RecentMap<string, true>(() => limits().maxEventIds);

  const trailFor = (shopperId: string): ShopperTrail => {
    let trail = shoppers.get(shopperId);
    if (!trail) shoppers.set(shopperId, (trail = { variants: new Map(), shown: [], shownIds: 0 }));
    return trail;
  };

  // The hot path: O(1) apart from dropping old results; the search is only looked at when a
  // purchase arrives (rare next to searches).
  const rememberShown = (trail: ShopperTrail, hitIds: readonly string[], now: number) => {
    const { maxProductsPerShopper: max, windowMinutes } = limits();
    // The top of the page matters most: a long page keeps its first `max` hits.
    const ids = hitIds.length > max ? hitIds.slice(0, max) : hitIds;
    trail.shown.push({ at: now, ids });
    trail.shownIds += ids.length;
    const expired = now - windowMinutes * 60_000;
    while (trail.shown.length > 1 && (trail.shownIds > max || trail.shown[0]!.at < expired)) {
      trail.shownIds -= trail.shown.shift()!.ids.length;
    }
  };

  /** true once per (shopper, event id) within the bound; a replayed or retried event is false. */
  const firstSighting = (shopperId: string, eventId: string): boolean => {
    const key = `${shopperId}\u0000${eventId}`;
    if (eventIds.get(key)) return false;
    eventIds.set(key, true);
    return true;
  };

  const influenced = (trail: ShopperTrail, event: ShopperEvent, at: number, windowMs: number): boolean =>
    event.items.some((item) => item.id !== '' && trail.shown.some((shown) => shown.at <= at + CLOCK_SKEW_MS && at - shown.at <= windowMs && shown.ids.includes(item.id)));

  const attribute = (shopperId: string, events: readonly ShopperEvent[], now: number) => {
    const trail = shoppers.get(shopperId);
    // A shopper this process never served in an experiment is in no denominator here.
    if (!trail || trail.variants.size === 0) return;
    const windowMs = limits().windowMinutes * 60_000;
    for (const event of events) {
      if (!CONVERSION_TYPES.has(event.type)) continue;
      // A storefront clock in the future does not stretch the window.
      const at = Math.min(event.at, now);
      // Only what happened after the exposure converts (a backfill of old purchases does not).
      const after = [...trail.variants].filter(([, membership]) => at + CLOCK_SKEW_MS >= membership.since);
      if (after.length === 0 || !firstSighting(shopperId, event.id)) continue;
      const wasInfluenced = String(influenced(trail, event, at, windowMs));
      for (const [experiment, { variant }] of after) {
        deps.metrics.experimentConversions.inc({ experiment, variant, type: event.type, influenced: wasInfluenced });
        const key = `${experiment}\u0000${variant}\u0000${event.type}`;
        trail.converted ??= new Set();
        if (!trail.converted.has(key)) {
          trail.converted.add(key);
          deps.metrics.experimentConvertedShoppers.inc({ experiment, variant, type: event.type });
        }
      }
    }
  };

  return {
    onServed(served) {
      const { assignment, shopper } = served;
      if (!assignment || !shopper) return;
      try {
        const trail = trailFor(shopper.id);
        const membership = trail.variants.get(assignment.experiment);
        if (membership?.variant !== assignment.variant) {
          // New here, or moved by a weight change: a new exposed shopper in that variant.
          trail.variants.set(assignment.experiment, { variant: assignment.variant, since: served.now });
          deps.metrics.experimentShoppers.inc({ experiment: assignment.experiment, variant: assignment.variant });
        }
        if (served.outcome === 'personalized' && served.hitIds) rememberShown(trail, served.hitIds, served.now);
      } catch (err) {
        deps.logger?.warn({ err }, 'attribution: could not record a served search');
      }
    },

    onEventsAccepted(shopperId, events, _source, now) {
      try {
        attribute(shopperId, events, now);
      } catch (err) {
        deps.logger?.warn({ err }, 'attribution: could not attribute events');
      }
    },

    size: () => ({ shoppers: shoppers.size, eventIds: eventIds.size }),
  };
}
