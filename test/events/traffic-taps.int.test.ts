import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startFixtureBackend, type FixtureBackend } from '../support/child-process.js';
import { startSidecart, type RunningSidecart } from '../support/sidecart-harness.js';

// Traffic taps over real sockets: storefront calls stream through the pass-through to a real
// backend process; a 2xx answer to a tapped call becomes an event, and nothing else changes.

let backend: FixtureBackend;
let proxy: RunningSidecart;

beforeAll(async () => {
  backend = await startFixtureBackend();
  proxy = await startSidecart({
    upstream: { url: backend.url },
    events: {
      taps: [
        // The cart call: items in the request body (`{ "lines": [{ "sku", "qty", "price" }] }`).
        { path: '/echo/cart/*', method: 'POST', type: 'add_to_cart', itemsPath: 'lines', idPath: 'sku', quantityPath: 'qty', pricePath: 'price', maxBodyBytes: 64 * 1024 },
        { path: '/bytes/:n', method: 'POST', type: 'add_to_cart', itemsPath: 'lines', idPath: 'sku' },
        { path: '/status/:code', method: 'POST', type: 'purchase', itemsPath: 'lines', idPath: 'sku' },
        // A product listing read from the response (`{ data: { items: [{ sku, meta: { brand } }] } }`).
        { path: '/shape/generic', method: 'GET', type: 'view', source: 'response', itemsPath: 'data.items', idPath: 'sku', brandPath: 'meta.brand' },
      ],
    },
  });
});

afterAll(async () => {
  await proxy?.close();
  await backend?.stop();
});

async function call(url: string, init: Parameters<typeof request>[1] = {}) {
  const res = await request(url, init);
  return { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
}

const cartBody = (lines: { sku: string; qty?: number | string; price?: number }[]) => JSON.stringify({ cartId: 'c-1', lines });
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

async function profileOf(shopper: string) {
  return (await proxy.sidecart.store.read(shopper, Date.now())).record.profile;
}

/** Waits (bounded) until the shopper's profile holds `product`. */
async function waitForProduct(shopper: string, product: string) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const profile = await profileOf(shopper);
    if (profile?.products[product]) return profile;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${product} never reached ${shopper}'s profile`);
}

