/**
 * Per-shopper token buckets for event ingestion. Each shopper's bucket holds up to `burst`
 * tokens and refills at `perSecond`; a call takes `cost` tokens (default 1: one request; the
 * item budget passes the batch's item count). Limits are passed on every call, so
 * a config reload applies at once. The map of buckets is bounded (least recently used first
 * out): a forgotten bucket is the same as a full one, so eviction only ever errs on the side
 * of letting a shopper through.
 *
 * ```ts
 * const limiter = createShopperRateLimiter({ maxShoppers: 50_000 });
 * const verdict = limiter.take('shopper-1', { perSecond: 20, burst: 100 }, Date.now());
 * if (!verdict.allowed) res.set('Retry-After', String(verdict.retryAfterSeconds));
 * ```
 */

export interface RateLimit {
  /** Tokens added per second; 0 = no limit. */
  perSecond: number;
  /** Bucket size (the burst a shopper may send at once). */
  burst: number;
}

export type RateVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface ShopperRateLimiter {
  take(shopperId: string, limit: RateLimit, now: number, cost?: number): RateVerdict;
  /** Buckets currently held (bounded by maxShoppers). */
  size(): number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function createShopperRateLimiter(options: { maxShoppers: number }): ShopperRateLimiter {
  // Map order is recency order: a touched bucket is re-inserted at the end, the first is evicted.
  const buckets = new Map<string, Bucket>();
  return {
    size: () => buckets.size,
    take(shopperId, limit, now, cost = 1) {
      if (limit.perSecond <= 0) return { allowed: true };
      const burst = Math.max(1, limit.burst);
      const previous = buckets.get(shopperId);
      let tokens = burst;
      if (previous) {
        buckets.delete(shopperId);
        // A clock step backwards must not mint tokens: elapsed is never negative.
        const elapsed = Math.max(0, now - previous.at) / 1000;
        tokens = Math.min(burst, previous.tokens + elapsed * limit.perSecond);
      }
      // A cost above the burst could never be paid in full: it goes through on a full bucket and
      // leaves it in debt, so the average rate still holds.
      const needed = Math.min(cost, burst);
      if (tokens >= needed) {
        buckets.set(shopperId, { tokens: tokens - cost, at: now });
        evictOldest(buckets, options.maxShoppers);
        return { allowed: true };
      }
      buckets.set(shopperId, { tokens, at: now });
      evictOldest(buckets, options.maxShoppers);
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((needed - tokens) / limit.perSecond)) };
    },
  };
}

function evictOldest(buckets: Map<string, Bucket>, max: number): void {
  while (buckets.size > max) {
    const oldest = buckets.keys().next().value as string;
    buckets.delete(oldest);
  }
}
