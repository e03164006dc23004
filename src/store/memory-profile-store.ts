import type { Metrics } from '../metrics/metrics.js';
import type { ProfileUpdater } from '../personalization/profile-update.js';
import { EMPTY_SHOPPER_RECORD, type SessionContext, type ShopperEvent, type ShopperProfile, type ShopperRecord, type ShopperSettings } from '../personalization/types.js';
import { eventKey } from './event-key.js';
import { decodeProfile, encodeProfile } from './profile-codec.js';
import type { ApplyResult, StoreHealth, StoreRead } from './profile-store.js';
import type { ManagedProfileStore } from './profile-store.js';

export interface MemoryStoreOptions {
  maxShoppers: number;
  maxBytes: number;
  sessionTtlMs: number;
  seenEventIdsMax: number;
  updater: ProfileUpdater;
  metrics?: Metrics;
}

/**
 * Fixed cost of one shopper beyond the bytes counted below (Map slot, entry object, Buffer and
 * Set objects, settings/session objects). Measured by bench/store-bench.ts: heap + ArrayBuffer
 * growth per shopper (1.9–2.3 KB for a rich 50-product one) minus the counted bytes was
 * 700–1100 across runs; the limit errs on the safe side.
 */
export const ENTRY_OVERHEAD_BYTES = 1100;

interface Entry {
  /** Profile in its codec form: a third of the heap of the decoded object, and it is what we count. */
  profile: Buffer | null;
  settings: ShopperSettings | null;
  settingsBytes: number;
  session: SessionContext | null;
  sessionBytes: number;
  sessionExpiresAt: number;
  /** Recent event ids (hashed), oldest first; bounded by seenEventIdsMax. */
  seen: Set<string>;
  seenBytes: number;
  bytes: number;
  /** When this copy was last filled from or written to the source of truth (near-cache age). */
  storedAt: number;
}

/** Byte lengths of settings and session as stored (JSON), when the caller already knows them. */
export interface StoredSizes {
  settings: number;
  session: number;
}

/** A record as held by the memory store, with its age, for the resilient store's near cache. */
export interface CachedRecord {
  record: ShopperRecord;
  storedAt: number;
}

const EMPTY: ShopperRecord = EMPTY_SHOPPER_RECORD;

/**
 * Decoded profiles kept for the most recently read shoppers, beside the encoded bytes that are
 * counted. Decoding on every read was ~13% of a personalized search's CPU (bench/RESULTS.md,
 * "Throughput and latency"). A decoded 30-product profile takes ~12 KB of heap (16x its ~740
 * encoded bytes), so 1,024 of them cost ~12 MiB: enough for shoppers searching again within a
 * session, small next to the store's own limit. A decoded profile
 * is shared by every reader of the same bytes: profiles are read-only outside the pure updater,
 * which returns a new one.
 */
const DECODED_PROFILES_MAX = 1024;

/**
 * The memory store: bounded by shoppers and bytes (LRU), session context with a TTL, seen event
 * ids per shopper for idempotency. Alone it is sidecart's store without Redis; in front of Redis
 * it is the resilient store's near cache and fallback.
 */
export class MemoryProfileStore implements ManagedProfileStore {
  /** Map order is recency order: a touched entry is re-inserted at the end, the first is evicted. */
  private readonly entries = new Map<string, Entry>();
  private totalBytes = 0;
  private evictions = 0;
  /** Keyed by the encoded Buffer itself: new bytes are a new key; LRU by Map order. */
  private readonly decodedProfiles = new Map<Buffer, ShopperProfile>();
  /**
   * Settings of opted-out shoppers whose entry was evicted. An opt-out is never forgotten: the
   * LRU may drop a shopper's profile, not their "no". Bounded by the number of opt-outs
   * (~150 bytes each plus the id).
   */
  private readonly optedOut = new Map<string, ShopperSettings>();

  constructor(private readonly options: MemoryStoreOptions) {
    options.metrics?.memoryCapacityBytes.set(options.maxBytes);
  }

  async read(shopperId: string, now: number): Promise<StoreRead> {
    const started = performance.now();
    const cached = this.peek(shopperId, now);
    this.observe('read', started);
    return { record: cached?.record ?? EMPTY, source: 'memory' };
  }

