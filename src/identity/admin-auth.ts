import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { sendJsonError } from '../http/json-error.js';
import { bearerToken } from './create-identity-resolver.js';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * true when `given` equals `expected`. Both sides are hashed first so timingSafeEqual always
 * compares 32 bytes: neither the content nor the length of the real token leaks through timing.
 */
export function adminTokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Guards the admin API with `Authorization: Bearer <admin.token>` (env SIDECART_ADMIN_TOKEN).
 * No token configured: the admin API is OFF and answers 404 as if it did not exist (never open).
 * Missing or wrong token: 401 with `WWW-Authenticate: Bearer`.
 */
export function requireAdminToken(token: () => string | undefined) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const expected = token();
    if (!expected) return sendJsonError(res, 404, 'admin_disabled', 'the admin API is off: no admin token is configured (SIDECART_ADMIN_TOKEN)');
    const given = bearerToken(req.headers.authorization);
    if (given === undefined || !adminTokenMatches(given, expected)) {
      res.setHeader('www-authenticate', 'Bearer realm="sidecart-admin"');
      return sendJsonError(res, 401, 'unauthorized', 'admin API: missing or wrong bearer token');
    }
    next();
  };
}
