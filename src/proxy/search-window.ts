import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { pagingFor } from '../adapters/paging/engine-pagings.js';
import type { MemberEdit, NoWindow, Slice } from '../adapters/paging/window-plan.js';
import type { RouteConfig } from '../config/schema.js';
import { readRequestBody } from './search-request-body.js';

// The search route's rerank window, on the request side: whether this request gets one, and the
// request that asks the backend for the whole window instead of the page.

/** A search whose request was widened to the route's window. */
export interface SearchWindow {
  slice: Slice;
  answerPaging: (answer: unknown) => MemberEdit[];
  /** One ranked window per shopper, route and query (the widened request is the same for every page inside it). */
  cacheKey: string;
}

export interface WindowRequest {
  /** Path and query to send (the storefront's unless widened). */
  url: string;
  /** The body to send: the storefront's stream, its bytes, or the widened body. */
  body: Buffer | Readable | IncomingMessage | null;
  window: SearchWindow | null;
  /** Why there is no window, when the route has one. */
  why?: NoWindow | 'request-too-large';
}

/**
 * The request to forward on a route with `rerankWindow`. A POST body is read first (bounded by
 * `maxRequestBytes`; past it the request goes out as sent, without a window), since its paging
 * may be in it.
 */
export async function windowRequest(req: IncomingMessage, route: RouteConfig & { rerankWindow: number }, shopperId: string, maxRequestBytes: number): Promise<WindowRequest> {
  const url = req.url ?? '/';
  const paging = pagingFor(route.adapter);
  const streamed = req.method === 'POST' ? req : null;
  if (!paging) return { url, body: streamed, window: null, why: 'unknown-paging' };
  let body: Buffer | null = null;
  if (req.method === 'POST') {
    const read = await readRequestBody(req, maxRequestBytes);
    if (!read.complete) return { url, body: read.forward, window: null, why: 'request-too-large' };
    body = read.body;
  }
  const plan = paging.plan(req.method ?? 'GET', url, body, route.rerankWindow);
  if (!plan.rewrite) return { url, body, window: null, why: plan.why };
  const sent = plan.body ?? body;
  const hash = createHash('sha1').update(sent ?? '').digest('base64');
  const cacheKey = `${shopperId}\u0000${route.path}\u0000${req.method ?? 'GET'}\u0000${plan.path}\u0000${hash}`;
  return { url: plan.path, body: sent, window: { slice: plan.slice, answerPaging: plan.answerPaging, cacheKey } };
}