  async applyEvents(shopperId: string, events: ShopperEvent[], now: number): Promise<ApplyResult> {
    const started = performance.now();
    const result = this.applyEventsNow(shopperId, events, now);
    this.observe('write', started);
    return result;
  }

  /** Synchronous core of applyEvents (the resilient store uses it for instant fallback). */
  applyEventsNow(shopperId: string, events: ShopperEvent[], now: number): ApplyResult {
    const entry = this.entries.get(shopperId);
    const fresh = freshEvents(events, entry?.seen);
    if (fresh.length === 0) return { applied: 0, duplicates: events.length, journaled: false };
    const current = entry ? this.toRecord(entry, now) : EMPTY;
    const next = this.options.updater({ profile: current.profile, session: current.session }, fresh, now);
    const target = entry ?? this.newEntry(now);
    this.setProfile(target, next.profile ? encodeProfile(next.profile) : null);
    this.setSession(target, next.session, now);
    for (const event of fresh) rememberEvent(target, eventKey(event.id), this.options.seenEventIdsMax);
    target.storedAt = now;
    this.commit(shopperId, target);
    return { applied: fresh.length, duplicates: events.length - fresh.length, journaled: false };
  }

  async writeSettings(shopperId: string, settings: ShopperSettings): Promise<void> {
    const started = performance.now();
    this.writeSettingsNow(shopperId, settings);
    this.observe('write', started);
  }

  writeSettingsNow(shopperId: string, settings: ShopperSettings): void {
    this.optedOut.delete(shopperId);
    const entry = this.entries.get(shopperId) ?? this.newEntry(0);
    entry.settings = settings;
    entry.settingsBytes = JSON.stringify(settings).length;
    this.commit(shopperId, entry);
  }

  async erase(shopperId: string, keepSettings: boolean): Promise<void> {
    const started = performance.now();
    this.eraseNow(shopperId, keepSettings);
    this.observe('erase', started);
  }

  eraseNow(shopperId: string, keepSettings: boolean): void {
    if (!keepSettings) this.optedOut.delete(shopperId);
    const entry = this.entries.get(shopperId);
    if (!entry) return;
    if (keepSettings && entry.settings) {
      const kept = this.newEntry(entry.storedAt);
      kept.settings = entry.settings;
      kept.settingsBytes = entry.settingsBytes;
      this.remove(shopperId);
      this.commit(shopperId, kept);
    } else {
      this.remove(shopperId);
    }
    this.report();
  }

  async close(): Promise<void> {
    this.entries.clear();
    this.optedOut.clear();
    this.decodedProfiles.clear();
    this.totalBytes = 0;
    this.report();
  }

  async flush(): Promise<{ replayed: number; remaining: number }> {
    return { replayed: 0, remaining: 0 };
  }

  health(): StoreHealth {
    return {
      backend: 'memory',
      redisReady: false,
      breaker: 'none',
      journalEntries: 0,
      memoryShoppers: this.entries.size,
      memoryBytes: this.totalBytes,
    };
  }

  reconfigure(): void {
    // Nothing tunable at runtime: limits are sized at start.
  }

  stats(): { shoppers: number; bytes: number; maxBytes: number; evictions: number } {
    return { shoppers: this.entries.size, bytes: this.totalBytes, maxBytes: this.options.maxBytes, evictions: this.evictions };
  }

  /** The held record and its age, or null; touches the LRU order. */
  peek(shopperId: string, now: number): CachedRecord | null {
    const entry = this.entries.get(shopperId);
    if (!entry) {
      const settings = this.optedOut.get(shopperId);
      // Evicted but opted out: the "no" is still known (stored long ago, so a near cache re-reads).
      return settings ? { record: { profile: null, settings, session: null }, storedAt: Number.NEGATIVE_INFINITY } : null;
    }
    this.entries.delete(shopperId);
    this.entries.set(shopperId, entry);
    // The record is what is held now, but its profile is decoded on first use: a near-cache
    // caller that finds the copy too old goes to Redis and never needs it (profiling showed
    // that wasted decode on every Redis read; bench/RESULTS.md).
    const profile = entry.profile;
    const settings = entry.settings;
    const session = entry.session !== null && now < entry.sessionExpiresAt ? entry.session : null;
    let record: ShopperRecord | null = null;
    const decoded = (bytes: Buffer) => this.decoded(bytes);
    return {
      get record() {
        return (record ??= { profile: profile ? decoded(profile) : null, settings, session });
      },
      storedAt: entry.storedAt,
    };
  }

