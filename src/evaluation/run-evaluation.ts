import type { FeatureName, PersonalizationConfig } from '../config/schema.js';
import { personalize } from '../personalization/personalize.js';
import { applyEvents } from '../personalization/profile-update.js';
import type { ShopperProfile, ShopperRecord } from '../personalization/types.js';
import { buildAisleCatalog, PositionAverager, type AisleCatalog, type PositionSummary } from './aisle-search.js';
import type { GroceryData } from './grocery-data.js';
import { PairCounts } from './pair-counts.js';
import { SetAverager, scoreSet, type SetSummary } from './set-metrics.js';
import { splitShopper, type ShopperSplit } from './shopper-history.js';

// The offline evaluation: for each shopper, replay all prior orders but the last through the
// profile updater (one batch per order, as checkouts arrive), then predict the last order with
// `usual` and `reorder` and search each aisle of it, backend order versus personalized order.

export interface PreparedShopper {
  split: ShopperSplit;
  profile: ShopperProfile;
  /** Purchase counts over the whole history (unbounded), for the "own top products" reference. */
  counts: Map<string, number>;
}

export interface Prepared {
  shoppers: PreparedShopper[];
  /** Store-wide co-purchase counts over the training history (complementary signal). */
  pairs: PairCounts;
  catalog: AisleCatalog;
  /** Product ids by global popularity in the training history. */
  popular: string[];
  targetLines: number;
}

export function prepare(data: GroceryData, config: PersonalizationConfig): Prepared {
  const shoppers: PreparedShopper[] = [];
  const popularity = new Map<string, number>();
  const pairs = new PairCounts();
  let targetLines = 0;
  const users = [...data.ordersByUser.keys()].sort((a, b) => Number(a) - Number(b));
  for (const userId of users) {
    const split = splitShopper(data, userId, data.ordersByUser.get(userId)!);
    if (!split) continue;
    let state: { profile: ShopperProfile | null; session: null } = { profile: null, session: null };
    const counts = new Map<string, number>();
    for (const event of split.history) {
      state = { profile: applyEvents(state, [event], event.at, config, { purchaseOrders: true }).profile, session: null };
      pairs.addBasket(event.items.map((i) => i.id));
      for (const item of event.items) {
        counts.set(item.id, (counts.get(item.id) ?? 0) + 1);
        popularity.set(item.id, (popularity.get(item.id) ?? 0) + 1);
      }
    }
    targetLines += split.target.products.length;
    shoppers.push({ split, profile: state.profile!, counts });
  }
  const popular = [...popularity.entries()].sort((a, b) => b[1] - a[1] || Number(a[0]) - Number(b[0])).map(([id]) => id);
  return { shoppers, pairs, catalog: buildAisleCatalog(data, popularity), popular, targetLines };
}

export interface EvaluationOptions {
  config: PersonalizationConfig;
  /** Ranking strength for the aisle searches (the route default is 0.5). */
  strength: number;
  /** Feature switches for every shopper (e.g. one optional signal on, for the ablation). */
  features?: Partial<Record<FeatureName, boolean>>;
  /** With complementary on: also the store-wide pair counts (default), or the shopper's own baskets only. */
  storeWide?: boolean;
}

export interface EvaluationResult {
  shoppers: number;
  targetLines: number;
  sets: Record<'union' | 'usual' | 'reorder' | 'popularUnion' | 'popularUsual' | 'popularReorder' | 'ownTopUnion', SetSummary>;
  positions: { backend: PositionSummary; personalized: PositionSummary };
}

function ownTop(counts: ReadonlyMap<string, number>, k: number): string[] {
  if (k === 0) return [];
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || Number(a[0]) - Number(b[0])).slice(0, k).map(([id]) => id);
}

export function measure(prepared: Prepared, options: EvaluationOptions): EvaluationResult {
  const avg = {
    union: new SetAverager(),
    usual: new SetAverager(),
    reorder: new SetAverager(),
    popularUnion: new SetAverager(),
    popularUsual: new SetAverager(),
    popularReorder: new SetAverager(),
    ownTopUnion: new SetAverager(),
  };
  const backend = new PositionAverager();
  const personalized = new PositionAverager();
  const settings = { personalization: true, features: options.features ?? {}, dietary: [], updatedAt: 0 };
  for (const { split, profile, counts } of prepared.shoppers) {
    const record: ShopperRecord = { profile, settings, session: null };
    const now = split.target.at;
    const actual = new Set(split.target.products);
    const coPurchases = options.features?.complementary && options.storeWide !== false ? prepared.pairs.forAnchors(Object.keys(profile.products)) : undefined;
    const { section } = personalize({ hits: [], record, strength: options.strength, config: options.config, now, explain: false, coPurchases });
    const usual = section.usual.map((u) => u.id);
    const reorder = section.reorder.map((r) => r.id);
    const union = [...new Set([...usual, ...reorder, ...(section.complementary ?? []).map((c) => c.id)])];
    avg.union.add(scoreSet(union, actual));
    avg.usual.add(scoreSet(usual, actual));
    avg.reorder.add(scoreSet(reorder, actual));
    avg.popularUnion.add(scoreSet(prepared.popular.slice(0, union.length), actual));
    avg.popularUsual.add(scoreSet(prepared.popular.slice(0, usual.length), actual));
    avg.popularReorder.add(scoreSet(prepared.popular.slice(0, reorder.length), actual));
    avg.ownTopUnion.add(scoreSet(ownTop(counts, union.length), actual));

    const byAisle = new Map<string, string[]>();
    for (const id of actual) {
      const aisle = prepared.catalog.aisleOf.get(id);
      if (aisle === undefined) continue;
      const list = byAisle.get(aisle) ?? [];
      list.push(id);
      byAisle.set(aisle, list);
    }
    for (const [aisle, bought] of byAisle) {
      const hits = prepared.catalog.hits.get(aisle)!;
      const { order } = personalize({ hits, record, strength: options.strength, config: options.config, now, explain: false, coPurchases });
      const wanted = new Set(bought);
      for (let pos = 0; pos < order.length; pos++) {
        const hit = hits[order[pos]!]!;
        if (wanted.has(hit.id)) {
          personalized.add(pos + 1);
          backend.add(hit.index + 1);
        }
      }
    }
  }
  const sets = Object.fromEntries(Object.entries(avg).map(([k, v]) => [k, v.summary()])) as EvaluationResult['sets'];
  return { shoppers: prepared.shoppers.length, targetLines: prepared.targetLines, sets, positions: { backend: backend.summary(), personalized: personalized.summary() } };
}
