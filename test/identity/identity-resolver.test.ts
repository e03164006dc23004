import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { bearerToken, createIdentityResolver, type IdentityConfig } from '../../src/identity/create-identity-resolver.js';
import { trustedHeader } from '../../src/identity/identity-sources.js';
import { readCookie } from '../../src/identity/request-cookie.js';
import { anonymousShopperId, isStoredShopperId, isValidShopperId } from '../../src/identity/shopper-identity.js';
import { TokenCache } from '../../src/identity/token-cache.js';
import { AUDIENCE, hsToken, ISSUER, SECRET } from './jwt-fixtures.js';

const identity = (raw: Record<string, unknown>): IdentityConfig => configSchema.parse({ identity: raw }).identity;
const req = (headers: Record<string, string | string[]>) => ({ headers }) as unknown as IncomingMessage;

describe('identity resolver: sources the config trusts, and only those', () => {
  it('reads the default trusted header synchronously', () => {
    const identify = createIdentityResolver(identity({}));
    const result = identify(req({ 'x-user-id': ' u-1 ' }));
    expect(result).toEqual({ id: 'u-1', source: 'header' });
  });

  it('ignores a header the config does not trust', () => {
    const identify = createIdentityResolver(identity({ header: 'x-shop-customer' }));
    expect(identify(req({ 'x-user-id': 'intruder' }))).toBeNull();
    expect(identify(req({ 'x-shop-customer': 'c-7' }))).toEqual({ id: 'c-7', source: 'header' });
    const none = createIdentityResolver(identity({ header: '' }));
    expect(none(req({ 'x-user-id': 'intruder', '': 'x' }))).toBeNull();
  });

  it('ignores cookies and bearer tokens when no cookie or JWT source is configured', () => {
    const identify = createIdentityResolver(identity({ header: '' }));
    expect(identify(req({ cookie: 'uid=u-1; sid=s-1', authorization: 'Bearer abc.def.ghi' }))).toBeNull();
  });

  it('refuses invalid ids from the header (charset, length, anon: namespace, repeated header)', () => {
    const identify = createIdentityResolver(identity({ maxIdLength: 10 }));
    for (const bad of ['a b', 'x'.repeat(11), 'anon:123', '{u:1}', '', 'ü']) expect(identify(req({ 'x-user-id': bad }))).toBeNull();
    expect(identify(req({ 'x-user-id': ['a', 'b'] }))).toBeNull();
  });

  it('reads the identity cookie, and it wins over a header trusted next to it', () => {
    const identify = createIdentityResolver(identity({ cookie: 'uid', trustHeader: true }));
    expect(identify(req({ cookie: 'theme=dark; uid=u-cookie', 'x-user-id': 'u-header' }))).toEqual({ id: 'u-cookie', source: 'cookie' });
    expect(identify(req({ cookie: 'theme=dark', 'x-user-id': 'u-header' }))).toEqual({ id: 'u-header', source: 'header' });
    // A cookie that is present but invalid never falls through to the header.
    for (const bad of ['uid=bad value', 'uid=anon:u-1', 'uid=', `uid=${'x'.repeat(65)}`]) expect(identify(req({ cookie: bad, 'x-user-id': 'u-header' })), bad).toBeNull();
  });

  it('trusts the header next to a JWT or cookie source only when trustHeader is true', () => {
    const cases: Array<[Record<string, unknown>, string | undefined]> = [
      [{}, 'x-user-id'],
      [{ header: 'X-Shop-Customer' }, 'x-shop-customer'],
      [{ anonymousCookie: 'sid' }, 'x-user-id'],
      [{ header: '' }, undefined],
      [{ trustHeader: false }, undefined],
      [{ jwt: { secret: SECRET } }, undefined],
      [{ cookie: 'uid' }, undefined],
      [{ cookie: 'uid', header: 'x-gateway-user' }, undefined],
      [{ jwt: { secret: SECRET }, trustHeader: true }, 'x-user-id'],
      [{ cookie: 'uid', trustHeader: true, header: '' }, undefined],
    ];
    for (const [raw, expected] of cases) expect(trustedHeader(identity(raw)), JSON.stringify(raw)).toBe(expected);
    const jwtOnly = createIdentityResolver(identity({ jwt: { secret: SECRET } }));
    expect(jwtOnly(req({ 'x-user-id': 'alice' }))).toBeNull();
    expect(jwtOnly(req({ 'x-user-id': 'alice', authorization: 'Basic YWxpY2U6cHc=' }))).toBeNull();
    expect(createIdentityResolver(identity({ cookie: 'uid' }))(req({ 'x-user-id': 'alice' }))).toBeNull();
  });

  it('keeps anonymous session ids in their own namespace, below signed-in sources', () => {
    const identify = createIdentityResolver(identity({ anonymousCookie: 'sid' }));
    expect(identify(req({ cookie: 'sid=abc123' }))).toEqual({ id: 'anon:abc123', source: 'anonymous' });
    expect(identify(req({ cookie: 'sid=abc123', 'x-user-id': 'u-1' }))).toEqual({ id: 'u-1', source: 'header' });
    // A session cookie can't name a signed-in shopper, and a header can't name an anonymous one.
    expect((identify(req({ cookie: 'sid=u-1' })) as { id: string }).id).toBe('anon:u-1');
    expect(identify(req({ 'x-user-id': 'anon:abc123' }))).toBeNull();
    expect(identify(req({ cookie: 'sid=bad value' }))).toBeNull();
  });

  it('verifies a bearer JWT first; a present but invalid token never falls through to weaker sources', async () => {
    const identify = createIdentityResolver(identity({ cookie: 'uid', anonymousCookie: 'sid', jwt: { secret: SECRET, issuer: ISSUER, audience: AUDIENCE, cookie: 'session_jwt' } }));
    const token = await hsToken({ sub: 'u-jwt' });
    const both = { authorization: `Bearer ${token}`, cookie: 'uid=u-cookie; sid=s1', 'x-user-id': 'u-header' };
    expect(await identify(req(both))).toEqual({ id: 'u-jwt', source: 'jwt' });
    expect(await identify(req({ cookie: `session_jwt=${token}; uid=u-cookie` }))).toEqual({ id: 'u-jwt', source: 'jwt' });
    const forged = await hsToken({ sub: 'u-jwt' }, { secret: 'not-the-shop-secret-but-long-enough' });
    expect(await identify(req({ ...both, authorization: `Bearer ${forged}` }))).toBeNull();
    // Without a token, the cookie decides, synchronously.
    expect(identify(req({ cookie: 'uid=u-cookie', 'x-user-id': 'u-header' }))).toEqual({ id: 'u-cookie', source: 'cookie' });
  });

  it('answers header and cookie sources without a promise (the search hot path)', () => {
    const identify = createIdentityResolver(identity({ cookie: 'uid', jwt: { secret: SECRET } }));
    expect(identify(req({ 'x-user-id': 'u-1' }))).not.toBeInstanceOf(Promise);
    expect(identify(req({ cookie: 'uid=u-2' }))).not.toBeInstanceOf(Promise);
  });
});

