import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildMsearchPage, buildPage } from './fixture-pages.js';

// The benchmark's search backend, in its own process. Pages are built once at start so the
// backend costs as little CPU as possible (it shares the machine with the proxy under test and
// the load client).
//   any path with size=100 in the query → the 100-hit page; `_msearch` → two 24-hit sub-responses;
//   anything else → the 24-hit page
// (a search route and the pass-through route get the same bytes, so their costs compare).

const page24 = buildPage(24);
const page100 = buildPage(100);
const msearch24x2 = buildMsearchPage(24, 2);
const headers = (body: Buffer) => ({ 'content-type': 'application/json; charset=UTF-8', 'content-length': String(body.length) });

const server = createServer((req, res) => {
  // Drain a POST body (if any) before answering, like a real backend.
  req.resume();
  req.once('end', () => {
    const url = req.url ?? '/';
    const body = url.includes('_msearch') ? msearch24x2 : url.includes('size=100') ? page100 : page24;
    res.writeHead(200, headers(body));
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ port, page24Bytes: page24.length, page100Bytes: page100.length })}\n`);
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
