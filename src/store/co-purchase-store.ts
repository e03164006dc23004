import { createHash } from 'node:crypto';
import type { BreakerConfig, PersonalizationConfig } from '../config/schema.js';
import { MAX_BASKET_FOR_PAIRS } from '../personalization/co-purchase-pairs.js';
import type { CoPurchases } from '../personalization/complementary.js';
import type { ShopperEvent } from '../personalization/types.js';

// Store-wide co-purchase counts for the complementary feature: per product, how many baskets also
// held each partner, and (the product itself) how many baskets held it. Only counts: no shopper
// id, no basket, no time is kept with them. Bounded per product (strongest partners) and in the
// number of products (TTL in Redis, LRU in memory). Counts are approximate by design: a purchase
// made while Redis is away is not counted (no journal), and trimming can drop a rising partner.

export type CoPurchaseSettings = PersonalizationConfig['coPurchases'];

export interface CoPurchaseStore {
  /** Add a purchase's pairs (once per shopper + event id). Never throws. */
  recordPurchase(shopperId: string, event: ShopperEvent, now: number): Promise<void>;
  /**
   * Counts for these anchors: anchor → partner → baskets with both (pairs under `minBaskets`
   * left out), and anchor → anchor = baskets with the anchor. Rejects when the store cannot answer.
   */
  countsFor(anchors: readonly string[], now: number): Promise<CoPurchases>;
  /** New breaker timeouts and threshold from a config reload (Redis store). */
  reconfigure?(breaker: BreakerConfig): void;
  /** Resolves true once the store can answer (Redis connected; memory at once). */
  ready(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Longest product id counted (longer ones are skipped: they would bloat every partner list). */
export const MAX_PRODUCT_ID_LENGTH = 128;

/** The distinct products of a purchase that take part in pairs (capped like `basketPairs`). */
export function basketProducts(event: ShopperEvent): string[] {
  if (event.type !== 'purchase' || !Array.isArray(event.items)) return [];
  const ids = new Set<string>();
  for (const item of event.items) {
    const id = item?.id;
    if (typeof id === 'string' && id.length > 0 && id.length <= MAX_PRODUCT_ID_LENGTH) ids.add(id);
    if (ids.size >= MAX_BASKET_FOR_PAIRS) break;
  }
  // A one-product basket still counts its product's baskets (the denominator of P(partner | anchor)).
  return [...ids];
}

/** Opaque marker of one counted purchase: a hash, so neither the shopper nor the event id is readable. */
export function countedPurchaseHash(shopperId: string, eventId: string): string {
  return createHash('sha256').update(shopperId).update('\u0000').update(eventId).digest('base64url').slice(0, 22);
}

/** How long "this purchase was counted" is remembered (replays and retries come within days). */
export const COUNTED_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** Keep only what may leave the store: pairs with enough baskets, and the anchor's own count. */
export function publishable(anchor: string, partners: Iterable<[string, number]>, minBaskets: number): Record<string, number> | null {
  // Product ids come from shoppers' events: a prototype-free record never sees `__proto__` as special.
  const out: Record<string, number> = Object.create(null) as Record<string, number>;
  let any = false;
  for (const [id, n] of partners) {
    if (id === anchor) {
      out[id] = n;
    } else if (n >= minBaskets) {
      out[id] = n;
      any = true;
    }
  }
  return any ? out : null;
}
