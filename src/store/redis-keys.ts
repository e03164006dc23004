import { createHash } from 'node:crypto';

// The one Redis key layout of sidecart. Every key of one shopper carries the same hash tag
// `{u:<id>}`, so a shopper's keys live in one Cluster slot and a Lua script or MGET may touch
// them together. The shopper id is validated here, at the last step before it becomes a key.

/** Same charset as identity's shopper ids; `{` and `}` are excluded so an id can't break the hash tag. */
const SHOPPER_ID = /^[A-Za-z0-9_.:@-]+$/;
export const MAX_SHOPPER_ID_LENGTH = 256;
const PREFIX = /^[A-Za-z0-9_.-]{1,32}$/;
/** Product ids used as they are in co-purchase keys; others are hashed (no `{`, `}`, spaces, no huge keys). */
const PRODUCT_ID = /^[A-Za-z0-9_.:@/-]{1,64}$/;

export class InvalidShopperIdError extends Error {
  readonly code = 'EINVALIDSHOPPER';
  constructor() {
    super('shopper id is empty, too long or has characters outside [A-Za-z0-9_.:@-]');
  }
}

export function isKeySafeShopperId(id: string): boolean {
  return id.length > 0 && id.length <= MAX_SHOPPER_ID_LENGTH && SHOPPER_ID.test(id);
}

export interface ShopperKeys {
  /** Profile (codec bytes, prefixed by its revision); TTL = retention period. */
  profile: string;
  /** Settings (JSON); no TTL: an opted-out shopper stays opted out. */
  settings: string;
  /** Session context (JSON); short TTL. */
  session: string;
  /** Seen event ids (sorted set scored by time, trimmed); TTL. */
  seenEvents: string;
}

export function createKeyLayout(prefix: string) {
  if (!PREFIX.test(prefix)) throw new Error(`store.redis.keyPrefix "${prefix}" must match ${PREFIX.source}`);
  return {
    prefix,
    /** All keys of one shopper; throws InvalidShopperIdError for an id that is not key-safe. */
    shopper(shopperId: string): ShopperKeys {
      if (!isKeySafeShopperId(shopperId)) throw new InvalidShopperIdError();
      const base = `${prefix}:{u:${shopperId}}`;
      return { profile: `${base}:p`, settings: `${base}:s`, session: `${base}:c`, seenEvents: `${base}:e` };
    },
    /**
     * Store-wide co-purchase counts of one product (sorted set: partner → baskets holding both,
     * itself → baskets holding it); no shopper in the key or the members. No hash tag: products
     * spread over the Cluster. A product id that is not key-safe is keyed by its hash.
     */
    coPurchases(productId: string): string {
      return `${prefix}:cp:${PRODUCT_ID.test(productId) ? productId : '#' + createHash('sha256').update(productId).digest('base64url').slice(0, 22)}`;
    },
    /** "This purchase was counted" marker (a hash of shopper and event id, short TTL): a replay adds no pairs twice. */
    coPurchaseCounted(eventHash: string): string {
      return `${prefix}:cpe:${eventHash}`;
    },
  };
}

export type KeyLayout = ReturnType<typeof createKeyLayout>;
