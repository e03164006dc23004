import { DAY_MS } from './decay.js';
import type { ProductStat } from './types.js';

// Per-product purchase statistics kept without lists, so a profile stays ~1 KB:
// - purchase gaps as Welford (count gn, mean gm, M2 gv) in days;
// - the usual quantity `q` by majority vote (Boyer–Moore): `qn` is the vote's margin, so the
//   share of purchases at `q` is about (n + qn) / 2n (exact for two alternating quantities).

export function addGap(stat: ProductStat, days: number): void {
  stat.gn += 1;
  const delta = days - stat.gm;
  stat.gm += delta / stat.gn;
  stat.gv += delta * (days - stat.gm);
}

/** Records a purchase time. Gaps longer than `maxGapDays` (a pause, not a cycle) are dropped. */
export function addPurchaseTime(stat: ProductStat, at: number, maxGapDays: number): void {
  if (stat.last <= 0) {
    stat.last = at;
    return;
  }
  if (at >= stat.last) {
    const gap = (at - stat.last) / DAY_MS;
    if (gap <= maxGapDays) addGap(stat, gap);
    stat.last = at;
    return;
  }
  // An older purchase arriving late (replay). Without a list of times, the first purchase is
  // last − sum of gaps (exact unless a long gap was dropped).
  const first = stat.last - stat.gm * stat.gn * DAY_MS;
  if (at <= first) {
    const gap = (first - at) / DAY_MS;
    if (gap <= maxGapDays) addGap(stat, gap);
    return;
  }
  // It falls inside the known span and splits one gap in two: the total stays, one more gap.
  // Which gap it splits is unknown; assume a gap of mean length split in half.
  const half = stat.gm / 2;
  stat.gn -= 1; // removing a value equal to the mean leaves mean and M2 unchanged
  addGap(stat, half);
  addGap(stat, half);
}

export function addPurchaseQuantity(stat: ProductStat, quantity: number): void {
  const qty = Number.isFinite(quantity) && quantity > 0 ? quantity : 1;
  if (stat.qn <= 0) {
    stat.q = qty;
    stat.qn = 1;
  } else if (qty === stat.q) {
    stat.qn += 1;
  } else {
    stat.qn -= 1;
  }
}

/** Estimated share (0..1) of purchases made at the usual quantity. */
export function quantityShare(stat: ProductStat): number {
  if (stat.n <= 0) return 0;
  return Math.min(1, Math.max(0, (stat.n + stat.qn) / (2 * stat.n)));
}

/** Standard deviation of the purchase gaps in days (0 with fewer than two gaps). */
export function gapStdDev(stat: ProductStat): number {
  return stat.gn > 1 ? Math.sqrt(Math.max(0, stat.gv) / (stat.gn - 1)) : 0;
}

/** Weight an old purchase keeps per later order of the shopper, for the order-decayed frequency. */
export const ORDER_DECAY = 0.85;

/**
 * Records a purchase in the shopper's `order`-th order (1-based) for the order-decayed frequency
 * `f` and the order of the last purchase `lo`. A purchase older than the last one (a late
 * replay) is counted one order back: its exact place among the orders is not kept.
 */
export function addPurchaseOrder(stat: ProductStat, order: number, late: boolean): void {
  if (late && stat.lo !== undefined) {
    stat.f = (stat.f ?? 0) + ORDER_DECAY;
    return;
  }
  const since = stat.lo === undefined ? 0 : Math.max(0, order - stat.lo);
  stat.f = (stat.f ?? 0) * ORDER_DECAY ** since + 1;
  stat.lo = order;
}

/** The order-decayed frequency as of the shopper's latest order (0 when not kept). */
export function orderDecayedFrequency(stat: ProductStat, orders: number): number {
  if (stat.f === undefined || stat.lo === undefined) return 0;
  return stat.f * ORDER_DECAY ** Math.max(0, orders - stat.lo);
}
