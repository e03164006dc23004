import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createJwtVerifier, type JwtConfig } from '../../src/identity/jwt-verifier.js';
import { isValidShopperId } from '../../src/identity/shopper-identity.js';
import { AUDIENCE, hsToken, ISSUER, rsaKeyPair, SECRET, tamperedToken, unsignedToken } from './jwt-fixtures.js';

const base: JwtConfig = { secret: SECRET, issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256', 'RS256', 'ES256'], claim: 'sub' };
const isValidId = (id: string) => isValidShopperId(id, 64);

describe('JWT verifier (shared secret)', () => {
  const verify = createJwtVerifier(base, { isValidId });

  it('accepts a valid token and returns the sub claim', async () => {
    expect(await verify(await hsToken({ sub: 'shopper-1' }))).toBe('shopper-1');
  });

  it('refuses a token signed with another secret (forged)', async () => {
    expect(await verify(await hsToken({ sub: 'shopper-1' }, { secret: 'another-secret-also-32-bytes-long' }))).toBeNull();
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const token = await hsToken({ sub: 'shopper-1' });
    expect(await verify(tamperedToken(token, { sub: 'shopper-2' }))).toBeNull();
  });

  it('refuses alg:none in every spelling, with or without a signature part', async () => {
    for (const alg of ['none', 'None', 'NONE']) {
      expect(await verify(unsignedToken({ sub: 'shopper-1' }, alg))).toBeNull();
      expect(await verify(unsignedToken({ sub: 'shopper-1' }, alg) + 'c2ln')).toBeNull();
    }
    const withNoneAllowed = createJwtVerifier({ ...base, algorithms: ['none', 'HS256'] }, { isValidId });
    expect(await withNoneAllowed(unsignedToken({ sub: 'shopper-1' }))).toBeNull();
  });

  it('refuses an expired token and a token without exp', async () => {
    expect(await verify(await hsToken({ sub: 'shopper-1' }, { expSeconds: -3600 }))).toBeNull();
    expect(await verify(await hsToken({ sub: 'shopper-1' }, { expSeconds: null }))).toBeNull();
  });

  it('refuses a wrong issuer or audience', async () => {
    const wrongIss = createJwtVerifier({ ...base, issuer: 'https://other.example' }, { isValidId });
    const wrongAud = createJwtVerifier({ ...base, audience: 'someone-else' }, { isValidId });
    const token = await hsToken({ sub: 'shopper-1' });
    expect(await wrongIss(token)).toBeNull();
    expect(await wrongAud(token)).toBeNull();
    expect(await verify(token)).toBe('shopper-1');
  });

  it('refuses an algorithm the config does not allow, even with the right secret', async () => {
    const token = await hsToken({ sub: 'shopper-1' }, { alg: 'HS512' });
    expect(await verify(token)).toBeNull();
    const allowing = createJwtVerifier({ ...base, algorithms: ['HS512'] }, { isValidId });
    expect(await allowing(token)).toBe('shopper-1');
  });

  it('refuses claims that are not valid shopper ids (charset, anon: namespace, length)', async () => {
    for (const sub of ['a b', 'anon:abc', 'x'.repeat(65), '{u:1}', '']) expect(await verify(await hsToken({ sub }))).toBeNull();
    expect(await verify(await hsToken({}))).toBeNull();
  });

  it('reads another claim when configured', async () => {
    const byCustomer = createJwtVerifier({ ...base, claim: 'customer_id' }, { isValidId });
    expect(await byCustomer(await hsToken({ sub: 'ignored', customer_id: 'c-9' }))).toBe('c-9');
  });

  it('refuses garbage and oversized strings without throwing', async () => {
    for (const junk of ['', 'abc', 'a.b.c', '..', 'x'.repeat(10_000), '%%%.%%%.%%%']) expect(await verify(junk)).toBeNull();
  });

  it('never serves a cached token past its exp', async () => {
    let clock = Date.now();
    const clocked = createJwtVerifier(base, { isValidId, now: () => clock });
    const token = await hsToken({ sub: 'shopper-1' }, { expSeconds: 30 });
    expect(await clocked(token)).toBe('shopper-1');
    expect(await clocked(token)).toBe('shopper-1');
    clock += 60_000;
    expect(await clocked(token)).toBeNull();
  });
});

describe('JWT verifier (JWKS)', () => {
  it('accepts RS256 tokens from a JWKS file and refuses other keys', async () => {
    const good = await rsaKeyPair('k1');
    const other = await rsaKeyPair('k1');
    const dir = mkdtempSync(join(tmpdir(), 'sidecart-jwks-'));
    const file = join(dir, 'jwks.json');
    writeFileSync(file, JSON.stringify(good.jwks));
    const verify = createJwtVerifier({ ...base, secret: undefined, jwksFile: file }, { isValidId });
    expect(await verify(await good.sign({ sub: 'rsa-shopper' }))).toBe('rsa-shopper');
    expect(await verify(await other.sign({ sub: 'rsa-shopper' }))).toBeNull();
    expect(await verify(await good.sign({ sub: 'rsa-shopper' }, { expSeconds: -100 }))).toBeNull();
    expect(await verify(await good.sign({ sub: 'rsa-shopper' }, { audience: 'nope' }))).toBeNull();
  });

  it('refuses an HS256 token signed with the public key (algorithm confusion)', async () => {
    const pair = await rsaKeyPair();
    const dir = mkdtempSync(join(tmpdir(), 'sidecart-jwks-'));
    const file = join(dir, 'jwks.json');
    writeFileSync(file, JSON.stringify(pair.jwks));
    const verify = createJwtVerifier({ ...base, secret: undefined, jwksFile: file }, { isValidId });
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ sub: 'attacker', iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url');
    const signature = createHmac('sha256', pair.publicPem).update(`${header}.${payload}`).digest('base64url');
    expect(await verify(`${header}.${payload}.${signature}`)).toBeNull();
  });

  it('fails at start, naming the key, when the JWT source has no key or an unreadable file', () => {
    expect(() => createJwtVerifier({ ...base, secret: undefined }, { isValidId })).toThrow(/identity\.jwt/);
    expect(() => createJwtVerifier({ ...base, secret: undefined, jwksFile: '/nonexistent/jwks.json' }, { isValidId })).toThrow(/identity\.jwt\.jwksFile/);
    expect(() => createJwtVerifier({ ...base, algorithms: ['RS256'] }, { isValidId })).toThrow(/identity\.jwt\.algorithms/);
  });
});
