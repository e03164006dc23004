import type { BreakerConfig } from '../config/schema.js';
import type { Logger } from '../logging/logger.js';
import { stableFraction } from '../identity/stable-fraction.js';
import { shopperRef } from '../logging/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { EMPTY_SHOPPER_RECORD, type ShopperEvent, type ShopperRecord, type ShopperSettings } from '../personalization/types.js';
import type { MemoryProfileStore } from './memory-profile-store.js';
import type { ApplyResult, FlushResult, ManagedProfileStore, StoreHealth, StoreRead } from './profile-store.js';
import { isReady, watchReady } from './redis-client.js';
import type { RedisProfileStore } from './redis-profile-store.js';
import { causeOf, isCallerError, RedisBreaker, type BreakerSettings } from './redis-breaker.js';
import { foldPending } from './fold-pending.js';
import type { ReplayJournal, JournalEntry } from './replay-journal.js';
import { StoreUnavailableError } from './store-unavailable.js';
import type { ProfileUpdater } from '../personalization/profile-update.js';

export interface ResilientStoreOptions {
  redis: RedisProfileStore;
  /** Near cache in front of Redis and the fallback while Redis is away. */
  memory: MemoryProfileStore;
  breaker: BreakerConfig;
  nearCacheTtlMs: number;
  /** Where writes Redis missed wait for it: none (refused with 503), memory, or a file. */
  journal: ReplayJournal;
  /** Folds a shopper's journaled writes over Redis's copy for reads during a replay. */
  updater: ProfileUpdater;
  metrics?: Metrics;
  logger?: Logger;
}

const EMPTY: ShopperRecord = EMPTY_SHOPPER_RECORD;
/** Share of the near-cache TTL by which shoppers' copies are spread (see `fresh`). */
const NEAR_CACHE_JITTER = 0.2;

/**
 * Shoppers Redis knows nothing about, remembered for the near-cache TTL apart from the near cache
 * itself: a stream of unknown ids (bots, first visits) must not evict the known shoppers' copies.
 */
const UNKNOWN_SHOPPERS_MAX = 4096;
/** A flapping Redis logs its connection changes at most this often. */
const REDIS_LOG_INTERVAL_MS = 30_000;

/**
 * Redis behind one opossum breaker, with the memory store as near cache and fallback and a replay
 * journal for writes Redis missed. Reads: fresh near-cache copy → Redis → stale copy. Writes:
 * Redis, or memory + journal when Redis fails or the breaker is open (no wait). The journal is
 * replayed in order when the breaker closes; replays are idempotent by event id.
 *
 * One breaker, one view of Redis's health, two timeouts: reads count as failed after
 * `timeoutMs` (they hold a search), writes after `writeTimeoutMs` (two round trips, off the search
 * path; with the read timeout a load hiccup journaled them and opened the breaker for reads).
 */
export class ResilientProfileStore implements ManagedProfileStore {
  private readonly breaker: RedisBreaker;
  private config: BreakerConfig;
  private readonly journal: ReplayJournal;
  private draining: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Bumped on every write per shopper, so a slow Redis read never overwrites a newer cached copy. */
  private readonly versions = new Map<string, number>();
  /** Shopper id → when Redis said it holds nothing for them (see UNKNOWN_SHOPPERS_MAX). */
  private readonly unknown = new Map<string, number>();
  private droppedSinceLog = 0;
  private lastDropLog = 0;

  constructor(private readonly options: ResilientStoreOptions) {
    this.config = options.breaker;
    this.journal = options.journal;
    this.breaker = new RedisBreaker({
      name: 'redis',
      config: options.breaker,
      metrics: options.metrics,
      logger: options.logger,
      // Half-open: probe at once, so recovery and the journal replay don't wait for traffic.
      onHalfOpen: () => {
        if (!this.closed) this.call(() => this.options.redis.ping(), this.config.timeoutMs).catch(() => undefined);
      },
      onClose: () => void this.drain(),
    });
    options.metrics?.redisUp.set(0);
    let lastLog = 0;
    let suppressed = 0;
    watchReady(options.redis.client, (ready) => {
      options.metrics?.redisUp.set(ready ? 1 : 0);
      // Info, not warn: while Redis is away profiles are served from memory. At most one line
      // per REDIS_LOG_INTERVAL_MS for a flapping connection, with the count it stood for.
      const now = Date.now();
      if (now - lastLog < REDIS_LOG_INTERVAL_MS) {
        suppressed += 1;
        return;
      }
      lastLog = now;
      const changes = suppressed;
      suppressed = 0;
      if (ready) options.logger?.info({ suppressedChanges: changes }, 'redis connected');
      else options.logger?.info({ suppressedChanges: changes }, 'redis connection lost; reconnecting (profiles served from memory meanwhile)');
    });
    // A journal left by the last run (disk) is replayed once Redis answers.
    this.reportJournal();
    this.scheduleDrain();
  }

