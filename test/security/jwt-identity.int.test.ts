import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureBackend, type FixtureBackend } from '../support/child-process.js';
import { startSidecart, type RunningSidecart } from '../support/sidecart-harness.js';
import { call, purchaseEvents } from '../controls/controls-client.js';
import { createSidecart } from '../../src/app.js';
import { parseConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/logging/logger.js';
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

// Identity sources are explicit: with a JWT or cookie source configured, the default header is
// not trusted unless `identity.trustHeader` says so. A client that leaves its token out (or sends
// Basic credentials) and names a shopper in `x-user-id` is nobody.
describe('JWT or cookie identity with the header left at its default', () => {
  let jwtOnly: RunningSidecart;
  let cookieOnly: RunningSidecart;
  let cookieAndHeader: RunningSidecart;
  let jwtAndHeader: RunningSidecart;
  const jwt = { secret: SECRET, issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] };
  const route = { path: '/products/_search', adapter: 'elasticsearch', budgetMs: 500 };
  const basic = { authorization: `Basic ${Buffer.from('alice:pw').toString('base64')}` };
  const start = (identity: Record<string, unknown>) => startSidecart({ upstream: { url: backend.url }, routes: [route], identity });

  beforeAll(async () => {
    [jwtOnly, cookieOnly, cookieAndHeader, jwtAndHeader] = await Promise.all([
      start({ jwt }),
      start({ cookie: 'shopper_id' }),
      start({ cookie: 'shopper_id', trustHeader: true }),
      start({ jwt, trustHeader: true }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([jwtOnly, cookieOnly, cookieAndHeader, jwtAndHeader].map((p) => p?.close()));
  });

  it('JWT configured: no token (or Basic) plus x-user-id is no identity: 401 on events and export, no-identity on search', async () => {
    const alice = bearer(await hsToken({ sub: 'alice' }, { secret: SECRET }));
    expect((await call(`${jwtOnly.url}/sidecart/v1/events`, { method: 'POST', headers: alice, body: purchaseEvents('alice', ['p-1']) })).status).toBe(202);
    expect((await call(`${jwtOnly.url}${SEARCH}`, { headers: alice })).headers['x-sidecart']).toBe('personalized');
    for (const [name, headers] of Object.entries({ 'no token': { 'x-user-id': 'alice' }, basic: { ...basic, 'x-user-id': 'alice' } })) {
      const events = await call(`${jwtOnly.url}/sidecart/v1/events`, { method: 'POST', headers, body: purchaseEvents(`forged-${name.replace(' ', '-')}`, ['p-9']) });
      expect(events.status, name).toBe(401);
      expect((await call(`${jwtOnly.url}${ME}/export`, { headers })).status, name).toBe(401);
      expect((await call(`${jwtOnly.url}${ME}`, { method: 'DELETE', headers })).status, name).toBe(401);
      expect((await call(`${jwtOnly.url}${SEARCH}`, { headers })).headers['x-sidecart'], name).toBe('passthrough; reason=no-identity');
    }
    // Alice's profile holds only what her token wrote.
    const profile = (await jwtOnly.sidecart.store.read('alice', Date.now())).record.profile;
    expect(Object.keys(profile?.products ?? {})).toEqual(['p-1']);
  });

  it('cookie configured: the header alone is nobody; an invalid cookie never falls through to the header', async () => {
    expect((await call(`${cookieOnly.url}${ME}`, { headers: { 'x-user-id': 'alice' } })).status).toBe(401);
    expect((await call(`${cookieOnly.url}${ME}`, { headers: { cookie: 'shopper_id=alice' } })).json<{ shopper: { id: string } }>().shopper.id).toBe('alice');
    // Even where the header is trusted, a cookie that is present but invalid leaves the request unidentified.
    for (const proxy of [cookieOnly, cookieAndHeader]) {
      for (const cookie of ['shopper_id=bad value!', 'shopper_id=anon:alice', `shopper_id=${'x'.repeat(65)}`, 'shopper_id=']) {
        const me = await call(`${proxy.url}${ME}`, { headers: { cookie, 'x-user-id': 'alice' } });
        expect(me.status, cookie).toBe(401);
        const events = await call(`${proxy.url}/sidecart/v1/events`, { method: 'POST', headers: { cookie, 'x-user-id': 'alice' }, body: purchaseEvents('bad-cookie', ['p-9']) });
        expect(events.status, cookie).toBe(401);
      }
    }
  });

  it('trusts the header next to a JWT or cookie only when identity.trustHeader is true; stronger sources still win', async () => {
    const me = await call(`${jwtAndHeader.url}${ME}`, { headers: { 'x-user-id': 'gateway-shopper' } });
    expect(me.status).toBe(200);
    expect(me.json<{ shopper: { id: string } }>().shopper.id).toBe('gateway-shopper');
    const token = bearer(await hsToken({ sub: 'token-shopper' }, { secret: SECRET }));
    expect((await call(`${jwtAndHeader.url}${ME}`, { headers: { ...token, 'x-user-id': 'gateway-shopper' } })).json<{ shopper: { id: string } }>().shopper.id).toBe('token-shopper');
    const expired = bearer(await hsToken({ sub: 'token-shopper' }, { secret: SECRET, expSeconds: -120 }));
    expect((await call(`${jwtAndHeader.url}${ME}`, { headers: { ...expired, 'x-user-id': 'gateway-shopper' } })).status).toBe(401);
    const viaCookieProxy = await call(`${cookieAndHeader.url}${ME}`, { headers: { cookie: 'theme=dark', 'x-user-id': 'gateway-shopper' } });
    expect(viaCookieProxy.json<{ shopper: { id: string } }>().shopper.id).toBe('gateway-shopper');
    expect((await call(`${cookieAndHeader.url}${ME}`, { headers: { cookie: 'shopper_id=cookie-shopper', 'x-user-id': 'gateway-shopper' } })).json<{ shopper: { id: string } }>().shopper.id).toBe('cookie-shopper');
    // Responses vary on the header only where it is trusted.
    expect(String((await call(`${jwtOnly.url}${ME}`, { headers: token })).headers.vary ?? '')).not.toMatch(/x-user-id/i);
    expect(String((await call(`${jwtAndHeader.url}${ME}`, { headers: token })).headers.vary ?? '')).toMatch(/x-user-id/i);
  });
});

describe('the start log names the trusted identity sources', () => {
  const startLog = async (identity: Record<string, unknown>) => {
    const lines: Array<{ msg: string; trusted?: string[]; header?: string }> = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as (typeof lines)[number]);
        done();
      },
    });
    const config = parseConfig(stringify({ upstream: { url: backend.url }, identity, server: { host: '127.0.0.1', port: 0, opsPort: 0, drainDelayMs: 0 } }), 'test-config.yaml', {});
    const sidecart = createSidecart({ config, configFile: 'test-config.yaml', logger: createLogger('info', sink) });
    await sidecart.listen();
    await sidecart.shutdown();
    return lines;
  };

  it('lists each trusted source, and warns about a header it does not trust', async () => {
    const jwtOnly = await startLog({ jwt: { secret: SECRET }, cookie: 'shopper_id' });
    expect(jwtOnly.find((l) => l.msg === 'identity sources trusted')?.trusted).toEqual(['jwt (Authorization: Bearer)', 'cookie shopper_id']);
    expect(jwtOnly.find((l) => l.header === 'x-user-id')?.msg).toMatch(/not trusted.*trustHeader/);
    const headerOnly = await startLog({});
    expect(headerOnly.find((l) => l.msg === 'identity sources trusted')?.trusted).toEqual(['header x-user-id']);
    expect(headerOnly.some((l) => l.header !== undefined)).toBe(false);
    const both = await startLog({ jwt: { secret: SECRET, cookie: 'sess' }, trustHeader: true, anonymousCookie: 'sid' });
    expect(both.find((l) => l.msg === 'identity sources trusted')?.trusted).toEqual(['jwt (Authorization: Bearer, cookie sess)', 'header x-user-id', 'anonymous cookie sid']);
  });
});
