import type { CoPurchases } from '../personalization/complementary.js';

// Store-wide co-purchase counts, as a store would keep them (bounded per product): how many
// baskets held both products; the pair (a, a) is the number of baskets holding a.

/** Partners kept per product, like a bounded Redis sorted set. */
export const MAX_PARTNERS = 20;

export class PairCounts {
  private readonly counts = new Map<string, Map<string, number>>();
  private readonly top = new Map<string, Record<string, number>>();

  addBasket(ids: readonly string[]): void {
    const unique = [...new Set(ids)];
    for (const a of unique) {
      let row = this.counts.get(a);
      if (!row) this.counts.set(a, (row = new Map()));
      for (const b of unique) row.set(b, (row.get(b) ?? 0) + 1);
    }
  }

  /** The bounded partner list of one product (its own basket count included). */
  partners(id: string): Record<string, number> | undefined {
    const cached = this.top.get(id);
    if (cached) return cached;
    const row = this.counts.get(id);
    if (!row) return undefined;
    const best = [...row.entries()].filter(([b]) => b !== id).sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).slice(0, MAX_PARTNERS);
    const out: Record<string, number> = Object.assign(Object.create(null) as Record<string, number>, Object.fromEntries(best));
    out[id] = row.get(id) ?? 0;
    this.top.set(id, out);
    return out;
  }

  forAnchors(ids: readonly string[]): CoPurchases {
    const out: CoPurchases = Object.create(null) as CoPurchases;
    for (const id of ids) {
      const p = this.partners(id);
      if (p) out[id] = p;
    }
    return out;
  }
}
