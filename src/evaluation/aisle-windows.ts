import type { PersonalizationConfig } from '../config/schema.js';
import { personalize } from '../personalization/personalize.js';
import type { ShopperRecord } from '../personalization/types.js';
import type { Prepared } from './run-evaluation.js';

// The aisle searches as a store gets them: the backend answers pages of PAGE hits, and sidecart
// can rerank only the hits it is given, the top `window` of the backend's order (24 = the page
// only). A product past the window stays where the backend put it. For each bought product:
// is it on the first page (top 10, top 24), and its reciprocal rank.

export const PAGE = 24;

export interface WindowRow {
  name: string;
  top10: number;
  top24: number;
  mrr: number;
  lines: number;
}

class RankAverager {
  private n = 0;
  private t10 = 0;
  private t24 = 0;
  private rr = 0;
  add(position: number): void {
    this.n += 1;
    if (position <= 10) this.t10 += 1;
    if (position <= PAGE) this.t24 += 1;
    this.rr += 1 / position;
  }
  row(name: string): WindowRow {
    const n = Math.max(1, this.n);
    return { name, top10: this.t10 / n, top24: this.t24 / n, mrr: this.rr / n, lines: this.n };
  }
}

export interface WindowOptions {
  /** Windows to simulate; Infinity = the whole aisle. */
  windows: readonly number[];
  strength: number;
  /** The config per shopper (e.g. with their cross-validation fold's model); default `config`. */
  configFor?: (userId: string) => PersonalizationConfig;
  config: PersonalizationConfig;
  label: string;
}

export function aisleWindows(prepared: Prepared, options: WindowOptions): WindowRow[] {
  const backend = new RankAverager();
  const byWindow = options.windows.map(() => new RankAverager());
  const settings = { personalization: true, features: {}, dietary: [], updatedAt: 0 };
  for (const { split, profile } of prepared.shoppers) {
    const record: ShopperRecord = { profile, settings, session: null };
    const config = options.configFor?.(split.userId) ?? options.config;
    const now = split.target.at;
    const bought = new Set(split.target.products);
    const aisles = new Set<string>();
    for (const id of bought) {
      const aisle = prepared.catalog.aisleOf.get(id);
      if (aisle !== undefined) aisles.add(aisle);
    }
    for (const aisle of aisles) {
      const hits = prepared.catalog.hits.get(aisle)!;
      for (const hit of hits) if (bought.has(hit.id)) backend.add(hit.index + 1);
      options.windows.forEach((window, w) => {
        const size = Math.min(window, hits.length);
        const { order } = personalize({ hits: hits.slice(0, size), record, strength: options.strength, config, now, explain: false });
        order.forEach((index, pos) => {
          if (bought.has(hits[index]!.id)) byWindow[w]!.add(pos + 1);
        });
        for (let i = size; i < hits.length; i++) if (bought.has(hits[i]!.id)) byWindow[w]!.add(i + 1);
      });
    }
  }
  return [backend.row('backend order'), ...options.windows.map((w, i) => byWindow[i]!.row(`${options.label}, window ${Number.isFinite(w) ? w : 'whole aisle'}`))];
}
