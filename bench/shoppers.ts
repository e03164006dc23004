import { request } from 'undici';
import { DEMO_CATALOG, type DemoProduct } from '../src/demo/demo-catalog.js';
import { searchCatalog } from '../src/demo/demo-search-backend.js';
import { BENCH_QUERY } from './fixture-pages.js';

// Bench shoppers, seeded through sidecart's public events API like a storefront would: each buys
// from a fixed set of about 40 products (most of them on the searched pages) over ten weekly
// orders, so every profile is a typical one (~40–60 products) and the searches really reorder.

const DAY = 86_400_000;

/** A small deterministic generator: the same shoppers and baskets in every run. */
function generator(seed: number): () => number {
  let state = seed * 2654435761 + 1;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
}

export function shopperIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `bench-shopper-${String(i).padStart(4, '0')}`);
}

function favourites(index: number): DemoProduct[] {
  const random = generator(index + 1);
  const onPage = searchCatalog(BENCH_QUERY, 100).hits.map((h) => h.product);
  const chosen = new Set<DemoProduct>();
  while (chosen.size < 30) chosen.add(onPage[Math.floor(random() * onPage.length)]!);
  while (chosen.size < 40) chosen.add(DEMO_CATALOG[Math.floor(random() * DEMO_CATALOG.length)]!);
  return [...chosen];
}

export function purchaseEvents(shopper: string, index: number, now: number): object[] {
  const random = generator(index + 1000);
  const products = favourites(index);
  return Array.from({ length: 10 }, (_, order) => {
    const basket = new Set<DemoProduct>();
    // The first products are the shopper's staples: they show up in most orders.
    for (const staple of products.slice(0, 6)) if (random() < 0.8) basket.add(staple);
    while (basket.size < 10) basket.add(products[Math.floor(random() * products.length)]!);
    return {
      id: `${shopper}-order-${order}`,
      type: 'purchase',
      at: now - (10 - order) * 7 * DAY,
      items: [...basket].map((p) => ({ id: p.id, brand: p.brand, category: p.category, tags: p.tags, price: p.price, name: p.name, quantity: 1 + Math.floor(random() * 3) })),
    };
  });
}

/** Posts each shopper's history to sidecart's events API (a few at a time). */
export async function seedShoppers(sidecartUrl: string, ids: string[]): Promise<void> {
  const now = Date.now();
  const post = async (shopper: string, index: number) => {
    const body = JSON.stringify({ events: purchaseEvents(shopper, index, now) });
    // A 503 says nothing was kept (a busy machine can open the breaker while seeding): retry as a
    // storefront should, after Retry-After; the event ids make a retry safe.
    for (let attempt = 0; ; attempt++) {
      const res = await request(`${sidecartUrl}/sidecart/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': shopper },
        body,
      });
      const text = await res.body.text();
      if (res.statusCode === 202) return;
      if (res.statusCode !== 503 || attempt >= 20) throw new Error(`seeding ${shopper}: ${res.statusCode} ${text}`);
      await new Promise((resolve) => setTimeout(resolve, 1000 * Math.min(Number(res.headers['retry-after']) || 1, 5)));
    }
  };
  for (let i = 0; i < ids.length; i += 8) await Promise.all(ids.slice(i, i + 8).map((id, j) => post(id, i + j)));
}
