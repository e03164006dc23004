import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startFixtureBackend, type FixtureBackend } from '../support/child-process.js';
import { startSidecart, type RunningSidecart } from '../support/sidecart-harness.js';

// The events API over real sockets: rate limit, admin form, whole-batch validation.

const ADMIN = 'admin-token-for-events-test';
let backend: FixtureBackend;
let proxy: RunningSidecart;

beforeAll(async () => {
  backend = await startFixtureBackend();
  proxy = await startSidecart({
    upstream: { url: backend.url },
    admin: { token: ADMIN },
    events: { rateLimitPerSecond: 0.2, rateLimitBurst: 3, maxBatch: 5 },
  });
});

afterAll(async () => {
  await proxy?.close();
  await backend?.stop();
});

async function post(body: unknown, headers: Record<string, string> = {}) {
  const res = await request(`${proxy.url}/sidecart/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.statusCode, headers: res.headers, body: (await res.body.json()) as Record<string, unknown> };
}

const purchase = (id: string, product = 'p-1') => ({ id, type: 'purchase', items: [{ id: product, quantity: 1 }] });

async function productsOf(shopper: string): Promise<string[]> {
  const read = await proxy.sidecart.store.read(shopper, Date.now());
  return Object.keys(read.record.profile?.products ?? {}).sort();
}

describe('events API', () => {
  it('answers 429 with Retry-After once a shopper spends the burst, and keeps other shoppers going', async () => {
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof post>> | undefined;
    for (let i = 0; i < 5; i++) {
      const res = await post({ events: [purchase(`rl-${i}`)] }, { 'x-user-id': 'busy-shopper' });
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses).toEqual([202, 202, 202, 429, 429]);
    // 0.2 tokens/s: the next token is about 5 s away.
    const retryAfter = Number(limited!.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(5);
    expect(limited!.body.error).toBe('rate_limited');
    expect((await post({ events: [purchase('other-1')] }, { 'x-user-id': 'calm-shopper' })).status).toBe(202);
    const metrics = await (await request(`${proxy.opsUrl}/metrics`)).body.text();
    expect(metrics).toMatch(/sidecart_events_rejected_total\{reason="rate-limited"\} 2/);
    expect(metrics).toMatch(/sidecart_events_ingested_total\{type="purchase",source="api"\} [4-9]/);
  });

  it('lets only the admin token name the shopper (403 otherwise, also with a wrong token)', async () => {
    const named = { shopperId: 'named-shopper', events: [purchase('adm-1', 'p-admin')] };
    expect((await post(named, { 'x-user-id': 'someone-else' })).status).toBe(403);
    const wrong = await post(named, { authorization: `Bearer ${ADMIN}-nope` });
    expect(wrong.status).toBe(403);
    expect(wrong.body.field).toBe('shopperId');
    expect(await productsOf('named-shopper')).toEqual([]);

    const ok = await post(named, { authorization: `Bearer ${ADMIN}` });
    expect(ok.status).toBe(202);
    expect(ok.body).toMatchObject({ accepted: 1, stored: expect.stringMatching(/^(redis|memory)$/) });
    expect(await productsOf('named-shopper')).toEqual(['p-admin']);
    // The same batch again is a duplicate, not a second purchase.
    expect((await post(named, { authorization: `Bearer ${ADMIN}` })).body).toMatchObject({ accepted: 0, duplicates: 1 });
    expect((await post({ shopperId: 'bad id!', events: [purchase('adm-2')] }, { authorization: `Bearer ${ADMIN}` })).body.field).toBe('shopperId');
  });

  it('rejects a batch whole, naming the field, and stores nothing of it', async () => {
    const res = await post({ events: [purchase('w-1', 'p-good'), { ...purchase('w-2', 'p-bad'), items: [{ id: 'p-bad', quantity: 0 }] }] }, { 'x-user-id': 'whole-shopper' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_event', field: 'events.1.items.0.quantity' });
    expect(await productsOf('whole-shopper')).toEqual([]);
    const tooMany = await post({ events: Array.from({ length: 6 }, (_, i) => purchase(`m-${i}`)) }, { 'x-user-id': 'whole-shopper' });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.field).toBe('events');
  });

  it('answers 401 without an identity and 400 for malformed JSON', async () => {
    expect((await post({ events: [purchase('n-1')] })).status).toBe(401);
    const res = await request(`${proxy.url}/sidecart/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user-id': 'json-shopper' }, body: '{"events": [' });
    expect(res.statusCode).toBe(400);
    expect(((await res.body.json()) as { error: string }).error).toBe('malformed_json');
  });
});
