import type { IncomingMessage } from 'node:http';
import { adminTokenMatches } from '../identity/admin-auth.js';
import { bearerToken } from '../identity/create-identity-resolver.js';

/**
 * True when the request carries `Authorization: Bearer <admin token>` and the token is
 * configured; the comparison is identity's constant-time one (both sides hashed first).
 * An unset token means the admin form is off, never open.
 */
export function isAdminCall(req: IncomingMessage, adminToken: string | undefined): boolean {
  if (!adminToken) return false;
  const given = bearerToken(req.headers.authorization);
  return given !== undefined && adminTokenMatches(given, adminToken);
}
