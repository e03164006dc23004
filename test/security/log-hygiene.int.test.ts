import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSidecart, type Sidecart } from '../../src/app.js';
import { parseConfig } from '../../src/config/load-config.js';
import { createLogger, shopperRef } from '../../src/logging/logger.js';
import { startFixtureBackend, type FixtureBackend } from '../support/child-process.js';
import { call, purchaseEvents } from '../controls/controls-client.js';
import { hsToken, AUDIENCE, ISSUER } from '../identity/jwt-fixtures.js';

// Logs at info level never carry a shopper id, a token or a client IP: a real sidecart logs
// into a buffer while it serves every kind of request, then the buffer is searched.

const SHOPPER = 'log-shopper-secret-77';
const JWT_SHOPPER = 'jwt-shopper-secret-88';
const ADMIN_TOKEN = 'admin-token-never-logged-42';
const JWT_SECRET = 'jwt-secret-never-logged-0123456789';
const CLIENT_IP = '203.0.113.77';
let backend: FixtureBackend;
let sidecart: Sidecart;
let url: string;
let opsUrl: string;
let logged = '';

beforeAll(async () => {
  backend = await startFixtureBackend();
  const config = parseConfig(
    stringify({
      server: { host: '127.0.0.1', port: 0, opsPort: 0 },
      upstream: { url: backend.url, timeoutMs: 2000 },
      routes: [
        { path: '/products/_search', adapter: 'elasticsearch', budgetMs: 500 },
        { path: '/reset', adapter: 'elasticsearch' },
      ],
      identity: { jwt: { secret: JWT_SECRET, issuer: ISSUER, audience: AUDIENCE }, trustHeader: true },
      admin: { token: ADMIN_TOKEN },
      logging: { level: 'info' },
    }),
    'log-test.yaml',
    {},
  );
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logged += chunk.toString();
      done();
    },
  });
  sidecart = createSidecart({ config, configFile: 'log-test.yaml', logger: createLogger('info', sink) });
  const ports = await sidecart.listen();
  url = `http://127.0.0.1:${ports.port}`;
  opsUrl = `http://127.0.0.1:${ports.opsPort}`;
});

afterAll(async () => {
  await sidecart?.shutdown();
  await backend?.stop();
});

describe('log hygiene', () => {
  it('logs hashed shopper references only: no ids, tokens or client IPs', async () => {
    const client = { 'x-forwarded-for': CLIENT_IP, 'x-real-ip': CLIENT_IP };
    const me = { 'x-user-id': SHOPPER, ...client };
    const token = await hsToken({ sub: JWT_SHOPPER }, { secret: JWT_SECRET });
    const forged = await hsToken({ sub: JWT_SHOPPER }, { secret: 'some-other-secret-that-is-long' });
    await call(`${url}/sidecart/v1/events`, { method: 'POST', headers: me, body: purchaseEvents('log', ['p-1']) });
    await call(`${url}/sidecart/v1/events`, { method: 'POST', headers: me, rawBody: '{"events": [' });
    await call(`${url}/sidecart/v1/me/settings`, { method: 'PUT', headers: me, body: { personalization: false } });
    await call(`${url}/sidecart/v1/me/settings`, { method: 'PUT', headers: me, body: { nope: 1 } });
    await call(`${url}/products/_search?q=milk`, { headers: me });
    await call(`${url}/products/_search?q=milk`, { headers: { authorization: `Bearer ${token}`, ...client } });
    await call(`${url}/sidecart/v1/me`, { headers: { authorization: `Bearer ${forged}`, ...client } });
    await call(`${url}/sidecart/v1/me/export`, { headers: { authorization: `Bearer ${token}`, ...client } });
    await call(`${url}/reset`, { headers: me }).catch(() => undefined);
    await call(`${url}/echo/x`, { headers: me });
    await call(`${opsUrl}/admin/shoppers/${SHOPPER}`, { headers: { authorization: 'Bearer wrong-admin-token', ...client } });
    await call(`${opsUrl}/admin/shoppers/${SHOPPER}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...client } });
    await call(`${opsUrl}/admin/config`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect((await call(`${url}/sidecart/v1/me`, { method: 'DELETE', headers: me })).status).toBe(204);
    expect((await call(`${url}/sidecart/v1/me`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } })).status).toBe(204);

    // Something was logged about the shopper — by reference.
    expect(logged).toContain(shopperRef(SHOPPER));
    expect(logged).toContain(shopperRef(JWT_SHOPPER));
    for (const secret of [SHOPPER, JWT_SHOPPER, ADMIN_TOKEN, JWT_SECRET, token, forged, CLIENT_IP, 'wrong-admin-token']) {
      expect(logged, secret).not.toContain(secret);
    }
    for (const line of logged.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });
});
