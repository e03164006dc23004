// A real HTTP backend process for integration tests (started with `node --import tsx`).
// It prints {"port":N} on stdout once listening. Endpoints:
//   /<index>/_search            Elasticsearch-shaped demo search; x-fixture-* request headers shape the reply
//   /shape/<adapter>/...        the demo hits in another backend's response shape
//   /echo/...                   JSON: method, url, headers, body length and sha256
//   /bytes/<n>?seed=s           n deterministic pseudo-random bytes with content-length
//   /stream/<mb>                mb MiB of deterministic bytes, chunked, written with backpressure
//   /slow/<ms>                  answers after ms
//   /fixture/abandoned          how many delayed replies (x-fixture-delay-ms) lost their client first
//   /reset                      destroys the socket
//   /status/<code>              that status with a small JSON body
//   each engine's own single and multi-query search paths (engine-backend.ts)
//   upgrade on any path         101 Switching Protocols, then echoes raw bytes
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { handleDemoSearch, searchCatalog } from '../../src/demo/demo-search-backend.js';
import { handleEngineSearch } from './engine-backend.js';

export function deterministicBytes(length: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 0x9e3779b9;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

// Real backends send integers beyond 2^53 on every hit (Solr's _version_, Typesense's
// text_match), which a JS number cannot hold: they are written as a marked string and turned
// into bare digits in the JSON text (withBigIntegers).
const SOLR_VERSION = 1784450293372829696n;
const TYPESENSE_TEXT_MATCH = 578730123365187705n;
const BIG = '#big#';
const bigInteger = (base: bigint, offset: number): string => `${BIG}${base + BigInt(offset)}`;
const withBigIntegers = (json: string): string => json.replace(/"#big#(-?\d+)"/g, '$1');

function shapeResponse(adapter: string, text: string): unknown {
  const { total, hits } = searchCatalog(text, 24);
  const products = hits.map((h) => h.product);
  switch (adapter) {
    case 'solr':
      return { responseHeader: { status: 0, QTime: 2, params: { q: text } }, response: { numFound: total, start: 0, numFoundExact: true, docs: products.map((p, i) => ({ ...p, _version_: bigInteger(SOLR_VERSION, i) })) } };
    case 'algolia':
      return { hits: products.map(({ id, ...rest }) => ({ objectID: id, ...rest, _highlightResult: {} })), nbHits: total, page: 0, nbPages: 1, hitsPerPage: 24, processingTimeMS: 1, query: text, params: `query=${text}` };
    case 'meilisearch':
      return { hits: products, query: text, processingTimeMs: 1, limit: 24, offset: 0, estimatedTotalHits: total };
    case 'typesense':
      return { facet_counts: [], found: total, out_of: 470, page: 1, search_time_ms: 1, hits: products.map((document, i) => ({ document, highlights: [], text_match: bigInteger(TYPESENSE_TEXT_MATCH, -i) })) };
    case 'generic':
      return { status: 'ok', data: { items: products.map(({ id, brand, ...rest }) => ({ sku: id, meta: { brand }, ...rest })) } };
    case 'bare':
      return products;
    default:
      return { unknown: true };
  }
}

function send(res: ServerResponse, status: number, body: Buffer | string, headers: Record<string, string | number> = {}): void {
  res.writeHead(status, { 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** Re-encodes a search reply as the x-fixture-* headers ask (status, type, encoding, padding, framing). */
function shapedSearch(req: IncomingMessage, res: ServerResponse, raw: Buffer): boolean {
  const captured: { status: number; body: Buffer } = { status: 0, body: Buffer.alloc(0) };
  const fake = {
    writeHead(status: number) {
      captured.status = status;
      return fake;
    },
    end(body: string) {
      captured.body = Buffer.from(body);
    },
  } as unknown as ServerResponse;
  if (!handleDemoSearch(req, fake, raw)) return false;
  const h = req.headers;
  let body = captured.body;
  const pad = Number(h['x-fixture-pad-bytes'] ?? 0);
  if (pad > 0) {
    const doc = JSON.parse(body.toString()) as Record<string, unknown>;
    doc.padding = 'x'.repeat(pad);
    body = Buffer.from(JSON.stringify(doc));
  }
  if (h['x-fixture-body'] === 'broken') body = Buffer.from('{"hits": {"hits": [');
  if (h['x-fixture-body'] === 'not-es') body = Buffer.from('{"results": []}');
  const headers: Record<string, string | number> = {
    'content-type': String(h['x-fixture-content-type'] ?? 'application/json; charset=UTF-8'),
    etag: '"fixture-etag"',
    'cache-control': 'public, max-age=60',
    'x-backend': 'fixture',
  };
  const encoding = h['x-fixture-encoding'] as string | undefined;
  if (encoding) {
    headers['content-encoding'] = encoding;
    if (encoding === 'gzip') body = gzipSync(body);
    else if (encoding === 'br') body = brotliCompressSync(body);
    else if (encoding === 'deflate') body = deflateSync(body);
  }
  const status = Number(h['x-fixture-status'] ?? captured.status);
  const delay = Number(h['x-fixture-delay-ms'] ?? 0);
  const write = () => {
    if (h['x-fixture-chunked'] === '1') {
      res.writeHead(status, headers);
      const half = Math.floor(body.length / 2);
      res.write(body.subarray(0, half));
      setTimeout(() => res.end(body.subarray(half)), 5);
    } else send(res, status, body, headers);
  };
  if (delay > 0) {
    const timer = setTimeout(write, delay);
    res.on('close', () => {
      if (res.writableFinished) return;
      clearTimeout(timer);
      abandoned++;
    });
  } else write();
  return true;
}

function streamBytes(res: ServerResponse, total: number): void {
  const block = deterministicBytes(64 * 1024, 7);
  let sent = 0;
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  const pump = () => {
    while (sent < total) {
      const chunk = block.subarray(0, Math.min(block.length, total - sent));
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

let abandoned = 0;

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://fixture');
  const parts = url.pathname.split('/').filter(Boolean);
  if (url.pathname === '/fixture/abandoned') return send(res, 200, JSON.stringify({ abandoned }), { 'content-type': 'application/json' });
  if (parts[0] === 'reset') return req.socket.destroy();
  if (parts[0] === 'stream') return streamBytes(res, Number(parts[1] ?? 1) * 1024 * 1024);
  if (parts[0] === 'slow') {
    const timer = setTimeout(() => send(res, 200, JSON.stringify({ slow: true })), Number(parts[1] ?? 1000));
    res.on('close', () => clearTimeout(timer));
    return;
  }
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let length = 0;
  req.on('data', (c: Buffer) => {
    hash.update(c);
    length += c.length;
    if (length <= 1024 * 1024) chunks.push(c);
  });
  req.on('end', () => {
    const raw = Buffer.concat(chunks);
    if (parts[0] === 'echo' || parts[0] === 'upload') {
      return send(res, 200, JSON.stringify({ method: req.method, url: req.url, headers: req.headers, bodyLength: length, bodySha256: hash.digest('hex') }), {
        'content-type': 'application/json',
        'set-cookie': 'a=1; Path=/',
        'x-multi': 'one',
      });
    }
    if (parts[0] === 'bytes') {
      const bytes = deterministicBytes(Number(parts[1] ?? 1024), Number(url.searchParams.get('seed') ?? 1));
      return send(res, 200, bytes, { 'content-type': 'application/octet-stream' });
    }
    if (parts[0] === 'status') return send(res, Number(parts[1] ?? 500), JSON.stringify({ status: Number(parts[1]) }), { 'content-type': 'application/json' });
    if (parts[0] === 'shape') {
      const text = url.searchParams.get('q') ?? '';
      return send(res, 200, withBigIntegers(JSON.stringify(shapeResponse(parts[1] ?? '', text))), { 'content-type': 'application/json' });
    }
    if (handleEngineSearch(req, res, url, raw)) return;
    if (shapedSearch(req, res, raw)) return;
    send(res, 404, JSON.stringify({ error: 'not found' }), { 'content-type': 'application/json' });
  });
});

server.on('upgrade', (req, socket) => {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${req.headers.upgrade ?? 'websocket'}\r\nConnection: Upgrade\r\n\r\n`);
  socket.on('data', (chunk: Buffer) => socket.write(chunk));
});

server.keepAliveTimeout = 5_000;
server.listen(Number(process.env.FIXTURE_PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 }) + '\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
