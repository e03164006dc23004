import { DAY_MS, decayedWeight } from './decay.js';
import { orderDecayedFrequency } from './purchase-stats.js';
import type { ProductStat, ShopperProfile } from './types.js';

// A trained next-basket model: the probability that a shopper buys a product in their next order,
// from what the profile holds about that product (logistic regression over history features),
// and the list size that maximizes the expected F1 of the predicted basket. Pure: the model is
// plain data (read from the model file by src/model/), scoring is arithmetic.

/** The features, in the order of the model's weights. Changing them means retraining. */
export const NEXT_BASKET_FEATURES = [
  'log_times_bought',
  'share_of_orders',
  'log_orders_since',
  'bought_last_order',
  'log_days_since',
  'has_cycle',
  'log_cycle_days',
  'due_ratio',
  'log_due_distance',
  'log_orders',
  'log_basket_size',
  'log_popularity',
  'order_decayed_frequency',
  'decayed_share',
  'log_time_decayed_weight',
  'share_x_bought_last',
  'share_x_log_orders_since',
  'log_days_since_last_order',
  'order_gap_ratio',
  'product_repeat_rate',
  'share_x_due_ratio',
  'bought_last_x_gap_ratio',
  'repeat_rate_x_share',
  'orders_since_1',
  'orders_since_2',
  'orders_since_3',
  'orders_since_4_5',
  'orders_since_6_9',
  'times_bought_1',
  'times_bought_2',
  'times_bought_3_4',
  'due_ratio_under_half',
  'due_ratio_half_to_1_5',
  'due_ratio_over_2',
  'shopper_repeat_ratio',
  'rate_since_first_purchase',
  'log_orders_since_first_purchase',
  'shopper_repeat_x_share',
  'shopper_repeat_x_decayed_share',
  'shopper_repeat_x_repeat_rate',
  'log_orders_x_share',
  'log_orders_x_log_orders_since',
  'share_squared',
  'decayed_share_squared',
  'decayed_share_x_log_days_since_last_order',
  'recent_repeat_share',
  'recent_repeat_x_share',
] as const;

export type NextBasketFeature = (typeof NEXT_BASKET_FEATURES)[number];

export interface NextBasketModel {
  /** Features as standardized for the logistic weights: x' = (x − mean) / scale. */
  mean: number[];
  scale: number[];
  weights: number[];
  bias: number;
  /** Product id → share of the training orders holding it; products not listed get `popularityFloor`. */
  popularity: ReadonlyMap<string, number>;
  popularityFloor: number;
  /** Product id → share of its purchases that were a repeat by the same shopper; others get `repeatFloor`. */
  repeat: ReadonlyMap<string, number>;
  repeatFloor: number;
  /** Half-life the time-decayed weight was computed with (the store's `halfLifeDays`). */
  halfLifeDays: number;
}

export interface ScoredProduct {
  id: string;
  /** Probability of being in the next order (0..1). */
  p: number;
}

const MAX_DUE_RATIO = 5;
const DECAY_SERIES = 1 / (1 - 0.85);

export type ProductTables = Pick<NextBasketModel, 'popularity' | 'popularityFloor' | 'repeat' | 'repeatFloor' | 'halfLifeDays'>;

/** Shopper-level figures every product's features share, computed once per profile. */
export interface ShopperFigures {
  /** Days since the shopper's latest order. */
  daysSinceOrder: number;
  /** The shopper's mean days between orders. */
  meanOrderGap: number;
  /** Share of the shopper's purchases (of kept products) that were repeats. */
  repeatRatio: number;
  /** Share of the products of the shopper's latest order that were bought before it. */
  recentRepeatShare: number;
}

/** Decayed purchase frequency of one product; for older profiles, estimated from its share of orders. */
function decayedFrequency(profile: ShopperProfile, stat: ProductStat): number {
  const orders = Math.max(1, profile.orders);
  return stat.lo !== undefined ? orderDecayedFrequency(stat, profile.orders) : Math.min(1, stat.n / orders) * Math.min(orders, DECAY_SERIES);
}

const repeatRatioOf = (lines: number, distinct: number): number => (lines > 0 ? (lines - distinct) / lines : 0);

