import type { Metrics } from '../metrics/metrics.js';
import type { ProfileState, ProfileUpdater } from '../personalization/profile-update.js';
import type { ShopperEvent, ShopperProfile, ShopperRecord, ShopperSettings } from '../personalization/types.js';
import { eventKey } from './event-key.js';
import { decodeProfile, decodeSession, decodeSettings, encodeProfile, encodeSession, encodeSettings } from './profile-codec.js';
import type { ApplyResult, ProfileStore, StoreRead } from './profile-store.js';
import type { StoredSizes } from './memory-profile-store.js';
import { waitForReady, type RedisClient } from './redis-client.js';
import { createKeyLayout, type KeyLayout } from './redis-keys.js';
import { batchedMultiGet, type MultiGet } from './redis-read-batch.js';
import { COMPARE_AND_SET, LOAD_FOR_UPDATE } from './redis-scripts.js';

/** The compare-and-set script's answer when the shopper's settings say personalization is off. */
const OPTED_OUT = -2;

export interface RedisStoreOptions {
  client: RedisClient;
  keyPrefix: string;
  retentionDays: number;
  sessionTtlMs: number;
  seenEventIdsMax: number;
  seenEventIdsTtlMs: number;
  updater: ProfileUpdater;
  metrics?: Metrics;
  /** Compare-and-set attempts before giving up on a shopper written concurrently. */
  maxCasAttempts?: number;
}

/** A read with the profile still in codec form, so the near cache need not encode it again. */
export interface RedisRead {
  record: ShopperRecord;
  encodedProfile: Buffer | null;
  /** Stored (JSON) byte lengths of settings and session, so the near cache need not re-serialize them to count them. */
  sizes?: StoredSizes;
}

/** An applied write and the state it left in Redis (for the near cache). */
export interface RedisWrite {
  result: ApplyResult;
  /** null when nothing was written (every event was a duplicate). */
  state: ProfileState | null;
  encodedProfile: Buffer | null;
}

export class StoreConflictError extends Error {
  readonly code = 'ECASCONFLICT';
  constructor(attempts: number) {
    super(`profile changed concurrently ${attempts} times in a row`);
  }
}

interface ScriptCommands {
  sidecartLoadBuffer(p: string, c: string, e: string, ...eventKeys: string[]): Promise<(Buffer | number)[]>;
  sidecartCas(p: string, c: string, e: string, settings: string, ...args: (string | Buffer | number)[]): Promise<number>;
}

const DAY_MS = 86_400_000;

/**
 * Profiles in Redis. Updates are atomic per shopper and idempotent by event id without WATCH (the
 * connection is shared): load profile + session + which event ids were seen, run the pure updater
 * here, write back with a Lua compare-and-set on the profile's revision that also records the
 * event ids and sets the TTLs; on a conflict, reload and retry a bounded number of times.
 */
export class RedisProfileStore implements ProfileStore {
  private readonly keys: KeyLayout;
  private readonly scripts: ScriptCommands;
  private readonly maxCasAttempts: number;
  private readonly multiGet: MultiGet;
  /** Writes to one shopper from this process run one after another (CAS then only races other replicas). */
  private readonly writing = new Map<string, Promise<unknown>>();

  constructor(private readonly options: RedisStoreOptions) {
    this.keys = createKeyLayout(options.keyPrefix);
    this.maxCasAttempts = options.maxCasAttempts ?? 8;
    this.multiGet = batchedMultiGet(options.client);
    options.client.defineCommand('sidecartLoad', { numberOfKeys: 3, lua: LOAD_FOR_UPDATE });
    options.client.defineCommand('sidecartCas', { numberOfKeys: 4, lua: COMPARE_AND_SET });
    this.scripts = options.client as unknown as ScriptCommands;
  }

  get client(): RedisClient {
    return this.options.client;
  }

  async read(shopperId: string): Promise<StoreRead> {
    const { record } = await this.readEncoded(shopperId);
    return { record, source: 'redis' };
  }

  /**
   * `known` may answer the decoded profile for bytes it already holds (the near cache's copy when
   * Redis returns exactly those bytes), so a shopper whose profile did not change is not decoded
   * again; it must return undefined for any other bytes.
   */
  async readEncoded(shopperId: string, known?: (encodedProfile: Buffer) => ShopperProfile | undefined): Promise<RedisRead> {
    const started = performance.now();
    const k = this.keys.shopper(shopperId);
    const [p, s, c] = await this.multiGet([k.profile, k.settings, k.session]);
    this.observe('read', started);
    const encodedProfile = profileBytes(p ?? null);
    const reused = encodedProfile && known ? known(encodedProfile) : undefined;
    return {
      encodedProfile,
      sizes: { settings: s?.length ?? 0, session: c?.length ?? 0 },
      record: {
        profile: reused ?? safeDecodeProfile(encodedProfile),
        settings: s ? safeJson(() => decodeSettings(s.toString())) : null,
        session: c ? safeJson(() => decodeSession(c.toString())) : null,
      },
    };
  }

  async applyEvents(shopperId: string, events: ShopperEvent[], now: number): Promise<ApplyResult> {
    return (await this.applyEventsWithState(shopperId, events, now)).result;
  }

  /** `signal` stops retrying once the caller (the breaker) has given up on this call. */
  applyEventsWithState(shopperId: string, events: ShopperEvent[], now: number, signal?: AbortSignal): Promise<RedisWrite> {
    return this.serialize(shopperId, () => this.applyNow(shopperId, events, now, signal));
  }

