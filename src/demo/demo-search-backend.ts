import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { DEMO_CATALOG, type DemoProduct } from './demo-catalog.js';

// An Elasticsearch-shaped search backend over the demo catalog: `GET /<index>/_search?q=milk&size=24`
// or `POST /<index>/_search` with `{"query":{"match":{"name":"milk"}},"size":24,"from":0}`, and
// `POST /_msearch` (NDJSON) with several of those. It stands in
// for the store's real backend in the demo and in tests; sidecart never knows the difference.

function terms(text: string): string[] {
  return text.toLowerCase().split(/[^a-z0-9-]+/).filter(Boolean);
}

function queryText(url: URL, body: unknown): string {
  const q = url.searchParams.get('q');
  if (q) return q;
  const query = (body as { query?: Record<string, unknown> } | null)?.query ?? {};
  const match = query.match as Record<string, unknown> | undefined;
  if (match) {
    const value = Object.values(match)[0];
    return typeof value === 'string' ? value : String((value as { query?: string } | undefined)?.query ?? '');
  }
  const text = (query.multi_match ?? query.query_string) as { query?: string } | undefined;
  return text?.query ?? '';
}

/** Scored hits: term matches on name, brand, category and tags; ties by catalog order. */
export function searchCatalog(text: string, size: number, from = 0): { total: number; hits: { product: DemoProduct; score: number }[] } {
  const wanted = terms(text);
  const scored = DEMO_CATALOG.map((product, order) => {
    const haystack = [...terms(product.name), ...terms(product.brand), product.category, ...product.tags];
    const score = wanted.length === 0 ? 1 : wanted.reduce((s, t) => s + haystack.filter((h) => h === t || h.startsWith(t)).length, 0);
    return { product, score: score + (wanted.length === 0 ? 0 : 1 / (order + 2)), order };
  }).filter((h) => h.score >= 1);
  scored.sort((a, b) => b.score - a.score || a.order - b.order);
  return { total: scored.length, hits: scored.slice(from, from + size) };
}

export function searchResponse(index: string, text: string, size: number, from = 0): object {
  const { total, hits } = searchCatalog(text, size, from);
  return {
    took: 3,
    timed_out: false,
    _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
    hits: {
      total: { value: total, relation: 'eq' },
      max_score: hits[0] ? Math.round(hits[0].score * 1000) / 1000 : null,
      hits: hits.map(({ product, score }) => ({ _index: index, _id: product.id, _score: Math.round(score * 1000) / 1000, _source: product })),
    },
  };
}

const pageSize = (value: unknown, fallback: number, max: number): number => {
  const n = Number(value ?? fallback);
  return Number.isFinite(n) ? Math.min(Math.max(Math.trunc(n), 0), max) : fallback;
};

/** One search's answer from its URL parameters or JSON body (`size`, `from`, the query text). */
function answerSearch(index: string, url: URL, body: unknown): object {
  const asked = body as { size?: number; from?: number } | null;
  const size = pageSize(url.searchParams.get('size') ?? asked?.size, 24, 500);
  const from = pageSize(url.searchParams.get('from') ?? asked?.from, 0, 10_000);
  return searchResponse(index, queryText(url, body), size, from);
}

function answerJson(res: ServerResponse, status: number, value: unknown): void {
  const payload = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

const PARSE_ERROR = { error: { type: 'parse_exception', reason: 'request body is not JSON' }, status: 400 };

/**
 * `_msearch` as Elasticsearch answers it: NDJSON pairs (a header line naming the index, then the
 * search body), one entry of `responses` each, with its `status`.
 */
function answerMultiSearch(res: ServerResponse, pathIndex: string | undefined, rawBody: Buffer): void {
  const lines = rawBody.toString('utf8').split('\n').filter((l) => l.trim() !== '');
  const responses: object[] = [];
  try {
    for (let i = 0; i + 1 < lines.length; i += 2) {
      const header = JSON.parse(lines[i]!) as { index?: string };
      const body = JSON.parse(lines[i + 1]!) as unknown;
      const index = header.index ?? pathIndex ?? '_all';
      responses.push({ ...answerSearch(index, new URL('http://backend/'), body), status: 200 });
    }
  } catch {
    answerJson(res, 400, PARSE_ERROR);
    return;
  }
  answerJson(res, 200, { took: 3, responses });
}

/** Handles `/<index>/_search` and `_msearch`; false when the request is not a search (the caller answers). */
export function handleDemoSearch(req: IncomingMessage, res: ServerResponse, rawBody: Buffer): boolean {
  const url = new URL(req.url ?? '/', 'http://backend');
  const multi = /^(?:\/([^/_][^/]*))?\/_msearch\/?$/.exec(url.pathname);
  if (multi && req.method === 'POST') {
    answerMultiSearch(res, multi[1], rawBody);
    return true;
  }
  const match = /^\/([^/]+)\/_search\/?$/.exec(url.pathname);
  if (!match) return false;
  let body: unknown = null;
  if (rawBody.length > 0) {
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch {
      answerJson(res, 400, PARSE_ERROR);
      return true;
    }
  }
  answerJson(res, 200, answerSearch(match[1]!, url, body));
  return true;
}

/**
 * The demo backend. With `allowOrigin` it has CORS for that storefront origin as many backends
 * do: its answers are readable there, and its own preflight answer allows only `content-type`
 * (it knows nothing of sidecart's identity header; sidecart answers that preflight itself).
 */
export function createDemoSearchBackend(options: { allowOrigin?: () => string | undefined } = {}): Server {
  return createServer((req, res) => {
    const origin = options.allowOrigin?.();
    if (origin && req.headers.origin === origin) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'content-type', 'access-control-max-age': '600' });
        res.end();
        return;
      }
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (handleDemoSearch(req, res, Buffer.concat(chunks))) return;
      const body = JSON.stringify({ name: 'demo-search-backend', tagline: 'You Know, for Search' });
      res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(req.url === '/' ? body : JSON.stringify({ error: 'not found' }));
    });
  });
}