export function shopperFigures(profile: ShopperProfile, now: number): ShopperFigures {
  let lastOrder = 0;
  let lines = 0;
  let distinct = 0;
  for (const id in profile.products) {
    const stat = profile.products[id]!;
    lastOrder = Math.max(lastOrder, stat.last);
    if (stat.n > 0) {
      lines += stat.n;
      distinct += 1;
    }
  }
  const meanOrderGap = profile.orders > 1 ? Math.max(1, (lastOrder - profile.firstAt) / DAY_MS / (profile.orders - 1)) : 30;
  let lastLines = 0;
  let lastRepeats = 0;
  for (const id in profile.products) {
    const stat = profile.products[id]!;
    if (stat.n < 1) continue;
    if (stat.lo !== undefined && stat.lo === profile.orders) {
      lastLines += 1;
      if (stat.n > 1) lastRepeats += 1;
    }
  }
  return {
    daysSinceOrder: lastOrder > 0 ? Math.max(0, (now - lastOrder) / DAY_MS) : meanOrderGap,
    meanOrderGap,
    repeatRatio: repeatRatioOf(lines, distinct),
    recentRepeatShare: lastLines > 0 ? lastRepeats / lastLines : repeatRatioOf(lines, distinct),
  };
}


/** Feature values of one (shopper, product), unstandardized; `out` is reused when given. */
export function productFeatures(profile: ShopperProfile, stat: ProductStat, id: string, now: number, model: ProductTables, shopper: ShopperFigures = shopperFigures(profile, now), out: number[] = []): number[] {
  const orders = Math.max(1, profile.orders);
  const share = Math.min(1, stat.n / orders);
  const daysSince = stat.last > 0 ? Math.max(0, (now - stat.last) / DAY_MS) : 365;
  // Orders since the last purchase: kept by the profile; for older profiles, estimated from the
  // shopper's mean days between orders.
  const ordersSince = stat.lo !== undefined ? Math.max(0, profile.orders - stat.lo) : Math.round(Math.max(0, daysSince - shopper.daysSinceOrder) / shopper.meanOrderGap);
  const boughtLast = ordersSince === 0 ? 1 : 0;
  const hasCycle = stat.gn >= 1 && stat.gm > 0 ? 1 : 0;
  const due = hasCycle ? Math.min(MAX_DUE_RATIO, daysSince / stat.gm) : 0;
  const freq = decayedFrequency(profile, stat);
  const decayedShare = freq / Math.min(orders, DECAY_SERIES);
  const logSince = Math.log1p(ordersSince);
  const gapRatio = Math.min(MAX_DUE_RATIO, shopper.daysSinceOrder / shopper.meanOrderGap);
  const repeat = model.repeat.get(id) ?? model.repeatFloor;
  // Orders since the first purchase: first = last − the sum of the gaps (exact unless a long gap was dropped).
  const firstDaysAgo = daysSince + (hasCycle ? stat.gm * stat.gn : 0);
  const sinceFirst = Math.min(orders, Math.max(ordersSince, Math.round(Math.max(0, firstDaysAgo - shopper.daysSinceOrder) / shopper.meanOrderGap)));
  out.length = 0;
  out.push(
    Math.log1p(stat.n),
    share,
    logSince,
    boughtLast,
    Math.log1p(daysSince),
    hasCycle,
    hasCycle ? Math.log1p(stat.gm) : 0,
    due,
    hasCycle ? Math.abs(Math.log((due + 0.1) / 1.1)) : 0,
    Math.log1p(profile.orders),
    Math.log1p(profile.basketMean),
    Math.log(model.popularity.get(id) ?? model.popularityFloor),
    freq,
    decayedShare,
    Math.log1p(Math.max(0, decayedWeight(stat, now, model.halfLifeDays))),
    share * boughtLast,
    share * logSince,
    Math.log1p(shopper.daysSinceOrder),
    gapRatio,
    repeat,
    share * due,
    boughtLast * gapRatio,
    repeat * share,
    ordersSince === 1 ? 1 : 0,
    ordersSince === 2 ? 1 : 0,
    ordersSince === 3 ? 1 : 0,
    ordersSince >= 4 && ordersSince <= 5 ? 1 : 0,
    ordersSince >= 6 && ordersSince <= 9 ? 1 : 0,
    stat.n === 1 ? 1 : 0,
    stat.n === 2 ? 1 : 0,
    stat.n >= 3 && stat.n <= 4 ? 1 : 0,
    hasCycle && due < 0.5 ? 1 : 0,
    hasCycle && due >= 0.5 && due <= 1.5 ? 1 : 0,
    hasCycle && due > 2 ? 1 : 0,
    shopper.repeatRatio,
    Math.min(1, stat.n / (sinceFirst + 1)),
    Math.log1p(sinceFirst),
    shopper.repeatRatio * share,
    shopper.repeatRatio * decayedShare,
    shopper.repeatRatio * repeat,
    Math.log1p(profile.orders) * share,
    Math.log1p(profile.orders) * logSince,
    share * share,
    decayedShare * decayedShare,
    decayedShare * Math.log1p(shopper.daysSinceOrder),
    shopper.recentRepeatShare,
    shopper.recentRepeatShare * share,
  );
  return out;
}

