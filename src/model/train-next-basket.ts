import type { PersonalizationConfig } from '../config/schema.js';
import { NEXT_BASKET_FEATURES, productFeatures, shopperFigures, type NextBasketModel } from '../personalization/next-basket-model.js';
import { applyEvents } from '../personalization/profile-update.js';
import type { ShopperEvent, ShopperProfile } from '../personalization/types.js';
import { fitLogistic } from './logistic-regression.js';
import { seededRandom, seededShuffle } from './seeded-random.js';

export { seededRandom, seededShuffle } from './seeded-random.js';

// Training the next-basket model on a store's own order history. Each shopper's orders are
// replayed through the same profile updater the server uses (so the model sees exactly what a
// stored profile holds, bounds included); before each of the shopper's last few orders the
// profile is a training example: every product it holds, labelled by whether that order had it.

/** One point in a shopper's history: the profile just before an order, and what the order held. */
export interface Snapshot {
  profile: ShopperProfile;
  at: number;
  bought: ReadonlySet<string>;
}

export interface TrainOptions {
  config: PersonalizationConfig;
  /** Drives the sampling of rows when there are more than `maxRows`; same seed, same model. */
  seed: number;
  /** Orders per shopper used as labels, counted back from the last (default 3). */
  cutsPerShopper?: number;
  /** Products kept in the model's popularity table (the most popular). */
  maxPopularProducts?: number;
  maxRows?: number;
  l2?: number;
  iterations?: number;
}

export interface TrainSummary {
  shoppers: number;
  orders: number;
  rows: number;
  positives: number;
  logLoss: number;
}

/**
 * Replays one shopper's purchase events (any order; sorted here by time) and keeps the profile
 * before each of the last `cuts` orders (never before the first: nothing to predict from).
 */
export function snapshotsOf(orders: readonly ShopperEvent[], cuts: number, config: PersonalizationConfig): Snapshot[] {
  const sorted = [...orders].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
  const first = Math.max(1, sorted.length - cuts);
  const out: Snapshot[] = [];
  let profile: ShopperProfile | null = null;
  for (let i = 0; i < sorted.length; i++) {
    const event = sorted[i]!;
    if (i >= first && profile) out.push({ profile, at: event.at, bought: new Set(event.items.map((item) => item.id)) });
    profile = applyEvents({ profile, session: null }, [event], event.at, config, { purchaseOrders: true }).profile;
  }
  return out;
}

export interface ProductTable {
  popularity: Map<string, number>;
  floor: number;
  repeat: Map<string, number>;
  repeatFloor: number;
  orders: number;
}

/** Prior weight (in purchases) of the store-wide repeat rate in a product's own rate. */
const REPEAT_PRIOR = 5;

/**
 * Store-wide product figures for the most popular `max` products: the share of orders holding
 * each, and the share of its purchases that were a repeat by the same shopper (smoothed towards
 * the store-wide rate).
 */
export function popularityOf(histories: Iterable<readonly ShopperEvent[]>, max: number): ProductTable {
  const counts = new Map<string, number>();
  const repeats = new Map<string, number>();
  let orders = 0;
  let allRepeats = 0;
  let allLines = 0;
  for (const events of histories) {
    const seen = new Set<string>();
    for (const event of [...events].sort((a, b) => a.at - b.at)) {
      if (event.type !== 'purchase') continue;
      orders += 1;
      for (const id of new Set(event.items.map((i) => i.id))) {
        counts.set(id, (counts.get(id) ?? 0) + 1);
        allLines += 1;
        if (seen.has(id)) {
          repeats.set(id, (repeats.get(id) ?? 0) + 1);
          allRepeats += 1;
        } else seen.add(id);
      }
    }
  }
  const base = allRepeats / Math.max(1, allLines);
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, max);
  const total = Math.max(1, orders);
  // Products past the table count as bought once less than the least popular kept one (at least half an order).
  const floor = Math.max(0.5, (top[top.length - 1]?.[1] ?? 1) - 1) / total;
  const repeat = new Map(top.map(([id, c]) => [id, ((repeats.get(id) ?? 0) + REPEAT_PRIOR * base) / (c + REPEAT_PRIOR)]));
  return { popularity: new Map(top.map(([id, c]) => [id, c / total])), floor, repeat, repeatFloor: base, orders };
}

/** Fits the model on snapshots (profiles and what came next) with the given popularity table. */
export function fitNextBasket(
  snapshots: readonly Snapshot[],
  table: ProductTable,
  options: TrainOptions,
): { model: NextBasketModel; summary: Omit<TrainSummary, 'shoppers' | 'orders'> } {
  const width = NEXT_BASKET_FEATURES.length;
  const base = { popularity: table.popularity, popularityFloor: table.floor, repeat: table.repeat, repeatFloor: table.repeatFloor, halfLifeDays: options.config.halfLifeDays };
  const raw: number[][] = [];
  const labels: number[] = [];
  for (const snap of snapshots) {
    const shopper = shopperFigures(snap.profile, snap.at);
    for (const id in snap.profile.products) {
      const stat = snap.profile.products[id]!;
      if (stat.n < 1) continue;
      raw.push(productFeatures(snap.profile, stat, id, snap.at, base, shopper));
      labels.push(snap.bought.has(id) ? 1 : 0);
    }
  }
  let order = raw.map((_, i) => i);
  const maxRows = options.maxRows ?? 400_000;
  if (order.length > maxRows) order = seededShuffle(order, seededRandom(options.seed)).slice(0, maxRows).sort((a, b) => a - b);
  const rows = order.length;
  const mean = new Array<number>(width).fill(0);
  const scale = new Array<number>(width).fill(0);
  for (const i of order) for (let j = 0; j < width; j++) mean[j]! += raw[i]![j]! / rows;
  for (const i of order) for (let j = 0; j < width; j++) scale[j]! += (raw[i]![j]! - mean[j]!) ** 2 / rows;
  for (let j = 0; j < width; j++) scale[j] = Math.sqrt(scale[j]!) || 1;
  const x = new Float64Array(rows * width);
  const y = new Uint8Array(rows);
  order.forEach((i, r) => {
    for (let j = 0; j < width; j++) x[r * width + j] = (raw[i]![j]! - mean[j]!) / scale[j]!;
    y[r] = labels[i]!;
  });
  const fit = fitLogistic(x, y, width, { l2: options.l2 ?? 1e-4, iterations: options.iterations ?? 12 });
  const positives = y.reduce((s, v) => s + v, 0);
  return { model: { ...base, mean, scale, weights: fit.weights, bias: fit.bias }, summary: { rows, positives, logLoss: fit.logLoss } };
}

/** Trains on whole histories: one list of purchase events per shopper. */
export function trainNextBasket(histories: readonly (readonly ShopperEvent[])[], options: TrainOptions): { model: NextBasketModel; summary: TrainSummary } {
  const table = popularityOf(histories, options.maxPopularProducts ?? 20_000);
  const snapshots = histories.flatMap((events) => snapshotsOf(events, options.cutsPerShopper ?? 3, options.config));
  const { model, summary } = fitNextBasket(snapshots, table, options);
  return { model, summary: { ...summary, shoppers: histories.length, orders: table.orders } };
}
