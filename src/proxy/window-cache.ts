// Rerank windows already served, per shopper and query: the pages of one window come from one
// ranking, so a shopper paging through sees each product once even when an event changed their
// profile between two pages. Bounded (least recently used goes first) and short-lived.

/** A window's ranking: which backend window it ranked (a fingerprint of its hit ids in order) and the order it chose. */
export interface RankedWindow {
  fingerprint: string;
  order: readonly number[];
}

export class WindowCache {
  private readonly entries = new Map<string, { window: RankedWindow; at: number }>();

  /** The window ranked for this key within `ttlMs` of `now`; an older one is dropped. */
  get(key: string, now: number, ttlMs: number): RankedWindow | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (now - entry.at > ttlMs) return undefined;
    // Re-inserted: a Map iterates in insertion order, so the first key is the least recently used.
    this.entries.set(key, entry);
    return entry.window;
  }

  set(key: string, window: RankedWindow, now: number, maxEntries: number): void {
    this.entries.delete(key);
    this.entries.set(key, { window, at: now });
    while (this.entries.size > maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}