  /**
   * Replace what is held for a shopper by a copy read from Redis (near-cache fill). Seen event
   * ids are kept: they are this process's own memory of writes, used when Redis is away.
   */
  put(shopperId: string, record: ShopperRecord, now: number, encodedProfile?: Buffer | null, decodedFromBytes = false, sizes?: StoredSizes): void {
    const entry = this.entries.get(shopperId) ?? this.newEntry(now);
    if (encodedProfile !== undefined) {
      // The same bytes again (a hot shopper re-read from Redis): keep the held copy and, with it,
      // its decoded profile. New bytes: an exact-size copy, and when `record.profile` is their
      // decode (a read, not the updater's unrounded output), remember it so the next read of the
      // same bytes is not decoded again.
      if (!(encodedProfile && entry.profile?.equals(encodedProfile))) {
        this.setProfile(entry, ownedCopy(encodedProfile));
        if (decodedFromBytes && entry.profile && record.profile) this.remember(entry.profile, record.profile);
      }
    } else {
      this.setProfile(entry, record.profile ? encodeProfile(record.profile) : null);
    }
    entry.settings = record.settings;
    entry.settingsBytes = record.settings ? (sizes?.settings ?? JSON.stringify(record.settings).length) : 0;
    this.setSession(entry, record.session, now, sizes?.session);
    entry.storedAt = now;
    this.commit(shopperId, entry);
  }

  /** The events this store has not seen for the shopper (nor earlier in the batch), in order. */
  unseenEvents(shopperId: string, events: ShopperEvent[]): ShopperEvent[] {
    return freshEvents(events, this.entries.get(shopperId)?.seen);
  }

  /** Remember event ids applied elsewhere (Redis), so a fallback write later skips them too. */
  rememberEvents(shopperId: string, eventIds: string[]): void {
    const entry = this.entries.get(shopperId);
    if (!entry) return;
    for (const id of eventIds) rememberEvent(entry, eventKey(id), this.options.seenEventIdsMax);
    this.commit(shopperId, entry);
  }

  /**
   * The decoded profile this store holds for the shopper when its encoded form is exactly `bytes`
   * (content compared, so it can never answer for other bytes); undefined otherwise. The resilient
   * store uses it so a profile Redis returns unchanged is decoded once, not on every read.
   */
  decodedIfHeld(shopperId: string, bytes: Buffer): ShopperProfile | undefined {
    const held = this.entries.get(shopperId)?.profile;
    return held && held.equals(bytes) ? this.decoded(held) : undefined;
  }

  /** Make the next read go to the source of truth while keeping the copy for stale-if-error. */
  markStale(shopperId: string): void {
    const entry = this.entries.get(shopperId);
    if (entry) entry.storedAt = Number.NEGATIVE_INFINITY;
  }

  private toRecord(entry: Entry, now: number): ShopperRecord {
    const sessionAlive = entry.session !== null && now < entry.sessionExpiresAt;
    return {
      profile: entry.profile ? this.decoded(entry.profile) : null,
      settings: entry.settings,
      session: sessionAlive ? entry.session : null,
    };
  }

  private newEntry(now: number): Entry {
    return {
      profile: null,
      settings: null,
      settingsBytes: 0,
      session: null,
      sessionBytes: 0,
      sessionExpiresAt: 0,
      seen: new Set(),
      seenBytes: 0,
      bytes: 0,
      storedAt: now,
    };
  }

  private setProfile(entry: Entry, profile: Buffer | null): void {
    if (entry.profile && entry.profile !== profile) this.decodedProfiles.delete(entry.profile);
    entry.profile = profile;
  }