  async read(shopperId: string, now: number): Promise<StoreRead> {
    const cached = this.options.memory.peek(shopperId, now);
    // Writes Redis has not seen yet: Redis's copy alone would miss them.
    if (this.journal.hasPending(shopperId)) return this.readPending(shopperId, cached?.record ?? null);
    if (cached && this.fresh(shopperId, cached.storedAt, now)) return { record: cached.record, source: 'near-cache' };
    const unknownAt = cached ? undefined : this.unknown.get(shopperId);
    if (unknownAt !== undefined && this.fresh(shopperId, unknownAt, now)) return { record: EMPTY, source: 'near-cache' };
    const version = this.versions.get(shopperId) ?? 0;
    try {
      // Bytes equal to the held copy's reuse its decoded profile (and its soundness check).
      const fetched = await this.callRead(() => this.options.redis.readEncoded(shopperId, (bytes) => this.options.memory.decodedIfHeld(shopperId, bytes)));
      if ((this.versions.get(shopperId) ?? 0) === version && !this.journal.hasPending(shopperId)) {
        if (!cached && isEmptyRecord(fetched.record)) this.rememberUnknown(shopperId, now);
        else this.options.memory.put(shopperId, fetched.record, now, fetched.encodedProfile, true, fetched.sizes);
      }
      return { record: fetched.record, source: 'redis' };
    } catch (error) {
      if (isCallerError(error)) throw error;
      this.fellBack('read', error);
      return { record: cached?.record ?? EMPTY, source: 'fallback' };
    }
  }

  async applyEvents(shopperId: string, events: ShopperEvent[], now: number): Promise<ApplyResult> {
    const unknownAt = this.unknown.get(shopperId);
    this.bump(shopperId);
    if (!this.journal.hasPending(shopperId)) {
      try {
        const write = await this.call((signal) => this.options.redis.applyEventsWithState(shopperId, events, now, signal));
        // Refresh a copy this process already holds (its settings came from Redis with it); a
        // shopper not held yet is cached by the next read, which brings the settings too.
        const cached = this.options.memory.peek(shopperId, now);
        if (cached && write.state) {
          this.options.memory.put(shopperId, { ...write.state, settings: cached.record.settings }, now, write.encodedProfile);
          if (!this.fresh(shopperId, cached.storedAt, now)) this.options.memory.markStale(shopperId);
        } else if (write.state && unknownAt !== undefined && this.fresh(shopperId, unknownAt, now)) {
          // Redis held nothing for them a moment ago (no settings): the write's answer is their
          // whole record, so a first purchase is served from memory too while Redis is away.
          this.options.memory.put(shopperId, { ...write.state, settings: null }, now, write.encodedProfile);
        }
        this.options.memory.rememberEvents(shopperId, events.map((e) => e.id));
        return write.result;
      } catch (error) {
        if (isCallerError(error)) throw error;
        this.fellBack('write', error);
      }
    }
    // Redis is away (or still replaying this shopper): the journal first (a refusal must leave
    // no trace, or the client's retry would count as a duplicate), then memory; Redis later.
    const fresh = this.options.memory.unseenEvents(shopperId, events);
    if (fresh.length === 0) return { applied: 0, duplicates: events.length, journaled: this.journal.hasPending(shopperId) };
    await this.keep({ kind: 'events', shopperId, events: fresh, now });
    this.options.memory.applyEventsNow(shopperId, fresh, now);
    this.options.memory.markStale(shopperId);
    return { applied: fresh.length, duplicates: events.length - fresh.length, journaled: true };
  }

  async writeSettings(shopperId: string, settings: ShopperSettings): Promise<void> {
    this.bump(shopperId);
    if (!this.journal.hasPending(shopperId)) {
      try {
        await this.call(() => this.options.redis.writeSettings(shopperId, settings));
        this.options.memory.writeSettingsNow(shopperId, settings);
        return;
      } catch (error) {
        if (isCallerError(error)) throw error;
        this.fellBack('write', error);
      }
    }
    await this.keep({ kind: 'settings', shopperId, settings });
    this.options.memory.writeSettingsNow(shopperId, settings);
    this.options.memory.markStale(shopperId);
  }