  /** One write at a time per shopper in this process; an erase waits for the write before it. */
  private serialize<T>(shopperId: string, write: () => Promise<T>): Promise<T> {
    const previous = this.writing.get(shopperId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(write);
    this.writing.set(shopperId, next);
    const cleanup = () => {
      if (this.writing.get(shopperId) === next) this.writing.delete(shopperId);
    };
    next.then(cleanup, cleanup);
    return next;
  }

  private async applyNow(shopperId: string, events: ShopperEvent[], now: number, signal?: AbortSignal): Promise<RedisWrite> {
    const started = performance.now();
    const k = this.keys.shopper(shopperId);
    const eventKeys = events.map((e) => eventKey(e.id));
    for (let attempt = 1; attempt <= this.maxCasAttempts; attempt++) {
      signal?.throwIfAborted();
      const loaded = await this.scripts.sidecartLoadBuffer(k.profile, k.session, k.seenEvents, ...eventKeys);
      const [rawProfile, rawSession, ...seenFlags] = loaded as [Buffer, Buffer, ...number[]];
      const seen = new Set(eventKeys.filter((_, i) => Number(seenFlags[i]) === 1));
      const fresh: ShopperEvent[] = [];
      const freshKeys: string[] = [];
      events.forEach((event, i) => {
        const key = eventKeys[i]!;
        if (seen.has(key)) return;
        seen.add(key);
        fresh.push(event);
        freshKeys.push(key);
      });
      if (fresh.length === 0) {
        this.observe('write', started);
        return { result: { applied: 0, duplicates: events.length, journaled: false }, state: null, encodedProfile: null };
      }
      const rev = revisionOf(rawProfile);
      const sessionText = rawSession.length > 0 ? rawSession.toString() : null;
      const state: ProfileState = {
        profile: safeDecodeProfile(profileBytes(rawProfile)),
        session: sessionText ? safeJson(() => decodeSession(sessionText)) : null,
      };
      const next = this.options.updater(state, fresh, now);
      const encodedProfile = next.profile ? encodeProfile(next.profile) : null;
      const nextSession = next.session ? encodeSession(next.session) : null;
      const sessionMode = nextSession === sessionText ? 'k' : nextSession === null ? 'd' : 's';
      signal?.throwIfAborted();
      const written = await this.scripts.sidecartCas(
        k.profile,
        k.session,
        k.seenEvents,
        k.settings,
        rev,
        encodedProfile ?? '',
        sessionMode,
        nextSession ?? '',
        this.options.retentionDays * DAY_MS,
        Math.max(1, this.options.sessionTtlMs),
        Math.max(1, this.options.seenEventIdsTtlMs),
        this.options.seenEventIdsMax,
        now,
        ...freshKeys,
      );
      if (Number(written) === OPTED_OUT) {
        this.observe('write', started);
        return { result: { applied: 0, duplicates: 0, journaled: false }, state: null, encodedProfile: null };
      }
      if (Number(written) >= 0) {
        this.observe('write', started);
        return { result: { applied: fresh.length, duplicates: events.length - fresh.length, journaled: false }, state: next, encodedProfile };
      }
      // Another replica wrote this shopper in between: back off a little (jittered) and reload.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * attempt));
    }
    throw new StoreConflictError(this.maxCasAttempts);
  }

  async writeSettings(shopperId: string, settings: ShopperSettings): Promise<void> {
    const started = performance.now();
    // No TTL: the shopper's choice (opt-out above all) must outlive the profile.
    const key = this.keys.shopper(shopperId).settings;
    await this.serialize(shopperId, () => this.options.client.set(key, encodeSettings(settings)));
    this.observe('write', started);
  }

  async erase(shopperId: string, keepSettings: boolean): Promise<void> {
    const started = performance.now();
    const k = this.keys.shopper(shopperId);
    const keys = keepSettings ? [k.profile, k.session, k.seenEvents] : [k.profile, k.session, k.seenEvents, k.settings];
    await this.serialize(shopperId, () => this.options.client.del(...keys));
    this.observe('erase', started);
  }

  /** Wait for the connection (tests, start-up checks); commands fail fast until it is ready. */
  ready(timeoutMs = 5_000): Promise<boolean> {
    return waitForReady(this.options.client, timeoutMs);
  }

  async ping(): Promise<void> {
    await this.options.client.ping();
  }

  async close(): Promise<void> {
    try {
      await this.options.client.quit();
    } catch {
      this.options.client.disconnect();
    }
  }

  private observe(operation: 'read' | 'write' | 'erase', started: number): void {
    this.options.metrics?.storeDuration.observe({ backend: 'redis', operation }, (performance.now() - started) / 1000);
  }
}

/** The codec bytes of a stored "<rev>:<bytes>" value; null when there is no profile. */
function profileBytes(raw: Buffer | null): Buffer | null {
  if (!raw || raw.length === 0) return null;
  const colon = raw.indexOf(0x3a);
  if (colon < 0 || colon === raw.length - 1) return null;
  return raw.subarray(colon + 1);
}

function revisionOf(raw: Buffer): number {
  if (raw.length === 0) return 0;
  const colon = raw.indexOf(0x3a);
  const rev = Number(raw.toString('latin1', 0, colon < 0 ? 0 : colon));
  return Number.isInteger(rev) ? rev : 0;
}

/** A stored profile that cannot be decoded costs the shopper their history, never the search. */
function safeDecodeProfile(bytes: Buffer | null): ShopperProfile | null {
  if (!bytes) return null;
  try {
    return decodeProfile(bytes);
  } catch {
    return null;
  }
}

function safeJson<T>(parse: () => T): T | null {
  try {
    return parse();
  } catch {
    return null;
  }
}
