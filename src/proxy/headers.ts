import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

// Header rewriting, pure. RFC 9110 §7.6.1: hop-by-hop headers belong to one connection and never
// cross a proxy; headers named in `Connection` are hop-by-hop too.
const HOP_BY_HOP = new Set([
  'connection',
  // sidecart answers `Expect: 100-continue` itself (node:http does); undici refuses the header.
  'expect',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * The pass-through's hop-by-hop names, one list for both of its lanes (passthrough.ts,
 * passthrough-fast.ts), so they send and answer the same headers. Narrower than HOP_BY_HOP:
 * http-proxy frames bodies itself (Transfer-Encoding), and `Connection` on the request is handled
 * with the names it lists.
 */
export const PASSTHROUGH_HOP_BY_HOP_REQUEST = ['expect', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'upgrade'] as const;
export const PASSTHROUGH_HOP_BY_HOP_RESPONSE = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-connection', 'trailer', 'upgrade'] as const;

function connectionListed(headers: IncomingHttpHeaders): Set<string> | null {
  const connection = headers.connection;
  if (!connection) return null;
  return new Set(connection.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean));
}

/** The request headers the upstream gets: hop-by-hop and client-sent `x-sidecart*` removed, X-Forwarded-* added. */
export function upstreamRequestHeaders(
  headers: IncomingHttpHeaders,
  client: { remoteAddress: string | undefined; encrypted: boolean },
  extra?: Record<string, string>,
): Record<string, string | string[]> {
  const listed = connectionListed(headers);
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name) || listed?.has(name) || name.startsWith('x-sidecart')) continue;
    out[name] = value;
  }
  const address = client.remoteAddress ?? '';
  const prior = headers['x-forwarded-for'];
  out['x-forwarded-for'] = prior ? `${Array.isArray(prior) ? prior.join(', ') : prior}, ${address}` : address;
  out['x-forwarded-proto'] = (headers['x-forwarded-proto'] as string | undefined) ?? (client.encrypted ? 'https' : 'http');
  if (headers.host) out['x-forwarded-host'] = (headers['x-forwarded-host'] as string | undefined) ?? headers.host;
  if (extra) Object.assign(out, extra);
  return out;
}

/** Upstream response headers as the client gets them when the body is unchanged. */
export function passthroughResponseHeaders(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): OutgoingHttpHeaders {
  const listed = connectionListed(headers as IncomingHttpHeaders);
  const out: OutgoingHttpHeaders = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name) || listed?.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/** Statuses that never carry a body (RFC 9110 §6.4.1): informational, 204 No Content, 304 Not Modified. */
export function isBodilessStatus(status: number): boolean {
  return status < 200 || status === 204 || status === 304;
}

/**
 * A response with a bodiless status carries no body framing: Content-Length and
 * Transfer-Encoding are removed (in place) so a client never waits for bytes that will not come
 * (a backend's `204` with `Content-Length: 13`). Other statuses are left as they are.
 */
export function dropBodyFraming<H extends Record<string, unknown>>(status: number, headers: H): H {
  if (isBodilessStatus(status)) {
    delete headers['content-length'];
    delete headers['transfer-encoding'];
  }
  return headers;
}

/**
 * Headers for a body sidecart changed: new length, identity encoding, no upstream validators
 * (ETag, Last-Modified, Content-MD5 describe the old bytes), `Cache-Control: private` and a
 * `Vary` on whatever identifies the shopper, so no shared cache serves one shopper's results to another.
 */
export function personalizedResponseHeaders(upstream: OutgoingHttpHeaders, bodyLength: number, varyOn: string[]): OutgoingHttpHeaders {
  // Built by copying (not spread + delete: deleting makes V8 turn the object into a slow dictionary
  // that writeHead then walks).
  const out: OutgoingHttpHeaders = {};
  for (const name in upstream) if (!OLD_BODY_HEADERS.has(name)) out[name] = upstream[name];
  out['content-length'] = String(bodyLength);
  out['cache-control'] = memo(cacheControlMemo, upstream['cache-control'], '', () => mergeCacheControl(upstream['cache-control']));
  out['vary'] = memo(varyMemo, upstream['vary'], varyOn.join(','), () => mergeVary(upstream['vary'], varyOn));
  return out;
}

/** Headers that describe the backend's bytes, not the new body. */
const OLD_BODY_HEADERS = new Set(['content-encoding', 'etag', 'last-modified', 'content-md5', 'digest', 'content-range', 'accept-ranges', 'content-length']);

// A backend sends the same Cache-Control and Vary on every search; the merged values are kept
// (bounded) instead of being split and rejoined per response.
const cacheControlMemo = new Map<string, string>();
const varyMemo = new Map<string, string>();
const MEMO_MAX = 256;
function memo(cache: Map<string, string>, current: OutgoingHttpHeaders[string], extra: string, merge: () => string): string {
  if (current !== undefined && typeof current !== 'string') return merge();
  const key = `${current ?? ''}\n${extra}`;
  let merged = cache.get(key);
  if (merged === undefined) {
    if (cache.size >= MEMO_MAX) cache.clear();
    merged = merge();
    cache.set(key, merged);
  }
  return merged;
}

function mergeCacheControl(current: OutgoingHttpHeaders[string]): string {
  const directives = String(current ?? '')
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d && !/^(public|s-maxage=.*)$/i.test(d));
  if (!directives.some((d) => /^(private|no-store)$/i.test(d))) directives.unshift('private');
  return directives.join(', ');
}

/** Adds names to a response's Vary (kept unique; `*` stays `*`). */
export function withVary(headers: OutgoingHttpHeaders, names: string[]): OutgoingHttpHeaders {
  headers['vary'] = mergeVary(headers['vary'], names, false);
  return headers;
}

function mergeVary(current: OutgoingHttpHeaders[string], varyOn: string[], acceptEncoding = true): string {
  const names = String(current ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (names.includes('*')) return '*';
  const lower = new Set(names.map((n) => n.toLowerCase()));
  for (const name of acceptEncoding ? [...varyOn, 'Accept-Encoding'] : varyOn) if (!lower.has(name.toLowerCase())) names.push(name);
  return names.join(', ');
}