/** Probability from (unstandardized) feature values. */
export function probability(model: NextBasketModel, x: readonly number[]): number {
  let z = model.bias;
  for (let i = 0; i < model.weights.length; i++) z += model.weights[i]! * ((x[i]! - model.mean[i]!) / model.scale[i]!);
  return 1 / (1 + Math.exp(-z));
}

/** Every bought product of the profile with its probability, most likely first (ties by id). */
export function scoreProfile(model: NextBasketModel, profile: ShopperProfile, now: number): ScoredProduct[] {
  const out: ScoredProduct[] = [];
  const x: number[] = [];
  const shopper = shopperFigures(profile, now);
  for (const id in profile.products) {
    const stat = profile.products[id]!;
    if (stat.n < 1) continue;
    out.push({ id, p: probability(model, productFeatures(profile, stat, id, now, model, shopper, x)) });
  }
  out.sort((a, b) => b.p - a.p || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return out;
}

/** Distribution of the number of successes among independent events (Poisson binomial). */
function addEvent(dist: readonly number[], p: number): number[] {
  const next = new Array<number>(dist.length + 1).fill(0);
  for (let i = 0; i < dist.length; i++) {
    next[i]! += dist[i]! * (1 - p);
    next[i + 1]! += dist[i]! * p;
  }
  return next;
}

/**
 * The list size k (over products sorted by probability) maximizing the expected F1 of the list
 * against the next basket, each product bought independently with its probability:
 * E[2A / (k + A + B)] with A the products bought in the list and B those bought outside it.
 * Exact (Poisson-binomial distributions of A and B), O(n³) for n products; 0 when nothing is likely.
 */
export function expectedF1Size(sorted: readonly ScoredProduct[], unseen = 0): number {
  const n = sorted.length;
  // Distribution of B for each suffix: suffix[k] covers products k..n-1.
  const suffix: number[][] = new Array<number[]>(n + 1);
  suffix[n] = [1];
  for (let i = n - 1; i >= 0; i--) suffix[i] = addEvent(suffix[i + 1]!, sorted[i]!.p);
  let inList: number[] = [1];
  let best = 0;
  let bestF1 = 0;
  for (let k = 1; k <= n; k++) {
    inList = addEvent(inList, sorted[k - 1]!.p);
    const outside = suffix[k]!;
    let f1 = 0;
    for (let a = 1; a < inList.length; a++) {
      const pa = inList[a]!;
      if (pa < 1e-12) continue;
      let inner = 0;
      for (let b = 0; b < outside.length; b++) inner += outside[b]! / (k + a + b + unseen);
      f1 += pa * 2 * a * inner;
    }
    if (f1 > bestF1) {
      bestF1 = f1;
      best = k;
    }
  }
  return best;
}

/**
 * Lines of the next basket expected outside the profile's products (new products): the shopper's
 * basket size times the share of their purchases that were not repeats.
 */
export function unseenLines(profile: ShopperProfile): number {
  return profile.basketMean * (1 - shopperFigures(profile, 0).repeatRatio) * UNSEEN_WEIGHT;
}

/**
 * Measured on the grocery history (bench/RESULTS.md): 0.75 → F1 0.321, 1 → 0.324, 1.5 → 0.322.
 * The earlier rule, (basket size − expected repeat lines) × 1.5, scored 0.322 with the same features.
 */
export const UNSEEN_WEIGHT = 1;

/** The predicted next basket: the most likely products, as many as maximize expected F1. */
export function predictBasket(model: NextBasketModel, profile: ShopperProfile, now: number): ScoredProduct[] {
  const sorted = scoreProfile(model, profile, now);
  return sorted.slice(0, expectedF1Size(sorted, unseenLines(profile)));
}
