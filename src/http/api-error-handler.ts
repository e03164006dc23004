import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../logging/logger.js';
import { sendJsonError } from './json-error.js';

/**
 * Express's last error handler for sidecart's own APIs: body-parser errors become 4xx JSON,
 * anything else a 500 that is logged with its cause (the answer never leaks a stack trace).
 */
export function createApiErrorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) {
      logger.error({ err, method: req.method, path: req.path, requestId: req.headers['x-request-id'] }, 'API handler failed after the answer started');
      return next(err);
    }
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.parse.failed') return sendJsonError(res, 400, 'malformed_json', `body: malformed JSON (${e.message ?? 'parse error'})`, 'body');
    if (e.type === 'entity.too.large') return sendJsonError(res, 413, 'too_large', 'body: larger than the configured limit', 'body');
    if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') return sendJsonError(res, 415, 'unsupported_encoding', 'body: unsupported encoding', 'body');
    // A write the store could not keep (Redis away, journal absent or full): refused, never acknowledged.
    const unavailable = err as { code?: unknown; retryAfterSeconds?: unknown; message?: string };
    if (unavailable.code === 'ESTOREUNAVAILABLE' && typeof unavailable.retryAfterSeconds === 'number') {
      res.setHeader('Retry-After', String(unavailable.retryAfterSeconds));
      return sendJsonError(res, 503, 'store_unavailable', `not kept: ${unavailable.message ?? 'store unavailable'}; retry after ${unavailable.retryAfterSeconds} s (events already kept count as duplicates)`);
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return sendJsonError(res, e.status, 'bad_request', e.message ?? 'bad request');
    logger.error({ err, method: req.method, path: req.path, requestId: req.headers['x-request-id'] }, 'API request failed: 500');
    sendJsonError(res, 500, 'internal', 'internal error');
  };
}
