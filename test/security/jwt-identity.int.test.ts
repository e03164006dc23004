import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureBackend, type FixtureBackend } from '../support/child-process.js';
import { startSidecart, type RunningSidecart } from '../support/sidecart-harness.js';
import { call, purchaseEvents } from '../controls/controls-client.js';
import { AUDIENCE, hsToken, ISSUER, rsaKeyPair, tamperedToken, unsignedToken, type KeyPairFixture } from '../identity/jwt-fixtures.js';

// JWT identity end to end: a real JWKS server (listen(0)), a real sidecart, real sockets.
// Forged, tampered, expired, alg:none and wrong-audience tokens get 401 on the controls and
// the events API, and never personalize a search.

let backend: FixtureBackend;
let proxy: RunningSidecart;
let jwksServer: Server;
let keys: KeyPairFixture;
let jwksRequests = 0;
const SECRET = 'shop-jwt-secret-for-socket-tests!';
const ME = '/sidecart/v1/me';
const SEARCH = '/products/_search?q=milk&size=24';

beforeAll(async () => {
  backend = await startFixtureBackend();
  keys = await rsaKeyPair('shop-key-1');
  jwksServer = createServer((req, res) => {
    jwksRequests += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(keys.jwks));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
  proxy = await startSidecart({
    upstream: { url: backend.url },
    routes: [{ path: '/products/_search', adapter: 'elasticsearch', budgetMs: 500 }],
    identity: { header: '', jwt: { jwksUrl, issuer: ISSUER, audience: AUDIENCE, cookie: 'shop_session', algorithms: ['RS256'] } },
  });
});

afterAll(async () => {
  await proxy?.close();
  await backend?.stop();
  await new Promise((resolve) => jwksServer?.close(resolve));
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('JWT identity over real sockets (JWKS URL)', () => {
  it('a valid RS256 token identifies the shopper, from the header or the cookie', async () => {
    const token = await keys.sign({ sub: 'jwt-shopper' });
    const me = await call(`${proxy.url}${ME}`, { headers: bearer(token) });
    expect(me.status).toBe(200);
    expect(me.json<{ shopper: { id: string } }>().shopper.id).toBe('jwt-shopper');
    const viaCookie = await call(`${proxy.url}${ME}`, { headers: { cookie: `theme=x; shop_session=${token}` } });
    expect(viaCookie.json<{ shopper: { id: string } }>().shopper.id).toBe('jwt-shopper');
    expect(jwksRequests).toBeGreaterThanOrEqual(1);
  });

  it('refuses forged, tampered, expired, alg:none, HS256 and wrong-audience tokens with 401', async () => {
    const valid = await keys.sign({ sub: 'victim' });
    const stranger = await rsaKeyPair('shop-key-1');
    const bad: Record<string, string> = {
      forged: await stranger.sign({ sub: 'victim' }),
      tampered: tamperedToken(await keys.sign({ sub: 'attacker' }), { sub: 'victim' }),
      expired: await keys.sign({ sub: 'victim' }, { expSeconds: -120 }),
      algNone: unsignedToken({ sub: 'victim' }),
      hs256: await hsToken({ sub: 'victim' }, { secret: SECRET }),
      wrongAudience: await keys.sign({ sub: 'victim' }, { audience: 'another-service' }),
      wrongIssuer: await keys.sign({ sub: 'victim' }, { issuer: 'https://evil.example' }),
      garbage: 'not.a.jwt',
    };
    expect((await call(`${proxy.url}/sidecart/v1/events`, { method: 'POST', headers: bearer(valid), body: purchaseEvents('victim', ['p-1']) })).status).toBe(202);
    expect((await call(`${proxy.url}${SEARCH}`, { headers: bearer(valid) })).headers['x-sidecart']).toBe('personalized');
    for (const [name, token] of Object.entries(bad)) {
      for (const headers of [bearer(token), { cookie: `shop_session=${token}` }]) {
        const me = await call(`${proxy.url}${ME}`, { headers });
        expect(me.status, name).toBe(401);
        expect((await call(`${proxy.url}${ME}`, { method: 'DELETE', headers })).status, name).toBe(401);
        const events = await call(`${proxy.url}/sidecart/v1/events`, { method: 'POST', headers, body: purchaseEvents(`bad-${name}`, ['p-9']) });
        expect(events.status, name).toBe(401);
        const search = await call(`${proxy.url}${SEARCH}`, { headers });
        expect(search.headers['x-sidecart'], name).not.toBe('personalized');
      }
    }
    // The victim's data is intact, and only the valid token reaches it.
    const profile = (await proxy.sidecart.store.read('victim', Date.now())).record.profile;
    expect(Object.keys(profile?.products ?? {})).toEqual(['p-1']);
  });

  it('a bad token is not rescued by other identity hints on the same request', async () => {
    const expired = await keys.sign({ sub: 'victim' }, { expSeconds: -120 });
    const valid = await keys.sign({ sub: 'victim' });
    const res = await call(`${proxy.url}${ME}`, { headers: { ...bearer(expired), cookie: `shop_session=${valid}`, 'x-user-id': 'victim' } });
    expect(res.status).toBe(401);
  });
});
