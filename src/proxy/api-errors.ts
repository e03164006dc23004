import type { NextFunction, Request, Response } from 'express';

/** Every control-API error has this shape: a stable code, a message naming the field, the field. */
export function sendApiError(res: Response, status: number, code: string, message: string, field?: string): void {
  res.status(status).json({ error: code, message, ...(field !== undefined ? { field } : {}) });
}

/** Maps body-parser and unexpected errors to JSON; never leaks a stack trace. */
export function apiErrorHandler(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(err);
  const e = err as { type?: string; status?: number; message?: string };
  if (e.type === 'entity.parse.failed') return sendApiError(res, 400, 'malformed_json', `body: malformed JSON (${e.message ?? 'parse error'})`, 'body');
  if (e.type === 'entity.too.large') return sendApiError(res, 413, 'too_large', 'body: larger than the configured limit', 'body');
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') return sendApiError(res, 415, 'unsupported_encoding', 'body: unsupported encoding', 'body');
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return sendApiError(res, e.status, 'bad_request', e.message ?? 'bad request');
  sendApiError(res, 500, 'internal', 'internal error');
}
