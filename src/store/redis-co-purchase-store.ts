import type { BreakerConfig } from '../config/schema.js';
import type { Logger } from '../logging/logger.js';
import type { CoPurchases } from '../personalization/complementary.js';
import type { ShopperEvent } from '../personalization/types.js';
import { basketProducts, COUNTED_TTL_MS, countedPurchaseHash, publishable, type CoPurchaseSettings, type CoPurchaseStore } from './co-purchase-store.js';
import { RedisBreaker, type BreakerSettings, type BreakerState } from './redis-breaker.js';
import { waitForReady, type RedisClient } from './redis-client.js';
import type { KeyLayout } from './redis-keys.js';

/**
 * Add one basket to one product's sorted set. KEYS: the product's co-purchase key.
 * ARGV: product id, maxPartners, TTL ms, halveAt, partner ids...
 * The set may grow to 2 × (maxPartners + 1) members before it is trimmed back to the strongest
 * maxPartners + 1 (the product itself is always the strongest), so a new partner has room to
 * grow before it competes. At `halveAt` baskets every count halves and counts under 1 go: old
 * baskets fade, and scores stay small.
 */
const ADD_BASKET = `
for i = 5, #ARGV do redis.call('ZINCRBY', KEYS[1], 1, ARGV[i]) end
local own = tonumber(redis.call('ZINCRBY', KEYS[1], 1, ARGV[1]))
if own >= tonumber(ARGV[4]) then
  redis.call('ZUNIONSTORE', KEYS[1], 1, KEYS[1], 'WEIGHTS', 0.5)
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(1')
end
local keep = tonumber(ARGV[2]) + 1
if redis.call('ZCARD', KEYS[1]) > 2 * keep then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(keep + 1)) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

interface ScriptCommands {
  sidecartCoPurchaseAdd(key: string, ...args: (string | number)[]): Promise<number>;
}

export interface RedisCoPurchaseStoreOptions {
  /** Builds the client on first use, so a sidecart with the feature off never connects for it. */
  connect: () => RedisClient;
  keys: KeyLayout;
  settings: () => CoPurchaseSettings;
  breaker: BreakerConfig;
  logger?: Logger;
}

/**
 * Store-wide co-purchase counts in Redis: one sorted set per product (`<prefix>:cp:<product>`),
 * written with one script per product of a basket (one key each, so Cluster-safe), read with one
 * ZREVRANGE per anchor. Every call goes through a breaker of its own with the store's breaker
 * settings (reads with the read timeout, a purchase's writes with the write timeout) and fails fast (the client has no offline queue and a command timeout): a dead Redis
 * costs a search nothing once the breaker is open, and a purchase is then simply not counted.
 */
export class RedisCoPurchaseStore implements CoPurchaseStore {
  private client: RedisClient | null = null;
  private readonly breaker: RedisBreaker;
  private lastErrorLog = 0;

  constructor(private readonly options: RedisCoPurchaseStoreOptions) {
    // Not bridged to the breaker metrics: those describe the profile store's Redis.
    this.breaker = new RedisBreaker({ name: 'redis-co-purchases', config: options.breaker });
  }

  async recordPurchase(shopperId: string, event: ShopperEvent, now: number): Promise<void> {
    const ids = basketProducts(event);
    if (ids.length === 0) return;
    const s = this.options.settings();
    const keys = this.options.keys;
    try {
      const client = this.connection();
      // Once per purchase, whichever replica sees it first (retries and replays reach any replica).
      const first = await this.breaker.write(() => client.set(keys.coPurchaseCounted(countedPurchaseHash(shopperId, event.id)), '1', 'PX', COUNTED_TTL_MS, 'NX'));
      if (first !== 'OK') return;
      const scripts = client as unknown as ScriptCommands;
      const ttlMs = s.ttlDays * 86_400_000;
      await this.breaker.write(() =>
        Promise.all(ids.map((anchor) => scripts.sidecartCoPurchaseAdd(keys.coPurchases(anchor), anchor, s.maxPartners, ttlMs, s.halveAt, ...ids.filter((id) => id !== anchor)))),
      );
    } catch (err) {
      this.logError(err, now);
    }
  }

  async countsFor(anchors: readonly string[]): Promise<CoPurchases> {
    if (anchors.length === 0) return {};
    const s = this.options.settings();
    const client = this.connection();
    const rows = await this.breaker.read(() => Promise.all(anchors.map((anchor) => client.zrevrange(this.options.keys.coPurchases(anchor), 0, s.maxPartners, 'WITHSCORES'))));
    const out: CoPurchases = {};
    for (let a = 0; a < anchors.length; a++) {
      const flat = rows[a] ?? [];
      const pairs: [string, number][] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i]!, Number(flat[i + 1])]);
      const counts = publishable(anchors[a]!, pairs, s.minBaskets);
      if (counts) out[anchors[a]!] = counts;
    }
    return out;
  }

  /** Apply new breaker options without a restart (every one of them, like the profile store's). */
  reconfigure(next: BreakerConfig): void {
    this.breaker.reconfigure(next);
  }

  /** The breaker's effective options and state (tests). */
  breakerSettings(): BreakerSettings & { state: BreakerState } {
    return { ...this.breaker.settings(), state: this.breaker.state };
  }

  /** The breaker's read timeout (tests). */
  breakerTimeout(): number {
    return this.breaker.settings().timeout;
  }

  ready(timeoutMs = 5_000): Promise<boolean> {
    return waitForReady(this.connection(), timeoutMs);
  }

  async close(): Promise<void> {
    this.breaker.shutdown();
    const client = this.client;
    this.client = null;
    if (client) await client.quit().catch(() => client.disconnect());
  }

  private connection(): RedisClient {
    if (!this.client) {
      const client = this.options.connect();
      // Connection errors are events; the breaker reacts to the failed commands.
      client.on('error', () => undefined);
      client.defineCommand('sidecartCoPurchaseAdd', { numberOfKeys: 1, lua: ADD_BASKET });
      this.client = client;
    }
    return this.client;
  }

  /** A lost count is not worth a log line per purchase: at most one a minute. */
  private logError(err: unknown, now: number): void {
    if (now - this.lastErrorLog < 60_000) return;
    this.lastErrorLog = now;
    this.options.logger?.warn({ err }, 'co-purchase counts: a purchase was not counted (Redis unavailable)');
  }
}
