import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { isBodilessStatus, personalizedResponseHeaders } from './headers.js';
import type { PassthroughReason } from './passthrough-reason.js';

// The two answers of a buffered search: the backend's own bytes with a reason, or the
// personalized body. Both say what happened (X-Sidecart) and what it cost (Server-Timing).

export function serverTiming(upstream: OutgoingHttpHeaders[string], durMs: number): string {
  const own = `sidecart;dur=${durMs.toFixed(2)}`;
  return upstream ? `${Array.isArray(upstream) ? upstream.join(', ') : String(upstream)}, ${own}` : own;
}

export function sendOriginal(res: ServerResponse, status: number, headers: OutgoingHttpHeaders, body: Buffer, reason: PassthroughReason, durMs: number): void {
  const out = { ...headers, 'x-sidecart': `passthrough; reason=${reason}`, 'server-timing': serverTiming(headers['server-timing'], durMs) };
  // The upstream framed the body with its own length or chunking; we send the exact bytes with a
  // length — except on 204 and 304, which never have a body and must not get a length from us.
  if (out['content-length'] === undefined && !isBodilessStatus(status)) out['content-length'] = String(body.length);
  res.writeHead(status, out);
  res.end(body);
}

export function sendPersonalized(res: ServerResponse, status: number, headers: OutgoingHttpHeaders, body: Buffer | string, bodyBytes: number, varyOn: string[], durMs: number, label = 'personalized'): void {
  const out = personalizedResponseHeaders(headers, bodyBytes, varyOn);
  out['x-sidecart'] = label;
  out['server-timing'] = serverTiming(headers['server-timing'], durMs);
  res.writeHead(status, out);
  res.end(body);
}
