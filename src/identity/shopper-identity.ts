import type { IncomingMessage } from 'node:http';
import type { SidecartConfig } from '../config/schema.js';
import { trustedHeader } from './identity-sources.js';

/** Who the shopper is, once resolved and validated. Anonymous ids live in their own namespace. */
export interface ShopperIdentity {
  id: string;
  source: 'header' | 'cookie' | 'jwt' | 'anonymous' | 'admin';
}

/** Synchronous when it can be (header, cookie); a JWT source may need to await a key set. */
export type IdentityResolver = (req: IncomingMessage) => ShopperIdentity | null | Promise<ShopperIdentity | null>;

const SHOPPER_ID = /^[A-Za-z0-9_.:@-]+$/;

/** A shopper id becomes part of Redis keys and logs (hashed): bounded length and a safe charset. */
export function isValidShopperId(id: string, maxLength: number): boolean {
  return id.length > 0 && id.length <= maxLength && SHOPPER_ID.test(id) && !id.startsWith('anon:');
}

export const ANONYMOUS_PREFIX = 'anon:';
/** The store's limit for an id inside a Redis key (store/redis-keys.ts). */
const MAX_KEY_ID_LENGTH = 256;

/**
 * An anonymous session id becomes `anon:<id>`: its own namespace, so a session cookie can never
 * name a signed-in shopper (and `isValidShopperId` refuses `anon:` from every other source).
 * The raw id leaves room for the prefix within `maxLength`.
 */
export function anonymousShopperId(raw: string, maxLength: number): string | null {
  if (raw.length === 0 || raw.length > maxLength || raw.length + ANONYMOUS_PREFIX.length > MAX_KEY_ID_LENGTH || !SHOPPER_ID.test(raw)) return null;
  return ANONYMOUS_PREFIX + raw;
}

/** Any id a store may hold: a valid signed-in id or a well-formed `anon:` id (admin names either). */
export function isStoredShopperId(id: string, maxLength: number): boolean {
  if (id.startsWith(ANONYMOUS_PREFIX)) return anonymousShopperId(id.slice(ANONYMOUS_PREFIX.length), maxLength) === id;
  return isValidShopperId(id, maxLength);
}

/** The headers a personalized response varies on (the trusted header, Cookie for cookie sources, Authorization for JWT). */
export function identityVaryHeaders(config: SidecartConfig['identity']): string[] {
  const vary: string[] = [];
  const header = trustedHeader(config);
  if (header) vary.push(header);
  if (config.cookie || config.anonymousCookie || config.jwt?.cookie) vary.push('Cookie');
  if (config.jwt) vary.push('Authorization');
  return vary;
}
