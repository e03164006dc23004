import type { PersonalizationConfig } from '../config/schema.js';
import { quantityShare } from './purchase-stats.js';
import type { ShopperProfile } from './types.js';

// "Your usual": products bought in at least `minShare` of the shopper's orders (and at least
// twice), once the shopper has `minOrders` orders.

export interface UsualCandidate {
  id: string;
  usualQuantity: number;
  timesBought: number;
  lastBought: number;
  /** Share of the shopper's orders that held this product. */
  frequency: number;
  /** Share of purchases at the usual quantity (estimate). */
  quantityConsistency: number;
}

export function usualItems(profile: ShopperProfile | null, config: PersonalizationConfig['usual']): UsualCandidate[] {
  if (!profile || profile.orders < Math.max(2, config.minOrders)) return [];
  const out: UsualCandidate[] = [];
  for (const id in profile.products) {
    const stat = profile.products[id]!;
    if (stat.n < 2) continue;
    const frequency = Math.min(1, stat.n / profile.orders);
    if (frequency < config.minShare) continue;
    out.push({
      id,
      usualQuantity: stat.q > 0 ? stat.q : 1,
      timesBought: stat.n,
      lastBought: stat.last,
      frequency: Math.round(frequency * 100) / 100,
      quantityConsistency: Math.round(quantityShare(stat) * 100) / 100,
    });
  }
  // Most frequent first; then most recent; then id for a deterministic order.
  out.sort((a, b) => b.frequency - a.frequency || b.lastBought - a.lastBought || (a.id < b.id ? -1 : 1));
  return out.slice(0, config.maxItems);
}
