import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * True when the request carries `Authorization: Bearer <admin token>` and the token is
 * configured. Both sides are hashed first so the comparison takes the same time whatever the
 * length or content of the guess (timingSafeEqual alone would leak the length).
 * An unset token means the admin form is off, never open.
 */
export function isAdminCall(req: IncomingMessage, adminToken: string | undefined): boolean {
  if (!adminToken) return false;
  const header = req.headers.authorization;
  if (typeof header !== 'string') return false;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (!match) return false;
  return tokensEqual(match[1]!, adminToken);
}

export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
