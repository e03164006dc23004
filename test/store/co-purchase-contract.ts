import { describe, expect, it } from 'vitest';
import type { CoPurchaseSettings, CoPurchaseStore } from '../../src/store/co-purchase-store.js';
import type { ShopperEvent } from '../../src/personalization/types.js';

// One behaviour for every co-purchase store (memory LRU, Redis sorted sets).

export const SETTINGS: CoPurchaseSettings = { maxPartners: 3, ttlDays: 90, halveAt: 10_000, memoryMaxProducts: 100, minBaskets: 3 };
export const NOW = Date.UTC(2026, 10, 1);

export function basket(id: string, products: string[], type: ShopperEvent['type'] = 'purchase'): ShopperEvent {
  return { id, type, at: NOW, items: products.map((p) => ({ id: p, quantity: 1 })) };
}

export function describeCoPurchaseContract(name: string, make: (settings?: Partial<CoPurchaseSettings>) => Promise<CoPurchaseStore>): void {
  describe(`${name}: co-purchase store contract`, () => {
    it('too little data: pairs seen in fewer than minBaskets baskets are not handed out', async () => {
      const store = await make();
      await store.recordPurchase('ann', basket('o1', ['pasta', 'sauce']), NOW);
      await store.recordPurchase('bob', basket('o1', ['pasta', 'sauce']), NOW);
      expect(await store.countsFor(['pasta', 'sauce', 'unknown'], NOW)).toEqual({});
    });

    it('counts baskets per pair and per product across shoppers', async () => {
      const store = await make();
      await store.recordPurchase('ann', basket('o1', ['pasta', 'sauce', 'basil']), NOW);
      await store.recordPurchase('bob', basket('o7', ['pasta', 'sauce']), NOW);
      await store.recordPurchase('cem', basket('o2', ['sauce', 'pasta', 'milk']), NOW);
      await store.recordPurchase('dan', basket('o3', ['pasta']), NOW);
      const counts = await store.countsFor(['pasta', 'milk'], NOW);
      // basil and milk were with pasta once each: below minBaskets, left out; milk has no partner at 3.
      expect(counts).toEqual({ pasta: { pasta: 4, sauce: 3 } });
      expect(JSON.stringify(counts)).not.toMatch(/ann|bob|cem|dan|o1|o7/);
    });

    it('a replayed purchase (same shopper, same event id) counts once; another shopper with the same id counts', async () => {
      const store = await make();
      for (let i = 0; i < 3; i++) await store.recordPurchase('ann', basket('o1', ['tea', 'lemon']), NOW);
      await store.recordPurchase('bob', basket('o1', ['tea', 'lemon']), NOW);
      expect(await store.countsFor(['tea'], NOW)).toEqual({});
      await store.recordPurchase('cem', basket('o1', ['tea', 'lemon']), NOW);
      expect(await store.countsFor(['tea'], NOW)).toEqual({ tea: { tea: 3, lemon: 3 } });
    });

    it('only purchases add pairs', async () => {
      const store = await make();
      for (const [i, type] of (['add_to_cart', 'view', 'click'] as const).entries()) {
        for (const who of ['ann', 'bob', 'cem']) await store.recordPurchase(who, basket(`e${i}`, ['tea', 'lemon'], type), NOW);
      }
      expect(await store.countsFor(['tea'], NOW)).toEqual({});
    });

    it('keeps the strongest maxPartners partners per product', async () => {
      const store = await make({ maxPartners: 2, minBaskets: 1 });
      // b is with a in 4 baskets, c in 3, d in 2, e..k once each.
      const baskets = [['a', 'b', 'c', 'd'], ['a', 'b', 'c', 'd'], ['a', 'b', 'c'], ['a', 'b'], ['a', 'e', 'f', 'g', 'h', 'i', 'j', 'k']];
      for (const [i, products] of baskets.entries()) await store.recordPurchase(`s${i}`, basket('o', products), NOW);
      expect(await store.countsFor(['a'], NOW)).toEqual({ a: { a: 5, b: 4, c: 3 } });
    });

    it('halves every count of a product at halveAt baskets', async () => {
      const store = await make({ halveAt: 4, minBaskets: 1 });
      for (let i = 0; i < 4; i++) await store.recordPurchase(`s${i}`, basket('o', i < 2 ? ['x', 'y'] : ['x', 'z']), NOW);
      // x reached 4 baskets: x 4 → 2, y 2 → 1, z 2 → 1 (counts under 1 would go).
      expect(await store.countsFor(['x'], NOW)).toEqual({ x: { x: 2, y: 1, z: 1 } });
    });
  });
}
