import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureBackend, type FixtureBackend } from '../support/child-process.js';
import { startSidecart, type RunningSidecart } from '../support/sidecart-harness.js';
import { call, purchaseEvents } from './controls-client.js';

// The admin API on the ops port: off without a token, 401 without or with a wrong token, and
// with the right one: read and erase a named shopper, see the config with secrets redacted.

const TOKEN = 'admin-token-for-tests-7f3a9c';
const JWT_SECRET = 'jwt-secret-for-admin-tests-123456';
let backend: FixtureBackend;
let withToken: RunningSidecart;
let withoutToken: RunningSidecart;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  backend = await startFixtureBackend();
  const base = { upstream: { url: backend.url }, identity: { jwt: { secret: JWT_SECRET }, trustHeader: true } };
  withToken = await startSidecart({ ...base, admin: { token: TOKEN } });
  withoutToken = await startSidecart(base);
});

afterAll(async () => {
  await withToken?.close();
  await withoutToken?.close();
  await backend?.stop();
});

describe('admin API: access', () => {
  it('is off (404), not open, when no token is configured', async () => {
    for (const path of ['/admin/config', '/admin/shoppers/u-1']) {
      for (const headers of [{}, bearer(TOKEN), bearer('')]) {
        const res = await call(`${withoutToken.opsUrl}${path}`, { headers });
        expect(res.status).toBe(404);
        expect(res.json().error).toBe('admin_disabled');
      }
    }
    expect((await call(`${withoutToken.opsUrl}/admin/shoppers/u-1`, { method: 'DELETE', headers: bearer(TOKEN) })).status).toBe(404);
  });

  it.each([
    ['no header', {}],
    ['wrong token', bearer('admin-token-for-tests-7f3a9d')],
    ['prefix of the token', bearer(TOKEN.slice(0, -1))],
    ['token plus extra', bearer(`${TOKEN}x`)],
    ['basic auth', { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` }],
    ['token in another header', { 'x-admin-token': TOKEN }],
  ])('answers 401 with %s', async (_name, headers) => {
    for (const [method, path] of [
      ['GET', '/admin/config'],
      ['GET', '/admin/shoppers/u-1'],
      ['DELETE', '/admin/shoppers/u-1'],
    ] as const) {
      const res = await call(`${withToken.opsUrl}${path}`, { method, headers });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.body.toString()).not.toContain(TOKEN);
    }
  });

  it('checks the token before reading a body: malformed or oversized JSON without a token is 401', async () => {
    for (const rawBody of ['{"broken": ', 'x'.repeat(200 * 1024)]) {
      const res = await call(`${withToken.opsUrl}/admin/shoppers/u-1`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, rawBody });
      expect(res.status).toBe(401);
    }
  });

  it('is not reachable through the traffic port', async () => {
    // The traffic port forwards /admin/... to the backend like any other path.
    const res = await call(`${withToken.url}/admin/config`, { headers: bearer(TOKEN) });
    const direct = await call(`${backend.url}/admin/config`);
    expect(res.status).toBe(direct.status);
    expect(res.body.equals(direct.body)).toBe(true);
    expect(res.body.toString()).not.toContain('keyPrefix');
  });
});

describe('admin API: data-subject requests and config', () => {
  it('reads and erases a named shopper', async () => {
    const accepted = await call(`${withToken.url}/sidecart/v1/events`, { method: 'POST', headers: { 'x-user-id': 'dsr-1' }, body: purchaseEvents('dsr-1', ['p-1', 'p-2']) });
    expect(accepted.status).toBe(202);
    const read = await call(`${withToken.opsUrl}/admin/shoppers/dsr-1`, { headers: bearer(TOKEN) });
    expect(read.status).toBe(200);
    expect(read.headers['cache-control']).toBe('no-store');
    expect(Object.keys(read.json<{ profile: { products: object } }>().profile.products).sort()).toEqual(['p-1', 'p-2']);

    const erased = await call(`${withToken.opsUrl}/admin/shoppers/dsr-1`, { method: 'DELETE', headers: bearer(TOKEN) });
    expect(erased.status).toBe(204);
    expect((await withToken.sidecart.store.read('dsr-1', Date.now())).record.profile).toBeNull();
    expect((await call(`${withToken.opsUrl}/admin/shoppers/dsr-1`, { headers: bearer(TOKEN) })).json().profile).toBeNull();
  });

  it('refuses ids that are not valid shopper ids', async () => {
    for (const id of ['a%20b', '%7Bu%3A1%7D', 'x'.repeat(65), 'anon%3A']) {
      const res = await call(`${withToken.opsUrl}/admin/shoppers/${id}`, { headers: bearer(TOKEN) });
      expect(res.status, id).toBe(400);
      expect(res.json().field).toBe('id');
    }
    expect((await call(`${withToken.opsUrl}/admin/shoppers/anon%3As1`, { headers: bearer(TOKEN) })).status).toBe(200);
  });

  it('shows the effective config with secrets redacted', async () => {
    const res = await call(`${withToken.opsUrl}/admin/config`, { headers: bearer(TOKEN) });
    expect(res.status).toBe(200);
    const text = res.body.toString();
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(JWT_SECRET);
    const config = res.json<{ admin: { token: string }; identity: { jwt: { secret: string } }; upstream: { url: string } }>();
    expect(config.admin.token).toBe('[redacted]');
    expect(config.identity.jwt.secret).toBe('[redacted]');
    expect(config.upstream.url).toBe(backend.url);
  });

  it('refuses malformed and too-deep JSON bodies with 400 once authorized', async () => {
    const malformed = await call(`${withToken.opsUrl}/admin/shoppers/u-1`, { method: 'DELETE', headers: { ...bearer(TOKEN), 'content-type': 'application/json' }, rawBody: '{"x":' });
    expect(malformed.status).toBe(400);
    expect(malformed.json().error).toBe('malformed_json');
    const deep = await call(`${withToken.opsUrl}/admin/shoppers/u-1`, { method: 'DELETE', headers: { ...bearer(TOKEN), 'content-type': 'application/json' }, rawBody: '['.repeat(50) + ']'.repeat(50) });
    expect(deep.status).toBe(400);
    expect(deep.json().error).toBe('too_deep');
  });
});
