import { createSecretKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { SidecartConfig } from '../config/schema.js';
import { createRefreshingKeySet } from './refreshing-key-set.js';
import { TokenCache } from './token-cache.js';

export type JwtConfig = NonNullable<SidecartConfig['identity']['jwt']>;

/** Resolves a token to the shopper id in its claim, or null for anything not valid and current. */
export type JwtVerifier = (token: string) => Promise<string | null>;

export interface JwtVerifierOptions {
  /** Validates the claim value (length, charset) before it is used as a shopper id. */
  isValidId: (id: string) => boolean;
  now?: () => number;
  cacheEntries?: number;
  cacheTtlMs?: number;
}

/** A bearer token larger than this is refused before any parsing (tokens are a few hundred bytes). */
const MAX_TOKEN_LENGTH = 8 * 1024;

/**
 * Verifies JWTs with `jose`: HS* algorithms against the shared secret, asymmetric ones against
 * the JWKS (file or URL). Keeping the two apart means a public key can never be used as an HMAC
 * secret (algorithm confusion). `alg: none` is never accepted (jose refuses unsecured tokens in
 * jwtVerify, and `none` is filtered out of the allow-list too). Tokens must carry `exp`.
 * Verified tokens are cached briefly by their exact string, never past their `exp`.
 */
export function createJwtVerifier(config: JwtConfig, options: JwtVerifierOptions): JwtVerifier {
  const now = options.now ?? Date.now;
  const allowed = config.algorithms.filter((alg) => alg.toLowerCase() !== 'none');
  const hmacAlgorithms = allowed.filter((alg) => alg.startsWith('HS'));
  const keySetAlgorithms = allowed.filter((alg) => !alg.startsWith('HS'));
  // Imported once: handing jose raw bytes makes it import the key on every verification.
  const secret = config.secret ? createSecretKey(Buffer.from(config.secret, 'utf8')) : undefined;
  const keySet = buildKeySet(config);
  if (!secret && !keySet) throw new Error('identity.jwt: set secret, jwksFile or jwksUrl (a JWT source needs a key to verify with)');
  if ((!secret || hmacAlgorithms.length === 0) && (!keySet || keySetAlgorithms.length === 0)) {
    throw new Error('identity.jwt.algorithms: none of the allowed algorithms fits the configured key (HS* need secret, others a JWKS)');
  }
  const cache = new TokenCache(options.cacheEntries ?? 10_000, options.cacheTtlMs ?? 60_000);
  const verifyOptions = {
    ...(config.issuer !== undefined ? { issuer: config.issuer } : {}),
    ...(config.audience !== undefined ? { audience: config.audience } : {}),
    requiredClaims: ['exp'],
    clockTolerance: 5,
  };

  return async (token) => {
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return null;
    const at = now();
    const cached = cache.get(token, at);
    if (cached !== undefined) return cached;
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      return null;
    }
    if (!alg || !allowed.includes(alg)) return null;
    try {
      const currentDate = new Date(at);
      const { payload } =
        alg.startsWith('HS') && secret
          ? await jwtVerify(token, secret, { ...verifyOptions, algorithms: hmacAlgorithms, currentDate })
          : keySet && !alg.startsWith('HS')
            ? await jwtVerify(token, keySet, { ...verifyOptions, algorithms: keySetAlgorithms, currentDate })
            : { payload: null };
      if (!payload) return null;
      const raw = payload[config.claim];
      const id = typeof raw === 'string' ? raw : typeof raw === 'number' && Number.isSafeInteger(raw) ? String(raw) : undefined;
      if (id === undefined || !options.isValidId(id) || typeof payload.exp !== 'number') return null;
      cache.set(token, id, payload.exp * 1000, at);
      return id;
    } catch {
      // Forged, expired, wrong issuer/audience, unknown key, JWKS unreachable: not identified.
      return null;
    }
  };
}

function buildKeySet(config: JwtConfig): JWTVerifyGetKey | undefined {
  if (config.jwksFile) {
    let jwks: JSONWebKeySet;
    try {
      jwks = JSON.parse(readFileSync(config.jwksFile, 'utf8')) as JSONWebKeySet;
    } catch (err) {
      throw new Error(`identity.jwt.jwksFile: cannot read a JSON key set from ${config.jwksFile} (${(err as Error).message})`);
    }
    if (!jwks || !Array.isArray(jwks.keys)) throw new Error(`identity.jwt.jwksFile: ${config.jwksFile} has no "keys" array`);
    return createLocalJWKSet(jwks);
  }
  if (config.jwksUrl) {
    // Last good keys, refreshed in the background: a key server that is down never delays a request.
    return createRefreshingKeySet(new URL(config.jwksUrl));
  }
  return undefined;
}
