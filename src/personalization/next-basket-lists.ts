import type { PersonalizationConfig } from '../config/schema.js';
import { DAY_MS } from './decay.js';
import { predictBasket, scoreProfile, type NextBasketModel } from './next-basket-model.js';
import { gapStdDev, quantityShare } from './purchase-stats.js';
import { urgencyOf, type ReorderCandidate } from './reorder.js';
import type { ProductStat, ShopperProfile } from './types.js';
import type { UsualCandidate } from './usual.js';

// The usual and reorder lists when a next-basket model is loaded. The model picks the products
// (the shopper's predicted next basket, its size chosen per shopper for the best expected F1);
// the reasons stay the rules' own: a product whose purchase cycle has (nearly) come round is
// "time to reorder" with its days until due, the others are "your usual" with how often they
// are bought. Most likely first in both lists.

export interface ModelLists {
  usual: UsualCandidate[];
  reorder: ReorderCandidate[];
  /** Product id → probability of being in the next order, for every bought product. */
  scores: Map<string, number>;
}

function usualOf(id: string, stat: ProductStat, orders: number): UsualCandidate {
  return {
    id,
    usualQuantity: stat.q > 0 ? stat.q : 1,
    timesBought: stat.n,
    lastBought: stat.last,
    frequency: Math.round(Math.min(1, stat.n / Math.max(1, orders)) * 100) / 100,
    quantityConsistency: Math.round(quantityShare(stat) * 100) / 100,
  };
}

/** A reorder entry when the product's cycle is known and at least `dueFactor` of it has passed. */
function dueOf(id: string, stat: ProductStat, now: number, config: PersonalizationConfig['reorder']): ReorderCandidate | null {
  if (stat.gn < 1 || stat.gm < 1 || stat.last <= 0) return null;
  const daysSince = (now - stat.last) / DAY_MS;
  if (daysSince < config.dueFactor * stat.gm) return null;
  const daysUntilDue = Math.round(stat.gm - daysSince);
  return {
    id,
    usualQuantity: stat.q > 0 ? stat.q : 1,
    daysUntilDue,
    cycleDays: Math.round(stat.gm * 10) / 10,
    urgency: urgencyOf(daysUntilDue),
    timesBought: stat.n,
    regularity: Math.round(Math.max(0, 1 - (stat.gn > 1 ? gapStdDev(stat) / stat.gm : 1)) * 100) / 100,
    quantityConsistency: Math.round(quantityShare(stat) * 100) / 100,
  };
}

export function modelLists(profile: ShopperProfile, model: NextBasketModel, now: number, config: PersonalizationConfig): ModelLists {
  const scores = new Map(scoreProfile(model, profile, now).map((s) => [s.id, s.p]));
  const usual: UsualCandidate[] = [];
  const reorder: ReorderCandidate[] = [];
  for (const { id } of predictBasket(model, profile, now)) {
    const stat = profile.products[id]!;
    const due = dueOf(id, stat, now, config.reorder);
    if (due) reorder.push(due);
    else usual.push(usualOf(id, stat, profile.orders));
  }
  return { usual, reorder, scores };
}