  async erase(shopperId: string, keepSettings: boolean): Promise<void> {
    this.bump(shopperId);
    this.options.memory.eraseNow(shopperId, keepSettings);
    await this.journal.removeShopper(shopperId, keepSettings);
    this.reportJournal();
    if (!this.journal.hasPending(shopperId)) {
      try {
        await this.call(() => this.options.redis.erase(shopperId, keepSettings));
        return;
      } catch (error) {
        if (isCallerError(error)) throw error;
        this.fellBack('erase', error);
      }
    }
    // Erasures have a reserve beyond the journal's bound; past that they too are refused (503).
    await this.keep({ kind: 'erase', shopperId, keepSettings });
  }

  /** Apply new breaker options without a restart. */
  reconfigure(next: BreakerConfig): void {
    this.config = next;
    this.breaker.reconfigure(next);
  }

  /** SIGTERM: replay the journal while Redis is reachable, for at most `timeoutMs`. */
  async flush(timeoutMs: number): Promise<FlushResult> {
    const deadline = Date.now() + timeoutMs;
    const before = this.journal.size;
    while (this.journal.size > 0 && Date.now() < deadline && !this.closed) {
      if (this.breaker.closed) {
        const drained = this.drain();
        await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())))]);
      }
      // Waiting for the half-open probe, or pausing after a failed replay: never spin.
      if (this.journal.size > 0) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const remaining = this.journal.size;
    if (remaining > 0) this.options.logger?.error({ remaining }, 'shutdown: journaled profile writes could not reach Redis in time');
    return { replayed: Math.max(0, before - remaining), remaining };
  }

  health(): StoreHealth {
    const memory = this.options.memory.stats();
    return {
      backend: 'redis',
      redisReady: isReady(this.options.redis.client),
      breaker: this.breaker.state,
      journalEntries: this.journal.size,
      memoryShoppers: memory.shoppers,
      memoryBytes: memory.bytes,
    };
  }

  /** Resolves true once Redis is connected (tests, start-up logs); the store serves either way. */
  ready(timeoutMs = 5_000): Promise<boolean> {
    return this.options.redis.ready(timeoutMs);
  }

  /** The breaker's effective options (admin view; tests). */
  breakerSettings(): BreakerSettings {
    return this.breaker.settings();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.breaker.shutdown();
    await this.journal.close();
    await this.options.redis.close();
    await this.options.memory.close();
  }

  /** A read through the breaker (the read timeout); a replay it makes possible starts after it. */
  private async callRead<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await this.breaker.read(operation);
    } finally {
      if (this.journal.size > 0 && this.breaker.closed && !this.draining) void this.drain();
    }
  }

  /** Writes and probes: the write timeout unless told otherwise. */
  private async call<T>(operation: (signal: AbortSignal) => Promise<T>, timeoutMs = this.config.writeTimeoutMs): Promise<T> {
    try {
      return await this.breaker.write(operation, timeoutMs);
    } finally {
      if (this.journal.size > 0 && this.breaker.closed && !this.draining) void this.drain();
    }
  }

  /** Replay journaled writes in order until the journal is empty or Redis fails again. */
  private drain(): Promise<void> {
    if (this.draining) return this.draining;
    this.draining = (async () => {
      while (!this.closed && this.journal.size > 0 && this.breaker.closed) {
        const { seq, entry } = this.journal.peek()!;
        try {
          await this.call((signal) => this.replay(entry, signal));
        } catch (error) {
          if (!isCallerError(error)) return;
          this.options.logger?.error({ shopper: shopperRef(entry.shopperId), err: error }, 'journaled write rejected by the store; dropped');
        }
        if (this.journal.shiftIf(seq)) this.options.metrics?.journalReplayed.inc();
        // Memory holds what this process saw; Redis now holds everything: re-read it next time.
        if (!this.journal.hasPending(entry.shopperId)) this.options.memory.markStale(entry.shopperId);
        this.reportJournal();
      }
    })().finally(() => {
      this.draining = null;
      this.scheduleDrain();
    });
    return this.draining;
  }

  /**
   * While entries wait, try again on a timer: without it a quiet process (or one whose shoppers
   * all have pending entries, so they skip Redis) would neither replay nor let the breaker see
   * that Redis is still down. An open breaker rejects these at once; its half-open probe and
   * `close` take over.
   */
  private scheduleDrain(): void {
    if (this.retryTimer || this.closed || this.journal.size === 0) return;
    const delay = Math.min(1_000, Math.max(50, Math.floor(this.config.resetTimeoutMs / 4)));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.drain();
    }, delay);
    this.retryTimer.unref();
  }

  private replay(entry: JournalEntry, signal: AbortSignal): Promise<unknown> {
    const redis = this.options.redis;
    switch (entry.kind) {
      case 'events':
        return redis.applyEventsWithState(entry.shopperId, entry.events, entry.now, signal);
      case 'settings':
        return redis.writeSettings(entry.shopperId, entry.settings);
      case 'erase':
        return redis.erase(entry.shopperId, entry.keepSettings);
    }
  }

  /**
   * A read for a shopper with journaled writes: Redis's copy with those writes folded over it
   * while Redis answers (a replay is under way), else the memory copy, which has them applied.
   */
  private async readPending(shopperId: string, held: ShopperRecord | null): Promise<StoreRead> {
    if (this.breaker.closed) {
      try {
        const fetched = await this.callRead(() => this.options.redis.readEncoded(shopperId, () => undefined));
        return { record: foldPending(fetched.record, this.journal.pending(shopperId), this.options.updater), source: 'redis' };
      } catch (error) {
        if (isCallerError(error)) throw error;
        this.fellBack('read', error);
      }
    }
    return { record: held ?? foldPending(EMPTY, this.journal.pending(shopperId), this.options.updater), source: 'fallback' };
  }

  /** Journal a write Redis missed; refused (503 upstream) when the journal cannot keep it. */
  private async keep(entry: JournalEntry): Promise<void> {
    const accepted = await this.journal.append(entry);
    this.reportJournal();
    this.scheduleDrain();
    if (!accepted) {
      this.options.metrics?.journalDropped.inc();
      this.droppedSinceLog++;
      // Counted every time; logged at most every 10 s so a long outage can't flood the log.
      if (Date.now() - this.lastDropLog >= 10_000) {
        this.options.logger?.error({ refused: this.droppedSinceLog, journal: this.journal.mode, journalEntries: this.journal.size, journalBytes: this.journal.bytes }, 'Redis unavailable and the replay journal cannot keep writes: answering 503');
        this.droppedSinceLog = 0;
        this.lastDropLog = Date.now();
      }
      throw new StoreUnavailableError(this.journal.mode === 'none' ? 'no-journal' : 'journal-full', Math.max(1, Math.ceil(this.config.resetTimeoutMs / 1000)));
    }
  }

  private reportJournal(): void {
    this.options.metrics?.journalDepth.set(this.journal.size);
  }

  private fellBack(operation: 'read' | 'write' | 'erase', error: unknown): void {
    this.options.metrics?.storeFallbacks.inc({ operation, cause: causeOf(error) });
  }

  /**
   * Is a near-cache copy stored at `storedAt` still fresh? Each shopper's copy lives a fixed share
   * of nearCacheTtlMs between 80% and 100% (by shopper id), so copies filled together — every hot
   * shopper after a start or a Redis outage — do not all expire, and go to Redis, in the same
   * instant. The TTL stays the upper bound of a copy's age.
   */
  private fresh(shopperId: string, storedAt: number, now: number): boolean {
    const ttl = this.options.nearCacheTtlMs;
    const age = now - storedAt;
    // The hash only for copies in the last fifth of the TTL (it costs ~0.3 µs here).
    return age < ttl * (1 - NEAR_CACHE_JITTER) || age < ttl - ttl * NEAR_CACHE_JITTER * stableFraction(shopperId);
  }

  private rememberUnknown(shopperId: string, now: number): void {
    this.unknown.delete(shopperId);
    if (this.unknown.size >= UNKNOWN_SHOPPERS_MAX) this.unknown.delete(this.unknown.keys().next().value!);
    this.unknown.set(shopperId, now);
  }

  private bump(shopperId: string): void {
    this.unknown.delete(shopperId);
    this.versions.set(shopperId, (this.versions.get(shopperId) ?? 0) + 1);
    // Bounded: versions only matter while a read is in flight.
    if (this.versions.size > 10_000) this.versions.clear();
  }
}

function isEmptyRecord(record: ShopperRecord): boolean {
  return record.profile === null && record.settings === null && record.session === null;
}
