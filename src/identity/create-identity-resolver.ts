import type { IncomingMessage } from 'node:http';
import type { SidecartConfig } from '../config/schema.js';
import { trustedHeader } from './identity-sources.js';
import { createJwtVerifier, type JwtVerifier } from './jwt-verifier.js';
import { readCookie } from './request-cookie.js';
import { anonymousShopperId, isValidShopperId, type IdentityResolver, type ShopperIdentity } from './shopper-identity.js';

export type IdentityConfig = SidecartConfig['identity'];

export interface IdentityResolverOptions {
  /** Replace the JWT verifier built from config (tests). */
  verifier?: JwtVerifier;
}

/** `Authorization: Bearer <token>` → the token; any other scheme → undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || header.length < 8) return undefined;
  if (header.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
  const token = header.slice(7).trim();
  return token.length > 0 ? token : undefined;
}

/**
 * Who the shopper is, from the sources the config trusts and no others. Precedence, first
 * credential PRESENT wins:
 *   1. JWT (Authorization: Bearer, or the JWT cookie): sidecart checks the signature itself.
 *   2. identity cookie: the store configured it explicitly.
 *   3. trusted header (`x-user-id` by default): only as trustworthy as the gateway that sets it
 *      and strips the client's copy. With a JWT or cookie source configured it is trusted only
 *      when `identity.trustHeader` says so (identity-sources.ts); otherwise a client could name
 *      any shopper just by leaving its token out.
 *   4. anonymous session cookie → `anon:<id>`, kept apart from signed-in shoppers.
 * A credential that is present but invalid (bad signature, expired, bad characters) makes the
 * request unidentified; it never falls through to a weaker source, so a broken token cannot be
 * "rescued" by a header the client also sent.
 * Header and cookie resolution is synchronous; only a JWT (not cached yet) returns a promise.
 *
 * @example
 *   const identify = createIdentityResolver(config.identity);
 *   const shopper = await identify(req); // { id: 'u-42', source: 'jwt' } | null
 */
export function createIdentityResolver(config: IdentityConfig, options: IdentityResolverOptions = {}): IdentityResolver {
  const maxLength = config.maxIdLength;
  const header = trustedHeader(config);
  const jwtCookie = config.jwt?.cookie;
  const verify: JwtVerifier | undefined =
    options.verifier ?? (config.jwt ? createJwtVerifier(config.jwt, { isValidId: (id) => isValidShopperId(id, maxLength) }) : undefined);

  const fromJwt = (token: string): Promise<ShopperIdentity | null> => verify!(token).then((id) => (id === null ? null : { id, source: 'jwt' }));

  return (req: IncomingMessage) => {
    if (verify) {
      const token = bearerToken(req.headers.authorization) ?? (jwtCookie ? readCookie(req.headers.cookie, jwtCookie) : undefined);
      if (token !== undefined) return fromJwt(token);
    }
    if (config.cookie) {
      const value = readCookie(req.headers.cookie, config.cookie);
      if (value !== undefined) return isValidShopperId(value, maxLength) ? { id: value, source: 'cookie' } : null;
    }
    if (header) {
      const value = req.headers[header];
      if (value !== undefined) {
        const id = typeof value === 'string' ? value.trim() : '';
        return isValidShopperId(id, maxLength) ? { id, source: 'header' } : null;
      }
    }
    if (config.anonymousCookie) {
      const value = readCookie(req.headers.cookie, config.anonymousCookie);
      if (value !== undefined) {
        const id = anonymousShopperId(value, maxLength);
        return id === null ? null : { id, source: 'anonymous' };
      }
    }
    return null;
  };
}
