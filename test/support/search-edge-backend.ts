// A real HTTP backend process for the search path's edge cases (started with `node --import tsx`).
// It prints {"port":N} on stdout once listening. Every path ending in _search answers
// Elasticsearch-shaped JSON; the first segment picks the case:
//   /hits/_search?n=N&pad=B     N hits (ids sku-0..), optional ~B bytes of padding (numbers: a slow parse)
//   /bomb/_search?mb=M          gzip of a valid body that inflates to M MiB (a few hits + padding)
//   /layered/_search            the hits encoded gzip then br (`Content-Encoding: gzip, br`)
//   /partial/_search            hits whose `_source` lacks the brand, which is in `fields`
//   /status/_search?code=C      status C with no body (204, 304)
//   /drip/...                   200 headers, then one byte every 100 ms, never ending
//   /echo/...                   JSON: method, headers, body length
import { createServer, type ServerResponse } from 'node:http';
import { brotliCompressSync, gzipSync } from 'node:zlib';

export function esHits(n: number, brandOf: (i: number) => string = (i) => `Brand ${i % 40}`): { _index: string; _id: string; _score: number; _source: Record<string, unknown> }[] {
  return Array.from({ length: n }, (_, i) => ({
    _index: 'products',
    _id: `sku-${i}`,
    _score: 10 - i / n,
    _source: { name: `Product ${i}`, brand: brandOf(i), category: `Category ${i % 12}`, tags: i % 3 === 0 ? ['organic'] : [], price: 1 + (i % 20) / 4 },
  }));
}

const esBody = (hits: unknown[], extra: Record<string, unknown> = {}) => JSON.stringify({ took: 1, timed_out: false, hits: { total: { value: hits.length, relation: 'eq' }, max_score: 10, hits }, ...extra });

/** About `bytes` of JSON text as an array of numbers (JSON.parse's slow shape, unlike one long string). */
const numbers = (bytes: number): number[] => Array.from({ length: Math.ceil(bytes / 8) }, (_, i) => 1000000 + i);

const bombs = new Map<number, Buffer>();
function bomb(mb: number): Buffer {
  let body = bombs.get(mb);
  if (!body) {
    const head = esBody(esHits(24)).slice(0, -1);
    body = gzipSync(Buffer.from(`${head},"padding":"${'x'.repeat(mb * 1024 * 1024)}"}`), { level: 9 });
    bombs.set(mb, body);
  }
  return body;
}

function send(res: ServerResponse, status: number, body: Buffer | string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://edge');
  const kind = url.pathname.split('/')[1];
  let length = 0;
  req.on('data', (chunk: Buffer) => (length += chunk.length));
  req.on('end', () => {
    if (kind === 'echo') return send(res, 200, JSON.stringify({ method: req.method, headers: req.headers, bodyLength: length }));
    if (kind === 'hits') {
      const pad = Number(url.searchParams.get('pad') ?? 0);
      return send(res, 200, esBody(esHits(Number(url.searchParams.get('n') ?? 24)), pad > 0 ? { padding: numbers(pad) } : {}));
    }
    if (kind === 'bomb') return send(res, 200, bomb(Number(url.searchParams.get('mb') ?? 39)), { 'content-encoding': 'gzip' });
    if (kind === 'layered') return send(res, 200, brotliCompressSync(gzipSync(esBody(esHits(24)))), { 'content-encoding': 'gzip, br' });
    if (kind === 'partial') {
      const hits = esHits(24).map((hit) => {
        const { brand, ...rest } = hit._source;
        return { ...hit, _source: rest, fields: { brand: [brand] } };
      });
      return send(res, 200, esBody(hits));
    }
    if (kind === 'status') {
      res.writeHead(Number(url.searchParams.get('code') ?? 204), { etag: '"v1"' });
      return res.end();
    }
    if (kind === 'drip') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"hits":{"hits":[');
      const timer = setInterval(() => res.write(' '), 100);
      res.on('close', () => clearInterval(timer));
      return;
    }
    send(res, 404, '{"error":"not found"}');
  });
});

server.keepAliveTimeout = 5_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 }) + '\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
