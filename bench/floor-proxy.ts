import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

// The floors sidecart is measured against, each the least a Node.js proxy can do (own process):
//   FLOOR_MODE=buffer  node:http + undici Pool: buffer the body, JSON.parse, reorder the hits by a
//                      per-product score from a Map (a stand-in for a profile), JSON.stringify;
//                      an `_msearch` answer: each sub-response's hits (POST bodies forwarded).
//                      `floor-slice=N` in the query: only the first N reordered hits are sent
//                      (what a rerank window costs at least: fetch the window, rank it, cut the page).
//   FLOOR_MODE=stream  node:http + undici Pool.stream: status, headers and body piped through.
//   FLOOR_MODE=section the buffer floor, plus a fixed section (FLOOR_SECTION, JSON) added to every
//                      response: what any proxy pays for the contract's section's bytes, with no
//                      ranking (bench/cost-breakdown.ts).
// Same pool settings as sidecart's search pool (128 keep-alive connections, no pipelining).

const upstream = process.env.UPSTREAM_URL ?? 'http://127.0.0.1:9200';
const mode = process.env.FLOOR_MODE === 'stream' ? 'stream' : process.env.FLOOR_MODE === 'section' ? 'section' : 'buffer';
const section: unknown = mode === 'section' ? JSON.parse(process.env.FLOOR_SECTION ?? '{}') : undefined;
const pool = new Pool(upstream, { connections: 128, pipelining: 1, keepAliveTimeout: 4_000, keepAliveMaxTimeout: 4_000 });

// undici refuses hop-by-hop request headers; a proxy drops them anyway.
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer', 'host']);
function forwardHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && !HOP.has(name)) out[name] = value;
  }
  return out;
}

// A fixed "profile": a score for every other product id seen, so the sort really moves hits.
const score = new Map<string, number>();
const scoreOf = (id: string) => {
  let s = score.get(id);
  if (s === undefined) score.set(id, (s = score.size % 2 === 0 ? score.size : 0));
  return s;
};

interface Hit {
  _id: string;
}

const server = createServer((req, res) => {
  const request = { path: req.url ?? '/', method: req.method as 'GET', headers: forwardHeaders(req.headers), body: req.method === 'POST' ? req : null };
  const slice = Number(/[?&]floor-slice=(\d+)/.exec(request.path)?.[1] ?? 0);
  if (mode === 'stream') {
    pool
      .stream(request, ({ statusCode, headers }) => {
        delete headers['connection'];
        delete headers['keep-alive'];
        delete headers['transfer-encoding'];
        res.writeHead(statusCode, headers as Record<string, string>);
        return res;
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
    return;
  }
  pool.request(request).then(
    async ({ statusCode, body }) => {
      const doc = JSON.parse(await body.text()) as { hits: { hits: Hit[] }; responses?: Array<{ hits: { hits: Hit[] } }>; _personalization?: unknown };
      for (const list of doc.responses ?? [doc]) {
        list.hits.hits.sort((a, b) => scoreOf(b._id) - scoreOf(a._id));
        if (slice > 0) list.hits.hits.length = Math.min(slice, list.hits.hits.length);
      }
      if (section !== undefined) doc._personalization = section;
      const out = JSON.stringify(doc);
      res.writeHead(statusCode, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(out) });
      res.end(out);
    },
    () => {
      res.writeHead(502);
      res.end();
    },
  );
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port, mode })}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.close().finally(() => process.exit(0));
});
