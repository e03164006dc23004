import { DAY_MS } from '../personalization/decay.js';
import type { EventItem, ShopperEvent } from '../personalization/types.js';
import type { GroceryData, GroceryOrder, GroceryProduct } from './grocery-data.js';

// One shopper's history as sidecart would have seen it: each prior order but the last becomes a
// purchase event; the last prior order is the basket to predict. Times come from the running sum
// of days_since_prior_order (plus the hour of day) from a fixed origin.

export const ORIGIN = Date.UTC(2017, 0, 1);
const HOUR_MS = 3_600_000;

export interface ShopperSplit {
  userId: string;
  history: ShopperEvent[];
  target: { at: number; products: string[] };
}

/** Dietary-style tags the catalog names carry (the data has no tags or brands of its own). */
export function tagsFromName(name: string): string[] {
  const tags: string[] = [];
  if (/\borganic\b/i.test(name)) tags.push('organic');
  if (/gluten[- ]free/i.test(name)) tags.push('gluten-free');
  if (/\bvegan\b/i.test(name)) tags.push('vegan');
  if (/(lactose|dairy)[- ]free/i.test(name)) tags.push('lactose-free');
  if (/\bkosher\b/i.test(name)) tags.push('kosher');
  return tags;
}

export function eventItem(product: GroceryProduct | undefined, id: string): EventItem {
  if (!product) return { id, quantity: 1 };
  return { id, quantity: 1, category: product.aisle, tags: tagsFromName(product.name), name: product.name };
}

function orderTimes(orders: readonly GroceryOrder[]): number[] {
  let days = 0;
  return orders.map((o) => {
    days += o.daysSincePrior ?? 0;
    return ORIGIN + days * DAY_MS + o.hour * HOUR_MS;
  });
}

export function splitShopper(data: GroceryData, userId: string, orders: readonly GroceryOrder[]): ShopperSplit | null {
  if (orders.length < 2) return null;
  const times = orderTimes(orders);
  const last = orders.length - 1;
  const history: ShopperEvent[] = orders.slice(0, last).map((o, i) => ({
    id: `order-${o.id}`,
    type: 'purchase',
    at: times[i]!,
    items: o.products.map((p) => eventItem(data.products.get(p), p)),
  }));
  return { userId, history, target: { at: times[last]!, products: [...orders[last]!.products] } };
}
