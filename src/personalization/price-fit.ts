import type { HitView } from './hit-view.js';
import type { ShopperProfile } from './types.js';

// Price sensitivity: where a shopper's purchases sit in a category's price range, relative to
// the prices of that category on this page. Per category c on the page (≥ MIN_PAGE priced hits):
//   m = mean log price of the page's hits, L = mean log price of the shopper's bought products
//   in c (≥ MIN_BOUGHT of them) minus m.
// A hit's fit is 1 at the shopper's level and falls to 0 at a factor of 2 away. It only adds to
// the score (weight `weights.price`): no hit is ever hidden for its price.

const MIN_PAGE = 3;
const MIN_BOUGHT = 2;

export interface PriceLevel {
  pageMean: number;
  level: number;
}

export function buildPriceLevels(hits: readonly HitView[], profile: ShopperProfile | null): Map<string, PriceLevel> {
  const levels = new Map<string, PriceLevel>();
  if (!profile) return levels;
  const page = new Map<string, { sum: number; n: number }>();
  for (const hit of hits) {
    if (!hit.category || !(typeof hit.price === 'number' && hit.price > 0)) continue;
    const e = page.get(hit.category) ?? { sum: 0, n: 0 };
    e.sum += Math.log(hit.price);
    e.n += 1;
    page.set(hit.category, e);
  }
  if (page.size === 0) return levels;
  const bought = new Map<string, { sum: number; n: number }>();
  for (const id in profile.products) {
    const s = profile.products[id]!;
    if (s.n <= 0 || !s.category || !(typeof s.p === 'number' && s.p > 0) || !page.has(s.category)) continue;
    const e = bought.get(s.category) ?? { sum: 0, n: 0 };
    e.sum += Math.log(s.p);
    e.n += 1;
    bought.set(s.category, e);
  }
  for (const [category, b] of bought) {
    const p = page.get(category)!;
    if (p.n < MIN_PAGE || b.n < MIN_BOUGHT) continue;
    const pageMean = p.sum / p.n;
    levels.set(category, { pageMean, level: b.sum / b.n - pageMean });
  }
  return levels;
}

export function priceFit(hit: HitView, levels: ReadonlyMap<string, PriceLevel>): number {
  if (levels.size === 0 || !hit.category || !(typeof hit.price === 'number' && hit.price > 0)) return 0;
  const l = levels.get(hit.category);
  if (!l) return 0;
  const distance = Math.abs(Math.log(hit.price) - l.pageMean - l.level);
  return Math.max(0, 1 - distance / Math.LN2);
}