describe('identity helpers', () => {
  it('parses bearer tokens and nothing else', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer   abc ')).toBe('abc');
    expect(bearerToken('Basic dXNlcjpwdw==')).toBeUndefined();
    expect(bearerToken('Bearer ')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it('reads one cookie: first occurrence, quotes removed, names matched exactly', () => {
    expect(readCookie('a=1; b=2; a=3', 'a')).toBe('1');
    expect(readCookie('xa=1; a="q"', 'a')).toBe('q');
    expect(readCookie(' b = 2 ', 'b')).toBe('2');
    expect(readCookie('flag; c=3', 'c')).toBe('3');
    expect(readCookie('a=1', 'b')).toBeUndefined();
    expect(readCookie(undefined, 'a')).toBeUndefined();
    // A name inside another name or inside a value never matches.
    expect(readCookie('xuid=1; uid2=2; a=uid=3; uid=4', 'uid')).toBe('4');
    expect(readCookie('uid =5', 'uid')).toBe('5');
    expect(readCookie('a=1;uid=6', 'uid')).toBe('6');
    expect(readCookie(['a=1', 'uid=7'], 'uid')).toBe('7');
    expect(readCookie('uid', 'uid')).toBeUndefined();
    expect(readCookie('uid=', 'uid')).toBe('');
  });

  it('validates ids for every namespace', () => {
    expect(isValidShopperId('u-1@shop.example', 64)).toBe(true);
    expect(isValidShopperId('anon:1', 64)).toBe(false);
    expect(anonymousShopperId('abc', 64)).toBe('anon:abc');
    expect(anonymousShopperId('x'.repeat(254), 256)).toBeNull();
    expect(isStoredShopperId('anon:abc', 64)).toBe(true);
    expect(isStoredShopperId('anon:', 64)).toBe(false);
    expect(isStoredShopperId('anon:a b', 64)).toBe(false);
    expect(isStoredShopperId('u-1', 64)).toBe(true);
  });

  it('token cache: LRU bound, and an entry dies at the earlier of exp and TTL', () => {
    const cache = new TokenCache(2, 1000);
    cache.set('t1', 'a', 10_000, 0);
    cache.set('t2', 'b', 500, 0);
    expect(cache.get('t1', 999)).toBe('a');
    expect(cache.get('t1', 1000)).toBeUndefined();
    expect(cache.get('t2', 499)).toBe('b');
    expect(cache.get('t2', 500)).toBeUndefined();
    cache.set('x', '1', 10_000, 0);
    cache.set('y', '2', 10_000, 0);
    cache.get('x', 1);
    cache.set('z', '3', 10_000, 0);
    expect(cache.size).toBe(2);
    expect(cache.get('y', 2)).toBeUndefined();
    expect(cache.get('x', 2)).toBe('1');
    cache.set('dead', '4', 5, 10);
    expect(cache.get('dead', 10)).toBeUndefined();
  });
});

describe('identity config validation', () => {
  it('stops the start when a JWT source has no key, or allows alg none, naming the key', () => {
    const noKey = configSchema.safeParse({ identity: { jwt: { issuer: 'x' } } });
    expect(noKey.success).toBe(false);
    expect(noKey.error?.issues[0]?.path).toEqual(['identity', 'jwt']);
    const none = configSchema.safeParse({ identity: { jwt: { secret: SECRET, algorithms: ['HS256', 'none'] } } });
    expect(none.success).toBe(false);
    expect(none.error?.issues[0]?.path).toEqual(['identity', 'jwt', 'algorithms', 1]);
  });
});
