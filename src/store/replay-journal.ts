import type { ShopperEvent, ShopperSettings } from '../personalization/types.js';

/** A write Redis missed, kept in memory until Redis is back. */
export type JournalEntry =
  | { kind: 'events'; shopperId: string; events: ShopperEvent[]; now: number }
  | { kind: 'settings'; shopperId: string; settings: ShopperSettings }
  | { kind: 'erase'; shopperId: string; keepSettings: boolean };

/** Approximate memory of an entry: its JSON size plus a fixed cost for the objects around it. */
function entryBytes(entry: JournalEntry): number {
  return 100 + (entry.kind === 'events' ? JSON.stringify(entry.events).length : entry.kind === 'settings' ? JSON.stringify(entry.settings).length : 0);
}

/**
 * Bounded (entries and bytes), in-order journal of writes made while Redis was away. Replay takes
 * entries from the head, in the order they were accepted. Full: `push` refuses (the caller counts
 * and logs it), except for erasures, which are always kept — a shopper's deletion must reach Redis.
 */
export class ReplayJournal {
  private entries: JournalEntry[] = [];
  private readonly sizes = new WeakMap<JournalEntry, number>();
  private head = 0;
  private totalBytes = 0;
  private readonly perShopper = new Map<string, number>();

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {}

  get bytes(): number {
    return this.totalBytes;
  }

  get size(): number {
    return this.entries.length - this.head;
  }

  /** Entries still waiting for this shopper (its reads and writes must not bypass them). */
  hasPending(shopperId: string): boolean {
    return this.perShopper.has(shopperId);
  }

  push(entry: JournalEntry): boolean {
    const bytes = entryBytes(entry);
    if (entry.kind !== 'erase' && (this.size >= this.maxEntries || this.totalBytes + bytes > this.maxBytes)) return false;
    this.sizes.set(entry, bytes);
    this.totalBytes += bytes;
    this.entries.push(entry);
    this.perShopper.set(entry.shopperId, (this.perShopper.get(entry.shopperId) ?? 0) + 1);
    return true;
  }

  peek(): JournalEntry | undefined {
    return this.entries[this.head];
  }

  /** Remove `entry` if it is still the head (an erase may have removed it while it was replayed). */
  shiftIf(entry: JournalEntry): boolean {
    if (this.entries[this.head] !== entry) return false;
    this.head++;
    this.totalBytes -= this.sizes.get(entry) ?? 0;
    this.forget(entry.shopperId, 1);
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    return true;
  }

  /** Drop a shopper's entries (erasure). With `keepSettings`, their settings writes stay. */
  removeShopper(shopperId: string, keepSettings: boolean): number {
    if (!this.perShopper.has(shopperId)) return 0;
    const before = this.size;
    this.entries = this.entries.slice(this.head).filter((e) => {
      const keep = e.shopperId !== shopperId || (keepSettings && e.kind === 'settings');
      if (!keep) this.totalBytes -= this.sizes.get(e) ?? 0;
      return keep;
    });
    this.head = 0;
    const removed = before - this.size;
    this.forget(shopperId, removed);
    return removed;
  }

  private forget(shopperId: string, count: number): void {
    const left = (this.perShopper.get(shopperId) ?? 0) - count;
    if (left > 0) this.perShopper.set(shopperId, left);
    else this.perShopper.delete(shopperId);
  }
}
