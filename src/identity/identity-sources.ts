import type { SidecartConfig } from '../config/schema.js';
import type { Logger } from '../logging/logger.js';

type IdentityConfig = SidecartConfig['identity'];

/**
 * The header sidecart takes the shopper id from, or undefined when it trusts none. A header is
 * only as trustworthy as the gateway that sets it, and a store that configured a JWT or an
 * identity cookie has said where identity comes from: the header then counts only when
 * `identity.trustHeader` is true. Header-only configs keep the default `x-user-id`.
 */
export function trustedHeader(config: IdentityConfig): string | undefined {
  const header = config.header.trim().toLowerCase();
  if (header === '' || config.trustHeader === false) return undefined;
  if (config.trustHeader === true) return header;
  return config.jwt || config.cookie ? undefined : header;
}

/** The trusted sources, strongest first, in words for the start log (no secrets). */
export function trustedIdentitySources(config: IdentityConfig): string[] {
  const sources: string[] = [];
  if (config.jwt) sources.push(config.jwt.cookie ? `jwt (Authorization: Bearer, cookie ${config.jwt.cookie})` : 'jwt (Authorization: Bearer)');
  if (config.cookie) sources.push(`cookie ${config.cookie}`);
  const header = trustedHeader(config);
  if (header) sources.push(`header ${header}`);
  if (config.anonymousCookie) sources.push(`anonymous cookie ${config.anonymousCookie}`);
  return sources;
}

/** One start line naming what identifies a shopper, and a warning for a header that is set but not trusted. */
export function logIdentitySources(config: IdentityConfig, logger: Logger): void {
  const trusted = trustedIdentitySources(config);
  logger.info({ trusted }, trusted.length > 0 ? 'identity sources trusted' : 'no identity source trusted: every request is anonymous to sidecart');
  const header = config.header.trim().toLowerCase();
  if (header !== '' && config.trustHeader !== false && trustedHeader(config) === undefined) {
    logger.warn({ header }, 'identity header not trusted because jwt or cookie identity is configured; set identity.trustHeader: true if a gateway sets it');
  }
}