  private decoded(bytes: Buffer): ShopperProfile {
    const profile = this.decodedProfiles.get(bytes);
    if (profile) {
      this.decodedProfiles.delete(bytes);
      this.decodedProfiles.set(bytes, profile);
      return profile;
    }
    return this.remember(bytes, decodeProfile(bytes));
  }

  /** Keep `profile` as the decode of the held Buffer `bytes` (most recent in the LRU). */
  private remember(bytes: Buffer, profile: ShopperProfile): ShopperProfile {
    this.decodedProfiles.delete(bytes);
    if (this.decodedProfiles.size >= DECODED_PROFILES_MAX) this.decodedProfiles.delete(this.decodedProfiles.keys().next().value!);
    this.decodedProfiles.set(bytes, profile);
    return profile;
  }

  private setSession(entry: Entry, session: SessionContext | null, now: number, storedBytes?: number): void {
    entry.session = session;
    entry.sessionBytes = session ? (storedBytes ?? JSON.stringify(session).length) : 0;
    entry.sessionExpiresAt = session ? now + this.options.sessionTtlMs : 0;
  }

  /** (Re)insert an entry as most recent, recount its bytes, then evict down to the limits. */
  private commit(shopperId: string, entry: Entry): void {
    const kept = this.optedOut.get(shopperId);
    if (kept) {
      // Back in the LRU: the entry carries the opt-out again (unless it was given newer settings).
      entry.settings ??= kept;
      entry.settingsBytes = JSON.stringify(entry.settings).length;
      this.optedOut.delete(shopperId);
    }
    const previous = this.entries.get(shopperId);
    if (previous) {
      this.totalBytes -= previous.bytes;
      this.entries.delete(shopperId);
    }
    entry.bytes = ENTRY_OVERHEAD_BYTES + shopperId.length + (entry.profile?.length ?? 0) + entry.settingsBytes + entry.sessionBytes + entry.seenBytes;
    this.entries.set(shopperId, entry);
    this.totalBytes += entry.bytes;
    while (this.entries.size > this.options.maxShoppers || (this.totalBytes > this.options.maxBytes && this.entries.size > 1)) {
      const oldest = this.entries.keys().next().value as string;
      const settings = this.entries.get(oldest)!.settings;
      if (settings && !settings.personalization) this.optedOut.set(oldest, settings);
      this.remove(oldest);
      this.evictions++;
      this.options.metrics?.memoryEvictions.inc();
    }
    this.report();
  }

  private remove(shopperId: string): void {
    const entry = this.entries.get(shopperId);
    if (!entry) return;
    this.entries.delete(shopperId);
    this.totalBytes -= entry.bytes;
    if (entry.profile) this.decodedProfiles.delete(entry.profile);
  }

  private report(): void {
    this.options.metrics?.memoryEntries.set(this.entries.size);
    this.options.metrics?.memoryBytes.set(this.totalBytes);
  }

  private observe(operation: 'read' | 'write' | 'erase', started: number): void {
    this.options.metrics?.storeDuration.observe({ backend: 'memory', operation }, (performance.now() - started) / 1000);
  }
}

/** A Redis reply is a slice of a bigger socket buffer: keep an exact-size copy, not the whole chunk. */
function ownedCopy(bytes: Buffer | null): Buffer | null {
  if (!bytes) return null;
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}

/** Events not seen before, in order; an id repeated inside the batch counts once. */
export function freshEvents(events: ShopperEvent[], seen: ReadonlySet<string> | undefined): ShopperEvent[] {
  const inBatch = new Set<string>();
  const fresh: ShopperEvent[] = [];
  for (const event of events) {
    const key = eventKey(event.id);
    if (seen?.has(key) || inBatch.has(key)) continue;
    inBatch.add(key);
    fresh.push(event);
  }
  return fresh;
}

function rememberEvent(entry: Entry, key: string, max: number): void {
  if (entry.seen.has(key)) return;
  entry.seen.add(key);
  entry.seenBytes += key.length;
  while (entry.seen.size > max) {
    const oldest = entry.seen.values().next().value as string;
    entry.seen.delete(oldest);
    entry.seenBytes -= oldest.length;
  }
}
