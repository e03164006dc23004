import type { ShopperEvent } from './types.js';

// What a purchase adds to the store-wide co-purchase counts (for the complementary feature):
// one increment per ordered pair of distinct products in the basket, plus (a, a) = "one more
// basket with a". The store applies them (e.g. ZINCRBY on a bounded sorted set per product) and
// hands the counts of a shopper's anchors back as `PersonalizeInput.coPurchases`. Only counts
// leave the basket, never who bought it. Large baskets are capped so one order cannot write
// thousands of pairs.

export const MAX_BASKET_FOR_PAIRS = 30;

export function basketPairs(event: ShopperEvent, maxItems = MAX_BASKET_FOR_PAIRS): [string, string][] {
  if (event.type !== 'purchase' || !Array.isArray(event.items)) return [];
  const ids = [...new Set(event.items.map((i) => i?.id).filter((id): id is string => typeof id === 'string'))].slice(0, maxItems);
  const pairs: [string, string][] = [];
  for (const a of ids) for (const b of ids) pairs.push([a, b]);
  return pairs;
}
