import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { createLogger } from '../../src/logging/logger.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { createPassthrough } from '../../src/proxy/passthrough.js';

// The pass-through's two lanes side by side: bodiless GET/HEAD over undici (fast lane) and
// everything through http-proxy-middleware. For the same request the client must get the same
// bytes (status line, headers in order, framing, body; only Date differs) and the upstream must
// see the same request (method, path, headers — except Connection, which is hop-by-hop and owned
// by each lane's connection pool).

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

let upstream: Server;
let seen: Seen[] = [];
const servers: Server[] = [];
const pools: Pool[] = [];
const agents: Agent[] = [];
let fastPort = 0;
let hpmPort = 0;
let tappedPort = 0;
const hpmResponses: string[] = [];

const listen = (server: Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

beforeAll(async () => {
  upstream = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/dup') {
      res.writeHead(203, 'Totally Fine', [
        ['X-Multi', 'one'],
        ['x-multi', 'two'],
        ['Set-Cookie', 'a=1; Path=/'],
        ['set-cookie', 'b=2; Path=/'],
        ['Content-Type', 'text/plain'],
        ['content-type', 'text/html'],
        ['Keep-Alive', 'timeout=5'],
        ['Proxy-Connection', 'x'],
        ['Trailer', 'x-t'],
        ['X-Last', 'end'],
      ]);
      res.write('part one, ');
      setTimeout(() => res.end('part two'), 5);
      return;
    }
    if (path === '/hints') {
      res.writeEarlyHints({ link: '</a.css>; rel=preload' });
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
      res.end('ok');
      return;
    }
    if (path === '/empty') {
      res.writeHead(204);
      res.end();
      return;
    }
    const body = `hello ${req.method} ${req.url}`;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)), etag: '"e1"' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  const upstreamUrl = `http://127.0.0.1:${await listen(upstream)}`;
  const logger = createLogger('silent');
  const make = async (withPool: boolean, needsHpm?: (req: { url?: string }) => boolean) => {
    const agent = new Agent({ keepAlive: true });
    agents.push(agent);
    const pool = withPool ? new Pool(upstreamUrl, { connections: 4 }) : undefined;
    if (pool) pools.push(pool);
    const passthrough = createPassthrough({
      target: upstreamUrl,
      timeoutMs: 2000,
      agent,
      logger,
      metrics: createMetrics(),
      ...(pool ? { pool } : {}),
      ...(needsHpm ? { needsHpm } : {}),
      onProxyResponse: (req) => hpmResponses.push(req.url ?? ''),
    });
    const server = createServer((req, res) => void passthrough(req, res));
    servers.push(server);
    return listen(server);
  };
  fastPort = await make(true);
  hpmPort = await make(false);
  tappedPort = await make(true, (req) => req.url === '/tapped');
});

afterAll(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await Promise.all(pools.map((p) => p.close()));
  for (const agent of agents) agent.destroy();
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

/** One raw HTTP exchange; the answer up to the server closing (every request here says close or is 1.0). */
function exchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let out = '';
    socket.on('data', (c: Buffer) => (out += c.toString('latin1')));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
    // A lane that keeps the connection open when it should not is a difference, not a hang.
    setTimeout(() => socket.destroy(), 2000).unref();
  });
}

const withoutDate = (raw: string) => raw.replace(/^Date: .*\r\n/im, '');

async function both(text: string): Promise<{ fast: string; hpm: string; fastSeen: Seen[]; hpmSeen: Seen[] }> {
  seen = [];
  const fast = withoutDate(await exchange(fastPort, text));
  const fastSeen = seen;
  seen = [];
  const hpm = withoutDate(await exchange(hpmPort, text));
  return { fast, hpm, fastSeen, hpmSeen: seen };
}

const comparable = (list: Seen[]) => list.map((s) => ({ ...s, headers: { ...s.headers, connection: undefined } }));

describe('pass-through lanes (undici fast lane vs http-proxy-middleware)', () => {
  it.each([
    ['GET with hop-by-hop, Connection-listed and x-sidecart headers', 'GET /echo/a?x=1&y=%20z HTTP/1.1\r\nHost: shop.example:8080\r\nConnection: close, x-drop-me\r\nX-Drop-Me: hop\r\nTE: trailers\r\nProxy-Authorization: Basic c2VjcmV0\r\nX-Sidecart-Debug: forged\r\nX-Forwarded-For: 10.0.0.1\r\nX-Custom: kept\r\nCookie: a=1\r\n\r\n'],
    ['HEAD', 'HEAD /head HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n'],
    ['HTTP/1.0 client', 'GET /old HTTP/1.0\r\nHost: shop\r\n\r\n'],
    ['duplicate, hop-by-hop response headers, reason phrase, chunked body', 'GET /dup HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n'],
    ['1xx before the answer', 'GET /hints HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n'],
    ['204', 'GET /empty HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n'],
    ['no Host header', 'GET /nohost HTTP/1.0\r\n\r\n'],
  ])('%s: same bytes to the client, same request upstream', async (_name, text) => {
    const { fast, hpm, fastSeen, hpmSeen } = await both(text);
    expect(fast.length).toBeGreaterThan(0);
    expect(fast).toBe(hpm);
    expect(comparable(fastSeen)).toEqual(comparable(hpmSeen));
  });

  it('the fast lane drops hop-by-hop request headers and adds X-Forwarded-*', async () => {
    const { fastSeen } = await both('GET /echo HTTP/1.1\r\nHost: shop.example:8080\r\nConnection: close, x-drop-me\r\nX-Drop-Me: hop\r\nTE: trailers\r\nX-Sidecart-Debug: forged\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n');
    const headers = fastSeen[0]!.headers;
    for (const name of ['x-drop-me', 'te', 'x-sidecart-debug']) expect(headers[name]).toBeUndefined();
    expect(headers['x-forwarded-for']).toBe('10.0.0.1,127.0.0.1');
    expect(headers['x-forwarded-port']).toBe('8080');
    expect(headers['x-forwarded-proto']).toBe('http');
    expect(headers['x-forwarded-host']).toBe('shop.example:8080');
  });

  it('requests the fast lane does not take (bodies, other methods, Expect, odd targets) still pass', async () => {
    for (const text of [
      'POST /post HTTP/1.1\r\nHost: shop\r\nConnection: close\r\nContent-Length: 3\r\n\r\nabc',
      'GET /body HTTP/1.1\r\nHost: shop\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
      'DELETE /thing HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n',
      'GET /a//b HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n',
      "GET /quote'd HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n",
    ]) {
      const { fast, hpm, fastSeen, hpmSeen } = await both(text);
      expect(fast).toBe(hpm);
      expect(comparable(fastSeen)).toEqual(comparable(hpmSeen));
    }
  });

  it('a request the caller marks (a traffic tap) takes the hpm lane, whose upstream response the tap reads', async () => {
    hpmResponses.length = 0;
    await exchange(tappedPort, 'GET /tapped HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n');
    await exchange(tappedPort, 'GET /untapped HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n');
    expect(hpmResponses).toEqual(['/tapped']);
  });
});
