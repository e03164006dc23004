import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

// Tokens for identity tests: real signatures made with jose, plus hand-built unsigned ones.

export const SECRET = 'a-shared-secret-of-32-bytes-long!';
export const ISSUER = 'https://shop.example';
export const AUDIENCE = 'sidecart';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export async function hsToken(claims: Record<string, unknown>, options: { secret?: string; alg?: string; expSeconds?: number | null } = {}): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? 'HS256' }).setIssuedAt().setIssuer(ISSUER).setAudience(AUDIENCE);
  if (options.expSeconds !== null) jwt.setExpirationTime(Math.floor(Date.now() / 1000) + (options.expSeconds ?? 600));
  return jwt.sign(new TextEncoder().encode(options.secret ?? SECRET));
}

/** `alg: none`: header and payload, empty signature (RFC 7519 unsecured JWT). */
export function unsignedToken(claims: Record<string, unknown>, alg = 'none'): string {
  const payload = { iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 600, ...claims };
  return `${b64url({ alg, typ: 'JWT' })}.${b64url(payload)}.`;
}

/** Takes a valid token and swaps its payload: the signature no longer matches. */
export function tamperedToken(token: string, claims: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.');
  const original = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
  return `${header}.${b64url({ ...original, ...claims })}.${signature}`;
}

export interface KeyPairFixture {
  jwks: { keys: JWK[] };
  sign: (claims: Record<string, unknown>, options?: { expSeconds?: number; issuer?: string; audience?: string }) => Promise<string>;
  publicPem: string;
}

export async function rsaKeyPair(kid = 'k1'): Promise<KeyPairFixture> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const { createPublicKey } = await import('node:crypto');
  const publicPem = createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  return {
    jwks: { keys: [jwk] },
    publicPem,
    sign: (claims, options = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid })
        .setIssuer(options.issuer ?? ISSUER)
        .setAudience(options.audience ?? AUDIENCE)
        .setExpirationTime(Math.floor(Date.now() / 1000) + (options.expSeconds ?? 600))
        .sign(privateKey),
  };
}
