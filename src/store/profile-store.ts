import type { ShopperEvent, ShopperRecord, ShopperSettings } from '../personalization/types.js';

/** Why a store answered from memory instead of Redis, for the X-Sidecart header and metrics. */
export type StoreSource = 'memory' | 'redis' | 'near-cache' | 'fallback';

export interface StoreRead {
  record: ShopperRecord;
  source: StoreSource;
}

/** Result of applying events: how many were new (not seen before by event id). */
export interface ApplyResult {
  applied: number;
  duplicates: number;
  /** true when the write went to memory + the replay journal because Redis was away. */
  journaled: boolean;
}

/**
 * The one profile store interface everything else uses. Implementations: memory (LRU, bounded),
 * Redis (ioredis; standalone, Sentinel, Cluster) and the resilient store (breaker + fallback +
 * replay journal). Shopper ids reaching a store are already validated (see identity).
 * Implementations never throw for "not found": they return nulls.
 */
export interface ProfileStore {
  read(shopperId: string, now: number): Promise<StoreRead>;
  /** Apply events atomically per shopper, idempotent by event id. */
  applyEvents(shopperId: string, events: ShopperEvent[], now: number): Promise<ApplyResult>;
  writeSettings(shopperId: string, settings: ShopperSettings): Promise<void>;
  /**
   * Erase everything about a shopper (profile, session, seen event ids, journal entries).
   * `keepSettings` keeps only the settings record (an opted-out shopper stays opted out).
   */
  erase(shopperId: string, keepSettings: boolean): Promise<void>;
  close(): Promise<void>;
}
