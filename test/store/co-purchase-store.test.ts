import { describe, expect, it } from 'vitest';
import { basketProducts, countedPurchaseHash, MAX_PRODUCT_ID_LENGTH, publishable } from '../../src/store/co-purchase-store.js';
import { MemoryCoPurchaseStore } from '../../src/store/memory-co-purchase-store.js';
import { createKeyLayout } from '../../src/store/redis-keys.js';
import { basket, describeCoPurchaseContract, NOW, SETTINGS } from './co-purchase-contract.js';

describeCoPurchaseContract('memory', (overrides = {}) => Promise.resolve(new MemoryCoPurchaseStore(() => ({ ...SETTINGS, ...overrides }))));

describe('memory co-purchase store bounds', () => {
  it('holds at most memoryMaxProducts products, dropping the least recently touched', async () => {
    const store = new MemoryCoPurchaseStore(() => ({ ...SETTINGS, memoryMaxProducts: 4, minBaskets: 1 }));
    await store.recordPurchase('ann', basket('o1', ['a', 'b']), NOW);
    await store.recordPurchase('ann', basket('o2', ['c', 'd']), NOW);
    await store.recordPurchase('ann', basket('o3', ['e', 'f']), NOW);
    expect(store.size).toBe(4);
    expect(await store.countsFor(['a', 'b'], NOW)).toEqual({});
    expect(await store.countsFor(['e'], NOW)).toEqual({ e: { e: 1, f: 1 } });
  });

  it('forgets a product ttlDays after its last basket', async () => {
    const store = new MemoryCoPurchaseStore(() => ({ ...SETTINGS, ttlDays: 10, minBaskets: 1 }));
    await store.recordPurchase('ann', basket('o1', ['a', 'b']), NOW);
    expect(await store.countsFor(['a'], NOW + 9 * 86_400_000)).toEqual({ a: { a: 1, b: 1 } });
    expect(await store.countsFor(['a'], NOW + 11 * 86_400_000)).toEqual({});
  });
});

describe('co-purchase helpers', () => {
  it('basketProducts: distinct ids of a purchase, overlong ids skipped, capped at 30', () => {
    expect(basketProducts(basket('o', ['a', 'b', 'a', 'x'.repeat(MAX_PRODUCT_ID_LENGTH + 1)]))).toEqual(['a', 'b']);
    expect(basketProducts(basket('o', Array.from({ length: 40 }, (_, i) => `p${i}`)))).toHaveLength(30);
    expect(basketProducts(basket('o', ['a', 'b'], 'add_to_cart'))).toEqual([]);
  });

  it('publishable: the anchor count always, partners only with minBaskets, nothing without a partner', () => {
    expect(publishable('a', [['a', 9], ['b', 3], ['c', 2]], 3)).toEqual({ a: 9, b: 3 });
    expect(publishable('a', [['a', 9], ['c', 2]], 3)).toBeNull();
  });

  it('the counted-purchase marker reveals neither shopper nor event id', () => {
    const hash = countedPurchaseHash('shopper-42', 'order-7');
    expect(hash).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(hash).not.toBe(countedPurchaseHash('shopper-4', '2order-7'));
  });

  it('co-purchase keys: product ids as they are when key-safe, hashed otherwise', () => {
    const keys = createKeyLayout('shop');
    expect(keys.coPurchases('sku-123/500g')).toBe('shop:cp:sku-123/500g');
    expect(keys.coPurchases('{evil} id')).toMatch(/^shop:cp:#[A-Za-z0-9_-]{22}$/);
    expect(keys.coPurchaseCounted('abc')).toBe('shop:cpe:abc');
  });
});
