import type { ServerResponse } from 'node:http';

/**
 * The one way sidecart answers an error of its own: `{"error": code, "message": ..., "field"?: ...}`
 * with an exact length. Headers set on `res` before the call (Retry-After, WWW-Authenticate,
 * X-Sidecart, Connection) go out with it. Never hangs: if headers already went out, the body
 * cannot become an error any more, so the connection is cut instead.
 */
export function sendJsonError(res: ServerResponse, status: number, code: string, message: string, field?: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(field === undefined ? { error: code, message } : { error: code, message, field });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