describe('traffic taps', () => {
  it('turns a cart POST into an add_to_cart; the upstream gets the body byte for byte', async () => {
    const body = cartBody([
      { sku: 'oat-milk', qty: '2', price: 1.99 },
      { sku: 'rye-bread', qty: 1 },
    ]);
    const res = await call(`${proxy.url}/echo/cart/items`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user-id': 'tap-shopper-1' }, body });
    expect(res.status).toBe(200);
    const echoed = JSON.parse(res.body.toString()) as { bodyLength: number; bodySha256: string; method: string };
    expect(echoed).toMatchObject({ method: 'POST', bodyLength: Buffer.byteLength(body), bodySha256: sha(body) });

    const profile = await waitForProduct('tap-shopper-1', 'rye-bread');
    expect(Object.keys(profile.products).sort()).toEqual(['oat-milk', 'rye-bread']);
    expect(profile.products['oat-milk']!.n).toBe(0); // a cart add is a signal, not a purchase
    const metrics = await (await request(`${proxy.opsUrl}/metrics`)).body.text();
    expect(metrics).toMatch(/sidecart_events_ingested_total\{type="add_to_cart",source="tap"\} 1/);
  });

  it('leaves the response bytes exactly as the backend sent them', async () => {
    const body = cartBody([{ sku: 'apples' }]);
    const direct = await call(`${backend.url}/bytes/70000?seed=5`, { method: 'POST', body });
    const proxied = await call(`${proxy.url}/bytes/70000?seed=5`, { method: 'POST', headers: { 'x-user-id': 'tap-shopper-2' }, body });
    expect(proxied.status).toBe(200);
    expect(proxied.body.equals(direct.body)).toBe(true);
    expect(proxied.headers['content-length']).toBe(direct.headers['content-length']);
    await waitForProduct('tap-shopper-2', 'apples');
  });

  it('creates nothing for a non-2xx answer', async () => {
    for (const code of [500, 404, 409]) {
      const res = await call(`${proxy.url}/status/${code}`, { method: 'POST', headers: { 'x-user-id': 'tap-shopper-3' }, body: cartBody([{ sku: `failed-${code}` }]) });
      expect(res.status).toBe(code);
    }
    // A later successful call is recorded; by then the failed ones would have been too.
    await call(`${proxy.url}/status/201`, { method: 'POST', headers: { 'x-user-id': 'tap-shopper-3' }, body: cartBody([{ sku: 'bought' }]) });
    const profile = await waitForProduct('tap-shopper-3', 'bought');
    expect(Object.keys(profile.products)).toEqual(['bought']);
    expect(profile.orders).toBe(1);
  });

  it('counts a retried call once (same request id), and skips bodies over the limit without touching them', async () => {
    const body = cartBody([{ sku: 'eggs', qty: 1 }]);
    for (let i = 0; i < 3; i++) {
      await call(`${proxy.url}/echo/cart/items`, { method: 'POST', headers: { 'x-user-id': 'tap-shopper-4', 'x-request-id': 'req-42' }, body });
    }
    await waitForProduct('tap-shopper-4', 'eggs');

    const big = Buffer.concat([Buffer.from('{"lines":[{"sku":"huge"}],"pad":"'), Buffer.from(randomBytes(48 * 1024).toString('hex')), Buffer.from('"}')]);
    const res = await call(`${proxy.url}/echo/cart/items`, { method: 'POST', headers: { 'x-user-id': 'tap-shopper-4' }, body: big });
    expect(JSON.parse(res.body.toString())).toMatchObject({ bodyLength: big.length, bodySha256: sha(big) });
    await call(`${proxy.url}/echo/cart/items`, { method: 'POST', headers: { 'x-user-id': 'tap-shopper-4' }, body: cartBody([{ sku: 'after' }]) });
    const profile = await waitForProduct('tap-shopper-4', 'after');
    expect(profile.products['huge']).toBeUndefined();
    expect(profile.signals).toBe(2); // eggs once, after once
    const metrics = await (await request(`${proxy.opsUrl}/metrics`)).body.text();
    expect(metrics).toMatch(/sidecart_events_rejected_total\{reason="too-large"\} 1/);
  });

  it('reads items from the response for source=response, with the response unchanged', async () => {
    const direct = await call(`${backend.url}/shape/generic?q=milk`);
    const proxied = await call(`${proxy.url}/shape/generic?q=milk`, { headers: { 'x-user-id': 'tap-shopper-5' } });
    expect(proxied.body.equals(direct.body)).toBe(true);
    const first = (JSON.parse(direct.body.toString()) as { data: { items: { sku: string; meta: { brand: string } }[] } }).data.items[0]!;
    const profile = await waitForProduct('tap-shopper-5', first.sku);
    expect(Object.keys(profile.brands)).toContain(first.meta.brand);
  });

  it('keeps nothing for a shopper who turned personalization off', async () => {
    await proxy.sidecart.store.writeSettings('tap-opted-out', { personalization: false, features: {}, dietary: [], updatedAt: Date.now() });
    const res = await call(`${proxy.url}/echo/cart/items`, { method: 'POST', headers: { 'x-user-id': 'tap-opted-out' }, body: cartBody([{ sku: 'not-kept' }]) });
    expect(res.status).toBe(200);
    const deadline = Date.now() + 10_000;
    const optedOut = async () => /sidecart_events_rejected_total\{reason="opted-out"\} 1/.test(await (await request(`${proxy.opsUrl}/metrics`)).body.text());
    while (!(await optedOut())) {
      if (Date.now() > deadline) throw new Error('the opted-out tap was never counted');
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(await profileOf('tap-opted-out')).toBeNull();
  });

  it('ignores anonymous calls and calls no tap matches', async () => {
    const res = await call(`${proxy.url}/echo/cart/items`, { method: 'PUT', headers: { 'x-user-id': 'tap-shopper-6' }, body: cartBody([{ sku: 'put-not-tapped' }]) });
    expect(res.status).toBe(200);
    await call(`${proxy.url}/echo/cart/items`, { method: 'POST', body: cartBody([{ sku: 'anonymous' }]) });
    await call(`${proxy.url}/echo/cart/items`, { method: 'POST', headers: { 'x-user-id': 'tap-shopper-6' }, body: cartBody([{ sku: 'tapped' }]) });
    const profile = await waitForProduct('tap-shopper-6', 'tapped');
    expect(Object.keys(profile.products)).toEqual(['tapped']);
  });
});
