import type { ServerResponse } from 'node:http';
import { sendJsonError } from '../http/json-error.js';
import type { Logger } from '../logging/logger.js';

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);

/** 504 for an upstream slower than `upstream.timeoutMs`, 502 for refused/reset/broken. */
export function upstreamErrorStatus(err: unknown): 502 | 504 {
  const code = (err as { code?: string } | null)?.code ?? '';
  return TIMEOUT_CODES.has(code) ? 504 : 502;
}

/** A small JSON error, logged; never hangs: if headers already went out, the connection is cut instead. */
export function sendUpstreamError(res: ServerResponse, err: unknown, logger: Logger): void {
  const status = upstreamErrorStatus(err);
  const code = (err as { code?: string } | null)?.code ?? 'unknown';
  logger.warn({ code, status, requestId: res.req?.headers['x-request-id'] }, status === 504 ? 'upstream timed out' : 'upstream unreachable');
  if (!res.headersSent) res.setHeader('x-sidecart', 'error');
  if (status === 504) sendJsonError(res, 504, 'upstream_timeout', 'the search backend did not answer in time');
  else sendJsonError(res, 502, 'bad_gateway', 'the search backend could not be reached');
}
