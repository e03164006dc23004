import type { CoPurchases } from '../personalization/complementary.js';
import type { ShopperEvent } from '../personalization/types.js';
import { basketProducts, countedPurchaseHash, publishable, type CoPurchaseSettings, type CoPurchaseStore } from './co-purchase-store.js';

interface ProductRow {
  partners: Map<string, number>;
  touchedAt: number;
}

/** Purchases remembered as counted (two generations of this many each). */
const COUNTED_GENERATION = 50_000;

/**
 * Co-purchase counts in this process's memory, for a sidecart without Redis: an LRU of at most
 * `memoryMaxProducts` products, each with at most about 2 × `maxPartners` partners (trimmed back
 * to the strongest `maxPartners` when it doubles, so a new partner has room to grow), halved when
 * the product's basket count reaches `halveAt`, forgotten `ttlDays` after its last basket.
 */
export class MemoryCoPurchaseStore implements CoPurchaseStore {
  private readonly rows = new Map<string, ProductRow>();
  private counted = new Set<string>();
  private countedBefore = new Set<string>();

  constructor(private readonly settings: () => CoPurchaseSettings) {}

  recordPurchase(shopperId: string, event: ShopperEvent, now: number): Promise<void> {
    const ids = basketProducts(event);
    if (ids.length === 0 || !this.firstCount(countedPurchaseHash(shopperId, event.id))) return Promise.resolve();
    const s = this.settings();
    for (const anchor of ids) {
      const row = this.touch(anchor, now);
      for (const partner of ids) row.partners.set(partner, (row.partners.get(partner) ?? 0) + 1);
      if ((row.partners.get(anchor) ?? 0) >= s.halveAt) halve(row.partners);
      if (row.partners.size > 2 * (s.maxPartners + 1)) trim(row.partners, s.maxPartners + 1);
    }
    while (this.rows.size > s.memoryMaxProducts) {
      const oldest = this.rows.keys().next().value as string;
      this.rows.delete(oldest);
    }
    return Promise.resolve();
  }

  countsFor(anchors: readonly string[], now: number): Promise<CoPurchases> {
    const s = this.settings();
    const out: CoPurchases = {};
    for (const anchor of anchors) {
      const row = this.rows.get(anchor);
      if (!row) continue;
      if (now - row.touchedAt > s.ttlDays * 86_400_000) {
        this.rows.delete(anchor);
        continue;
      }
      const strongest = [...row.partners].sort((a, b) => b[1] - a[1]).slice(0, s.maxPartners + 1);
      const counts = publishable(anchor, strongest, s.minBaskets);
      if (counts) out[anchor] = counts;
    }
    return Promise.resolve(out);
  }

  /** Products held (tests, bounds). */
  get size(): number {
    return this.rows.size;
  }

  ready(): Promise<boolean> {
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    this.rows.clear();
    return Promise.resolve();
  }

  private touch(anchor: string, now: number): ProductRow {
    let row = this.rows.get(anchor);
    if (row) this.rows.delete(anchor);
    else row = { partners: new Map(), touchedAt: now };
    row.touchedAt = now;
    this.rows.set(anchor, row);
    return row;
  }

  /** true the first time a purchase is seen (bounded memory: two generations of hashes). */
  private firstCount(hash: string): boolean {
    if (this.counted.has(hash) || this.countedBefore.has(hash)) return false;
    this.counted.add(hash);
    if (this.counted.size >= COUNTED_GENERATION) {
      this.countedBefore = this.counted;
      this.counted = new Set();
    }
    return true;
  }
}

function halve(partners: Map<string, number>): void {
  for (const [id, n] of partners) {
    if (n < 2) partners.delete(id);
    else partners.set(id, n / 2);
  }
}

function trim(partners: Map<string, number>, keep: number): void {
  const weakest = [...partners].sort((a, b) => b[1] - a[1]).slice(keep);
  for (const [id] of weakest) partners.delete(id);
}
