// A small LRU of verified tokens, so a storefront sending the same JWT on every request pays for
// one signature check per token, not one per request. Entries never outlive the token's `exp`.

export interface CachedToken {
  shopperId: string;
  /** Epoch ms after which the entry is dead: min(token exp, cached-at + ttl). */
  until: number;
}

export class TokenCache {
  private readonly entries = new Map<string, CachedToken>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
  ) {}

  get(token: string, now: number): string | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    this.entries.delete(token);
    if (entry.until <= now) return undefined;
    // Re-insert: a Map iterates in insertion order, so the first key is the least recently used.
    this.entries.set(token, entry);
    return entry.shopperId;
  }

  /** `expMs` is the token's own expiry; the entry lives until that or the cache TTL, whichever is first. */
  set(token: string, shopperId: string, expMs: number, now: number): void {
    const until = Math.min(expMs, now + this.ttlMs);
    if (until <= now || this.maxEntries <= 0) return;
    this.entries.delete(token);
    this.entries.set(token, { shopperId, until });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
