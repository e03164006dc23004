import type { LiveConfig } from '../config/live-config.js';
import type { EventSource } from '../events/ingest-events.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ShopperEvent } from '../personalization/types.js';
import type { SearchServed } from '../proxy/search-route.js';

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

interface ShopperTrail {
  variants: Map<string, Membership>;
  /** product id → when it was last shown in a personalized result; insertion order = age. */
  shown: Map<string, number>;
  /** `<experiment>\0<variant>\0<type>` already counted in the converted-shoppers counter. */
  converted: Set<string>;
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
  const shoppers = new Map<string, ShopperTrail>();
  const eventIds = new Set<string>();

  const limits = () => deps.live.current().attribution;

  /** Most recently used last; the oldest goes once the bound is reached. */
  const trailFor = (shopperId: string): ShopperTrail => {
    let trail = shoppers.get(shopperId);
    if (trail) {
      shoppers.delete(shopperId);
    } else {
      trail = { variants: new Map(), shown: new Map(), converted: new Set() };
      const max = limits().maxShoppers;
      for (const oldest of shoppers.keys()) {
        if (shoppers.size < max) break;
        shoppers.delete(oldest);
      }
    }
    shoppers.set(shopperId, trail);
    return trail;
  };

  const rememberShown = (trail: ShopperTrail, hitIds: readonly string[], now: number) => {
    const max = limits().maxProductsPerShopper;
    // The top of the page matters most: insert from the bottom up so the top hits are the newest
    // entries and the last to be dropped.
    for (let i = Math.min(hitIds.length, max) - 1; i >= 0; i--) {
      const id = hitIds[i]!;
      if (id === '') continue;
      trail.shown.delete(id);
      trail.shown.set(id, now);
    }
    for (const oldest of trail.shown.keys()) {
      if (trail.shown.size <= max) break;
      trail.shown.delete(oldest);
    }
  };

  /** true once per (shopper, event id) within the bound; a replayed or retried event is false. */
  const firstSighting = (shopperId: string, eventId: string): boolean => {
    const key = `${shopperId}\u0000${eventId}`;
    if (eventIds.has(key)) return false;
    eventIds.add(key);
    const max = limits().maxEventIds;
    for (const oldest of eventIds) {
      if (eventIds.size <= max) break;
      eventIds.delete(oldest);
    }
    return true;
  };

  const influenced = (trail: ShopperTrail, event: ShopperEvent, windowMs: number): boolean =>
    event.items.some((item) => {
      const shownAt = trail.shown.get(item.id);
      return shownAt !== undefined && shownAt <= event.at + CLOCK_SKEW_MS && event.at - shownAt <= windowMs;
    });

  const attribute = (shopperId: string, events: readonly ShopperEvent[]) => {
    const trail = shoppers.get(shopperId);
    // A shopper this process never served in an experiment is in no denominator here.
    if (!trail || trail.variants.size === 0) return;
    const windowMs = limits().windowMinutes * 60_000;
    for (const event of events) {
      if (!CONVERSION_TYPES.has(event.type)) continue;
      // Only what happened after the exposure converts (a backfill of old purchases does not).
      const after = [...trail.variants].filter(([, membership]) => event.at + CLOCK_SKEW_MS >= membership.since);
      if (after.length === 0 || !firstSighting(shopperId, event.id)) continue;
      const wasInfluenced = String(influenced(trail, event, windowMs));
      for (const [experiment, { variant }] of after) {
        deps.metrics.experimentConversions.inc({ experiment, variant, type: event.type, influenced: wasInfluenced });
        const key = `${experiment}\u0000${variant}\u0000${event.type}`;
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

    onEventsAccepted(shopperId, events) {
      try {
        attribute(shopperId, events);
      } catch (err) {
        deps.logger?.warn({ err }, 'attribution: could not attribute events');
      }
    },

    size: () => ({ shoppers: shoppers.size, eventIds: eventIds.size }),
  };
}
