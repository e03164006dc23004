import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

// CORS for browser storefronts on another origin, where the store lists that origin
// (`cors.allowedOrigins`) because its backend sends no CORS headers of its own. Pure: the
// traffic server asks these functions and writes what they return. Origins not listed are none
// of sidecart's business: their preflights go where they went before (search routes: to the
// backend, which decides), so sidecart never widens what the backend allowed.

/** Where a request goes: a search route, or sidecart's own API (`/sidecart/v1`). */
export type CorsScope = 'search' | 'control';

/** Methods a listed origin may use: searches are GET/POST; the control API also changes settings and erases. */
const METHODS: Readonly<Record<CorsScope, readonly string[]>> = {
  search: ['GET', 'HEAD', 'POST'],
  control: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
};

/** Response headers a storefront page may read: what sidecart did, and where a section came from. */
export const EXPOSED_HEADERS = 'X-Sidecart, X-Sidecart-Variant, X-Sidecart-Store, Server-Timing';

/** How long a browser may reuse a preflight answer (seconds). */
const MAX_AGE = '600';

/** Request header names a preflight may ask for: tokens only (RFC 9110 field names). */
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const PREFLIGHT_VARY = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers';

export interface PreflightAnswer {
  status: 204;
  headers: OutgoingHttpHeaders;
}

const originSets = new WeakMap<readonly string[], ReadonlySet<string>>();
function allowedSet(allowedOrigins: readonly string[]): ReadonlySet<string> {
  let set = originSets.get(allowedOrigins);
  if (!set) originSets.set(allowedOrigins, (set = new Set(allowedOrigins.map((o) => o.toLowerCase()))));
  return set;
}

const single = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/** The request's Origin when the store listed it, else null. */
export function listedOrigin(headers: IncomingHttpHeaders, allowedOrigins: readonly string[]): string | null {
  if (allowedOrigins.length === 0) return null;
  const origin = single(headers.origin);
  if (!origin || !allowedSet(allowedOrigins).has(origin.toLowerCase())) return null;
  return origin;
}

/**
 * sidecart's own answer to a CORS preflight, or null when sidecart does not answer it (not a
 * preflight, or an origin the store did not list: the caller sends it on as before). A listed
 * origin asking for a method the scope does not take, or a malformed header list, gets a 204
 * without CORS headers: the browser refuses the call. The answer names the exact origin (never
 * `*`), allows credentials (cookie and JWT-cookie identities), and the headers the page asked
 * for: the store vouched for that origin as its own storefront.
 */
export function preflightAnswer(method: string | undefined, headers: IncomingHttpHeaders, scope: CorsScope, allowedOrigins: readonly string[]): PreflightAnswer | null {
  if (method !== 'OPTIONS') return null;
  const requestedMethod = single(headers['access-control-request-method']);
  if (!requestedMethod) return null;
  const origin = listedOrigin(headers, allowedOrigins);
  if (!origin) return null;
  const refused: PreflightAnswer = { status: 204, headers: { vary: PREFLIGHT_VARY, 'content-length': '0' } };
  if (!METHODS[scope].includes(requestedMethod)) return refused;
  const requested = (single(headers['access-control-request-headers']) ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  if (requested.some((h) => !FIELD_NAME.test(h))) return refused;
  const out: OutgoingHttpHeaders = {
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': METHODS[scope].join(', '),
    'access-control-max-age': MAX_AGE,
    vary: PREFLIGHT_VARY,
    'content-length': '0',
  };
  if (requested.length > 0) out['access-control-allow-headers'] = [...new Set(requested)].join(', ');
  return { status: 204, headers: out };
}

/**
 * Headers for sidecart's own answer (the control API) to a listed origin's request, so the page
 * may read it; null for any other origin (no CORS headers: the browser keeps the answer from it).
 */
export function corsResponseHeaders(headers: IncomingHttpHeaders, allowedOrigins: readonly string[]): Record<string, string> | null {
  const origin = listedOrigin(headers, allowedOrigins);
  if (!origin) return null;
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': EXPOSED_HEADERS,
  };
}

/** True when the backend's answer lets this request's page read it (`*` or the page's own origin). */
function backendAllowsOrigin(response: IncomingHttpHeaders | OutgoingHttpHeaders, request: IncomingHttpHeaders): boolean {
  const allowed = response['access-control-allow-origin'];
  const value = Array.isArray(allowed) ? allowed[0] : allowed;
  if (value === undefined) return false;
  const text = String(value).trim();
  return text === '*' || (request.origin !== undefined && text.toLowerCase() === String(single(request.origin)).toLowerCase());
}

function headerList(value: unknown): string[] {
  const text = Array.isArray(value) ? value.join(',') : value === undefined ? '' : String(value);
  return text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
}

/**
 * A backend's answer to a preflight it allowed: the identity header the page asked for is added
 * to `Access-Control-Allow-Headers` (sidecart consumes it; the backend never sees it). Nothing is
 * added for an origin the backend did not allow, a header the page did not ask for, or a list
 * that already allows it (`*` included). Mutates `response`.
 */
export function allowIdentityInPreflight(response: IncomingHttpHeaders, request: IncomingHttpHeaders, identityHeader: string | undefined): void {
  if (!identityHeader || request['access-control-request-method'] === undefined || !backendAllowsOrigin(response, request)) return;
  const asked = headerList(request['access-control-request-headers']).map((name) => name.toLowerCase());
  if (!asked.includes(identityHeader.toLowerCase())) return;
  const allowed = headerList(response['access-control-allow-headers']);
  if (allowed.some((name) => name === '*' || name.toLowerCase() === identityHeader.toLowerCase())) return;
  response['access-control-allow-headers'] = [...allowed, identityHeader].join(', ');
}

/**
 * CORS on a search route's answer, personalized or not: where the backend let the page read its
 * answer, sidecart's own headers join its `Access-Control-Expose-Headers`; where it sent no CORS
 * headers and the store listed the page's origin, sidecart's listed-origin headers. Otherwise
 * nothing: sidecart never widens what the backend allowed. Mutates `response`.
 */
export function searchAnswerCors(response: OutgoingHttpHeaders, request: IncomingHttpHeaders, allowedOrigins: readonly string[]): boolean {
  if (request.origin === undefined) return false;
  if (backendAllowsOrigin(response, request)) {
    const exposed = headerList(response['access-control-expose-headers']);
    if (exposed.includes('*')) return false;
    const have = new Set(exposed.map((name) => name.toLowerCase()));
    const add = EXPOSED_HEADERS.split(', ').filter((name) => !have.has(name.toLowerCase()));
    if (add.length > 0) response['access-control-expose-headers'] = [...exposed, ...add].join(', ');
    return false;
  }
  if (response['access-control-allow-origin'] !== undefined) return false;
  const listed = corsResponseHeaders(request, allowedOrigins);
  if (!listed) return false;
  Object.assign(response, listed);
  return true;
}
