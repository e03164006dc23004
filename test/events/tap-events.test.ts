import { describe, expect, it } from 'vitest';
import { configSchema, type TapConfig } from '../../src/config/schema.js';
import { tapEvent, tapEventId, type TapCall } from '../../src/events/tap-events.js';
import { createTapMatcher } from '../../src/events/tap-matcher.js';

const tapOf = (tap: Record<string, unknown>): TapConfig => configSchema.parse({ events: { taps: [tap] } }).events.taps[0]!;
const call = (extra: Partial<TapCall> = {}): TapCall => ({ shopperId: 's-1', method: 'POST', url: '/cart', body: Buffer.from('{}'), now: 1_700_000_000_000, ...extra });

describe('tapEvent', () => {
  const cart = tapOf({ path: '/cart/*', type: 'add_to_cart', itemsPath: 'cart.lines', idPath: 'product.sku', quantityPath: 'qty', pricePath: 'unit.price', brandPath: 'product.brand', categoryPath: 'product.aisle' });

  it('reads items through the configured paths, accepting numeric strings', () => {
    const doc = { cart: { lines: [{ product: { sku: 'A1', brand: 'Oatly', aisle: 'milk' }, qty: '2', unit: { price: '1.99' } }, { product: { sku: 42 }, qty: 1 }] } };
    const outcome = tapEvent(cart, doc, call(), 10);
    expect(outcome).toEqual({
      ok: true,
      event: {
        id: expect.stringMatching(/^tap-[A-Za-z0-9_-]{24}$/) as unknown as string,
        type: 'add_to_cart',
        at: 1_700_000_000_000,
        items: [
          { id: 'A1', quantity: 2, price: 1.99, brand: 'Oatly', category: 'milk' },
          { id: '42', quantity: 1 },
        ],
      },
    });
  });

  it('skips items without a usable id or with an impossible quantity, and caps the item count', () => {
    const doc = { cart: { lines: [{ product: {} }, { product: { sku: '' } }, { product: { sku: 'neg' }, qty: -1 }, { product: { sku: 'ok' } }, { product: { sku: 'x' } }] } };
    const outcome = tapEvent(cart, doc, call(), 1);
    expect(outcome.ok && outcome.event.items).toEqual([{ id: 'ok', quantity: 1 }]);
    expect(tapEvent(cart, { cart: { lines: [] } }, call(), 10)).toEqual({ ok: false, reason: 'no-items' });
    expect(tapEvent(cart, 'not an object', call(), 10)).toEqual({ ok: false, reason: 'no-items' });
  });

  it('accepts a single item object and a body that is the array itself', () => {
    const single = tapOf({ path: '/cart/items', type: 'add_to_cart', itemsPath: '', idPath: 'sku' });
    expect(tapEvent(single, { sku: 'B2' }, call(), 10)).toMatchObject({ ok: true, event: { items: [{ id: 'B2', quantity: 1 }] } });
    expect(tapEvent(single, [{ sku: 'B3' }, { sku: 'B4' }], call(), 10)).toMatchObject({ ok: true, event: { items: [{ id: 'B3' }, { id: 'B4' }] } });
  });

  it('gives a retried call the same id: by request id, else by body within the minute', () => {
    expect(tapEventId(cart, call({ requestId: 'r1' }))).toBe(tapEventId(cart, call({ requestId: 'r1', body: Buffer.from('other'), now: 1_800_000_000_000 })));
    expect(tapEventId(cart, call({ requestId: 'r1' }))).not.toBe(tapEventId(cart, call({ requestId: 'r2' })));
    expect(tapEventId(cart, call({ requestId: 'r1' }))).not.toBe(tapEventId(cart, call({ requestId: 'r1', shopperId: 's-2' })));
    const base = 1_700_000_080_000; // 40 s into a minute (1_700_000_040_000 is a minute boundary)
    expect(tapEventId(cart, call({ now: base }))).toBe(tapEventId(cart, call({ now: base + 10_000 })));
    expect(tapEventId(cart, call({ now: base }))).not.toBe(tapEventId(cart, call({ now: base + 30_000 })));
    expect(tapEventId(cart, call())).not.toBe(tapEventId(cart, call({ body: Buffer.from('{"a":1}') })));
  });

  it('refuses a tap path with an empty segment at config time', () => {
    expect(() => tapOf({ path: '/cart', type: 'purchase', idPath: 'product..sku' })).toThrow();
  });
});

describe('createTapMatcher', () => {
  it('matches by method and path pattern', () => {
    const taps = [tapOf({ path: '/carts/:id/items', type: 'add_to_cart' }), tapOf({ path: '/checkout/*', type: 'purchase', method: 'PUT' })];
    const matcher = createTapMatcher(taps);
    expect(matcher.match('POST', '/carts/c9/items')).toBe(taps[0]);
    expect(matcher.match('POST', '/carts/c9/items/')).toBe(taps[0]);
    expect(matcher.match('GET', '/carts/c9/items')).toBeNull();
    expect(matcher.match('POST', '/carts/c9/items/3')).toBeNull();
    expect(matcher.match('PUT', '/checkout/step/2')).toBe(taps[1]);
    expect(matcher.match('PUT', '/checkoutx')).toBeNull();
    expect(createTapMatcher([]).empty).toBe(true);
  });
});
