import type { HitView } from '../adapters/adapter.js';
import type { GroceryData } from './grocery-data.js';
import { tagsFromName } from './shopper-history.js';

// A search of one aisle, as a backend would answer it: every catalog product of the aisle, in a
// fixed relevance order = global popularity (orders holding the product in the training history,
// all shoppers, held-out baskets excluded), ties by product id.

export interface AisleCatalog {
  hits: Map<string, HitView[]>;
  aisleOf: Map<string, string>;
}

export function buildAisleCatalog(data: GroceryData, popularity: ReadonlyMap<string, number>): AisleCatalog {
  const byAisle = new Map<string, { id: string; pop: number; hit: HitView }[]>();
  const aisleOf = new Map<string, string>();
  for (const p of data.products.values()) {
    aisleOf.set(p.id, p.aisleId);
    const list = byAisle.get(p.aisleId) ?? [];
    list.push({ id: p.id, pop: popularity.get(p.id) ?? 0, hit: { index: 0, id: p.id, category: p.aisle, tags: tagsFromName(p.name), name: p.name } });
    byAisle.set(p.aisleId, list);
  }
  const hits = new Map<string, HitView[]>();
  for (const [aisle, list] of byAisle) {
    list.sort((a, b) => b.pop - a.pop || Number(a.id) - Number(b.id));
    hits.set(aisle, list.map((e, i) => ({ ...e.hit, index: i })));
  }
  return { hits, aisleOf };
}

export interface PositionSummary {
  /** Mean 1-based position of a bought product in its aisle's results. */
  mean: number;
  median: number;
  /** Share of bought products on the first page (top 10). */
  top10: number;
  count: number;
}

export class PositionAverager {
  private readonly positions: number[] = [];

  add(position: number): void {
    this.positions.push(position);
  }

  summary(): PositionSummary {
    const n = this.positions.length;
    if (n === 0) return { mean: 0, median: 0, top10: 0, count: 0 };
    const sorted = [...this.positions].sort((a, b) => a - b);
    const sum = sorted.reduce((s, p) => s + p, 0);
    const median = n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
    return { mean: sum / n, median, top10: sorted.filter((p) => p <= 10).length / n, count: n };
  }
}
