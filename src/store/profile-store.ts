import type { BreakerConfig } from '../config/schema.js';
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
  /**
   * true when the write is in the replay journal (Redis was away), waiting to be replayed. A write
   * neither Redis nor the journal could keep is not a result: it throws StoreUnavailableError.
   */
  journaled: boolean;
}

/** What the ops side (readiness, admin view, /metrics) wants to know about a store. */
export interface StoreHealth {
  backend: 'memory' | 'redis';
  /** Redis connection ready (always false for the memory store). */
  redisReady: boolean;
  breaker: 'closed' | 'half-open' | 'open' | 'none';
  journalEntries: number;
  memoryShoppers: number;
  memoryBytes: number;
}

/** Result of `flush()` at shutdown: what reached Redis and what could not in the time given. */
export interface FlushResult {
  replayed: number;
  remaining: number;
}

/**
 * The one profile store interface everything else uses. Implementations: memory (LRU, bounded),
 * Redis (ioredis; standalone, Sentinel, Cluster) and the resilient store (breaker + fallback +
 * replay journal). Shopper ids reaching a store are already validated (see identity); the Redis
 * key layout validates again before an id becomes a key.
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
  /** SIGTERM: push journaled writes to Redis while it is reachable, for at most `timeoutMs`. */
  flush?(timeoutMs: number): Promise<FlushResult>;
  health?(): StoreHealth;
  /** Apply new breaker options without a restart (config reload). */
  reconfigure?(breaker: BreakerConfig): void;
}

/** What `createProfileStore` returns: the store plus its operational methods, always present. */
export interface ManagedProfileStore extends ProfileStore {
  flush(timeoutMs: number): Promise<FlushResult>;
  health(): StoreHealth;
  reconfigure(breaker: BreakerConfig): void;
}
