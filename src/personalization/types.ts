import type { EventType, FeatureName } from '../config/schema.js';
import { keyedRecord } from './keyed-record.js';

// Domain types shared by events, store, ranking and sections. Plain data, JSON-safe.
// Times are epoch milliseconds; day arithmetic happens in the pure functions.
// Maps keyed by shoppers' strings (products, brands, categories, tags, dietary counts, feature
// switches) are prototype-free objects (keyed-record.ts), however the profile was made or read.

/** One product in a shopping event, as parsed once at the boundary (events API, taps, import). */
export interface EventItem {
  id: string;
  quantity: number;
  price?: number;
  brand?: string;
  category?: string;
  tags?: string[];
  name?: string;
}

/** A validated shopping event. `id` makes ingestion idempotent: a replay never double counts. */
export interface ShopperEvent {
  id: string;
  type: EventType;
  at: number;
  items: EventItem[];
  /** For `search` events: the query text (kept only in session context, never in the profile). */
  query?: string;
}

/** What the shopper chose. Survives deletion of the rest of the profile when personalization is off. */
export interface ShopperSettings {
  /** false = opted out: backend bytes, and no new events kept. */
  personalization: boolean;
  /** Per-feature overrides of the store defaults; absent = store default. */
  features: Partial<Record<FeatureName, boolean>>;
  /** Explicit dietary / cultural preferences (vegan, halal, gluten-free, store tags...). */
  dietary: string[];
  /** Overrides the route's ranking strength (0..1). */
  strength?: number;
  updatedAt: number;
}

/** What sidecart knows about one product for one shopper. Compact: profiles stay ~1 KB. */
export interface ProductStat {
  /** Times bought (purchase events). */
  n: number;
  /** Usual quantity: the most common quantity bought. */
  q: number;
  /** Decayed affinity from all signals (purchase, cart, click...), at time `t`. */
  w: number;
  /** Time of `w` and of the last signal. */
  t: number;
  /** Last purchase time (0 = never bought). */
  last: number;
  /** Purchase gaps in days: count, mean and M2 (Welford), so no list is kept. */
  gn: number;
  gm: number;
  gv: number;
  /** Quantity consistency: count of purchases at the usual quantity. */
  qn: number;
  brand?: string;
  category?: string;
  /** Last seen price (for price sensitivity). */
  p?: number;
  /** Purchases per season, packed 4 bits each (winter, spring, summer, autumn); only kept when the
   * store enables the seasonal feature. See personalization/seasons.ts. */
  ss?: number;
  /** The shopper's order count at this product's last purchase (orders since = orders − lo);
   * absent in profiles written before it was kept. */
  lo?: number;
  /** Purchases decayed by ORDER_DECAY per later order of the shopper, as of order `lo`
   * (time-decayed personal item frequency, counted in orders). */
  f?: number;
}

/** A decayed affinity: weight `w` as of time `t`. */
export interface Affinity {
  w: number;
  t: number;
}

export interface ShopperProfile {
  /** Format version of this record. */
  v: 1;
  /** Orders (purchase events) seen; drives usual-item share and confidence. */
  orders: number;
  /** Signals (events × items) seen; drives confidence. */
  signals: number;
  firstAt: number;
  updatedAt: number;
  products: Record<string, ProductStat>;
  brands: Record<string, Affinity>;
  categories: Record<string, Affinity>;
  tags: Record<string, Affinity>;
  /** Purchases carrying each dietary tag, for inference (tag -> count), and the purchases counted. */
  dietaryCounts: Record<string, number>;
  dietaryBase: number;
  /** Basket sizes (items per purchase event): count and mean, for household inference. */
  basketN: number;
  basketMean: number;
}

/** Temporary, per-session context (TTL, default 1 h): recent views/clicks/searches. */
export interface SessionContext {
  recent: { id: string; type: EventType; at: number }[];
  queries: string[];
  updatedAt: number;
}

/** Everything a search needs about a shopper, as one read. */
export interface ShopperRecord {
  profile: ShopperProfile | null;
  settings: ShopperSettings | null;
  session: SessionContext | null;
}

/** A shopper nothing is known about (one shared object: never edit it, build a new record instead). */
export const EMPTY_SHOPPER_RECORD: ShopperRecord = { profile: null, settings: null, session: null };

export function emptyProfile(now: number): ShopperProfile {
  return {
    v: 1,
    orders: 0,
    signals: 0,
    firstAt: now,
    updatedAt: now,
    products: keyedRecord(),
    brands: keyedRecord(),
    categories: keyedRecord(),
    tags: keyedRecord(),
    dietaryCounts: keyedRecord(),
    dietaryBase: 0,
    basketN: 0,
    basketMean: 0,
  };
}

export function defaultSettings(now: number): ShopperSettings {
  return { personalization: true, features: keyedRecord(), dietary: [], updatedAt: now };
}
