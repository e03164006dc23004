import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchResponse } from '../../src/demo/demo-search-backend.js';
import { toolSkipReason } from '../support/global-setup-tools.js';
import { startSidecart, type RunningSidecart } from '../support/sidecart-harness.js';

// The Host a backend receives, on all three ways a request reaches it (search route over the
// undici pool, the pass-through fast lane over its own pool, http-proxy-middleware for bodies):
// the backend's own authority by default (hosted engines route on it), the storefront's with
// upstream.preserveHost. And an HTTPS backend: verified with SNI; upstream.caFile adds a CA.

interface Seen {
  path: string;
  host: string | undefined;
  forwardedHost: string | undefined;
  servername: string | undefined;
}

/** A backend that records what each request carried and answers searches as Elasticsearch does. */
function recordingHandler(seen: Seen[]) {
  return (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      const socket = req.socket as TLSSocket;
      seen.push({ path: req.url ?? '', host: req.headers.host, forwardedHost: req.headers['x-forwarded-host'] as string | undefined, servername: socket.servername || undefined });
      const body = /\/_search/.test(req.url ?? '') ? JSON.stringify(searchResponse('products', 'milk', 5)) : JSON.stringify({ ok: true });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  };
}

const listen = (server: Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** The three lanes, each with the storefront's Host. */
async function sendAll(base: string): Promise<number[]> {
  const headers = { host: 'shop.example:8443', 'content-type': 'application/json' };
  const statuses: number[] = [];
  for (const [method, path, body] of [
    ['POST', '/products/_search', '{"query":{"match":{"name":"milk"}}}'],
    ['GET', '/products/_doc/1', undefined],
    ['PUT', '/products/_doc/1', '{"name":"milk"}'],
  ] as const) {
    const res = await request(`${base}${path}`, { method, headers, body });
    await res.body.dump();
    statuses.push(res.statusCode);
  }
  return statuses;
}

describe('the Host the backend receives', () => {
  let backend: Server;
  let backendPort = 0;
  const seen: Seen[] = [];
  beforeAll(async () => {
    backend = createServer(recordingHandler(seen));
    backendPort = await listen(backend);
  });
  afterAll(() => close(backend));

  for (const preserveHost of [false, true]) {
    it(`preserveHost: ${preserveHost} — search route, fast lane and http-proxy lane alike`, async () => {
      const sidecart = await startSidecart({ upstream: { url: `http://127.0.0.1:${backendPort}`, ...(preserveHost ? { preserveHost } : {}) }, routes: [{ path: '/:index/_search', adapter: 'elasticsearch' }] });
      try {
        seen.length = 0;
        expect(await sendAll(sidecart.url)).toEqual([200, 200, 200]);
        expect(seen.map((s) => s.path)).toEqual(['/products/_search', '/products/_doc/1', '/products/_doc/1']);
        const expected = preserveHost ? 'shop.example:8443' : `127.0.0.1:${backendPort}`;
        for (const s of seen) {
          expect(s.host, s.path).toBe(expected);
          expect(s.forwardedHost, s.path).toBe('shop.example:8443');
        }
      } finally {
        await sidecart.close();
      }
    });
  }
});

const opensslMissing = toolSkipReason('openssl');

describe.skipIf(opensslMissing)('an HTTPS backend with a private CA', () => {
  let dir = '';
  let backend: Server;
  let port = 0;
  const seen: Seen[] = [];
  let sidecarts: RunningSidecart[] = [];

  beforeAll(async () => {
    // A CA and a server certificate for localhost and 127.0.0.1, made for this run only.
    dir = mkdtempSync(join(tmpdir(), 'sidecart-tls-'));
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=sidecart test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
    openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
    writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
    openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf');
    backend = createHttpsServer({ key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) }, recordingHandler(seen));
    port = await listen(backend);
  });
  afterAll(async () => {
    for (const s of sidecarts) await s.close();
    sidecarts = [];
    if (backend) await close(backend);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const start = async (upstream: Record<string, unknown>) => {
    const s = await startSidecart({ upstream, routes: [{ path: '/:index/_search', adapter: 'elasticsearch' }] });
    sidecarts.push(s);
    return s;
  };

  it('with upstream.caFile: every lane reaches it, SNI and Host are the backend name (also under preserveHost)', async () => {
    for (const preserveHost of [false, true]) {
      const sidecart = await start({ url: `https://localhost:${port}`, caFile: join(dir, 'ca.pem'), preserveHost });
      seen.length = 0;
      expect(await sendAll(sidecart.url)).toEqual([200, 200, 200]);
      expect(seen).toHaveLength(3);
      for (const s of seen) {
        expect(s.servername, s.path).toBe('localhost');
        expect(s.host, s.path).toBe(preserveHost ? 'shop.example:8443' : `localhost:${port}`);
      }
      const search = await request(`${sidecart.url}/products/_search?q=milk`, { headers: { 'x-user-id': 'nobody-yet' } });
      await search.body.dump();
      expect(search.statusCode).toBe(200);
    }
  });

  it('without it the certificate is refused: 502 on every lane, nothing reaches the backend', async () => {
    const sidecart = await start({ url: `https://localhost:${port}` });
    seen.length = 0;
    expect(await sendAll(sidecart.url)).toEqual([502, 502, 502]);
    expect(seen).toEqual([]);
  });
});
