import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createSidecart, type Sidecart } from '../../src/app.js';
import { parseConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/logging/logger.js';
import type { ProfileStore } from '../../src/store/profile-store.js';
import { call } from '../controls/controls-client.js';
import { startFixtureBackend, type FixtureBackend } from '../support/child-process.js';

// The traffic server's edge, over real sockets: request targets node:http hands over as they are
// (`*`), requests it cannot parse, bodiless statuses passed through, and sidecart's own 5xx.

interface LogLine {
  level: number;
  msg: string;
  status?: number;
  path?: string;
}

interface Running {
  sidecart: Sidecart;
  url: string;
  port: number;
  opsUrl: string;
  lines: LogLine[];
}

let backend: FixtureBackend;
const running: Running[] = [];
const ADMIN_TOKEN = 'edge-admin-token-0123456789';

/** A sidecart on free ports whose log lines are collected (the harness keeps logs silent). */
async function start(config: Record<string, unknown>, store?: ProfileStore): Promise<Running> {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const parsed = parseConfig(stringify({ ...config, server: { host: '127.0.0.1', port: 0, opsPort: 0 } }), 'edge-test.yaml', {});
  const sidecart = createSidecart({ config: parsed, configFile: 'edge-test.yaml', logger: createLogger('info', sink), ...(store ? { store } : {}) });
  const { port, opsPort } = await sidecart.listen();
  const run = { sidecart, url: `http://127.0.0.1:${port}`, port, opsUrl: `http://127.0.0.1:${opsPort}`, lines };
  running.push(run);
  return run;
}

/** Writes raw bytes on a new socket; resolves with what came back by the time the server closed, or after `waitMs`. */
function raw(port: number, request: string, waitMs = 1_500): Promise<{ text: string; closed: boolean; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let closed = false;
    const done = () => resolve({ text, closed, ms: performance.now() - started });
    const timer = setTimeout(() => {
      socket.destroy();
      done();
    }, waitMs);
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      closed = true;
      clearTimeout(timer);
      done();
    });
    socket.write(request);
  });
}

const statusLine = (text: string) => text.split('\r\n')[0];
const headerBlock = (text: string) => text.slice(0, text.indexOf('\r\n\r\n')).toLowerCase();

beforeAll(async () => {
  backend = await startFixtureBackend();
});

afterAll(async () => {
  for (const run of running) await run.sidecart.shutdown();
  await backend?.stop();
});

describe('asterisk request targets', () => {
  it('answers OPTIONS * itself: 204 with Allow, no body, and the connection stays usable', async () => {
    const { port } = await start({ upstream: { url: backend.url } });
    const res = await raw(port, 'OPTIONS * HTTP/1.1\r\nHost: shop\r\n\r\nGET /echo/after HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n');
    expect(statusLine(res.text)).toBe('HTTP/1.1 204 No Content');
    const first = headerBlock(res.text);
    expect(first).toMatch(/\r\nallow: get, head, post, put, patch, delete, options/);
    expect(first).not.toContain('content-length');
    // The next request on the same connection is served: OPTIONS * never held the socket.
    expect(res.text).toMatch(/\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    expect(res.closed).toBe(true);
    expect(res.ms).toBeLessThan(1_000);
  });

  it('refuses GET * (and other methods with *) with 400 at once, and closes the connection', async () => {
    const { port } = await start({ upstream: { url: backend.url } });
    for (const method of ['GET', 'POST', 'HEAD']) {
      const res = await raw(port, `${method} * HTTP/1.1\r\nHost: shop\r\nContent-Length: 0\r\n\r\n`);
      expect(statusLine(res.text), method).toBe('HTTP/1.1 400 Bad Request');
      expect(res.closed, method).toBe(true);
      expect(res.ms, method).toBeLessThan(1_000);
    }
  });
});

describe('requests node:http cannot take', () => {
  it('answers 431 to headers over the limit, 400 to a malformed request', async () => {
    const { port } = await start({ upstream: { url: backend.url } });
    const huge = await raw(port, `GET /echo/x HTTP/1.1\r\nHost: shop\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(statusLine(huge.text)).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(huge.closed).toBe(true);
    const garbage = await raw(port, 'GET /echo/x HTTP/1.1\r\nHost shop\r\n\r\n');
    expect(statusLine(garbage.text)).toBe('HTTP/1.1 400 Bad Request');
  });
});

describe('bodiless statuses passed through', () => {
  it('204 and 304 from the backend carry no Content-Length, on both pass-through lanes', async () => {
    const fast = await start({ upstream: { url: backend.url, passthroughFastLane: true } });
    const hpm = await start({ upstream: { url: backend.url, passthroughFastLane: false } });
    for (const [lane, run] of Object.entries({ fast, hpm })) {
      for (const status of [204, 304]) {
        // GET takes the fast lane where it is on; a POST with a body always takes http-proxy's.
        for (const request of [
          `GET /status/${status} HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n`,
          `POST /status/${status} HTTP/1.1\r\nHost: shop\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
        ]) {
          const res = await raw(run.port, request);
          const what = `${lane} ${request.split(' ')[0]} ${status}`;
          expect(statusLine(res.text), what).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
          expect(headerBlock(res.text), what).not.toMatch(/\r\n(content-length|transfer-encoding):/);
          expect(res.text.endsWith('\r\n\r\n'), what).toBe(true);
        }
      }
      // Other statuses keep the backend's framing.
      const ok = await call(`${run.url}/status/200`);
      expect(ok.headers['content-length'], lane).toBe(String(ok.body.length));
    }
  });

  it("sidecart's own 204 (DELETE /me) has no Content-Length", async () => {
    const run = await start({ upstream: { url: backend.url } });
    const res = await raw(run.port, 'DELETE /sidecart/v1/me HTTP/1.1\r\nHost: shop\r\nX-User-Id: edge-1\r\nConnection: close\r\n\r\n');
    expect(statusLine(res.text)).toBe('HTTP/1.1 204 No Content');
    expect(headerBlock(res.text)).not.toContain('content-length');
  });
});

describe('every 5xx is logged', () => {
  const failing: ProfileStore = {
    read: () => Promise.reject(new Error('store on fire')),
    applyEvents: () => Promise.reject(new Error('store on fire')),
    writeSettings: () => Promise.reject(new Error('store on fire')),
    erase: () => Promise.reject(new Error('store on fire')),
    close: () => Promise.resolve(),
  };

  it('control API and admin API 500s, and upstream 502s, each leave an error line', async () => {
    const run = await start({ upstream: { url: backend.url }, admin: { token: ADMIN_TOKEN } }, failing);
    const me = await call(`${run.url}/sidecart/v1/me`, { headers: { 'x-user-id': 'edge-2' } });
    expect(me.status).toBe(500);
    expect(me.json()).toEqual({ error: 'internal', message: 'internal error' });
    expect(run.lines.some((l) => l.level >= 50 && l.path === '/sidecart/v1/me' && /500/.test(l.msg))).toBe(true);
    const admin = await call(`${run.opsUrl}/admin/shoppers/edge-2`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(admin.status).toBe(500);
    expect(run.lines.some((l) => l.level >= 50 && l.path === '/admin/shoppers/edge-2')).toBe(true);

    const down = await start({ upstream: { url: 'http://127.0.0.1:9' } });
    for (const lane of ['GET', 'POST']) {
      const res = await call(`${down.url}/anything`, { method: lane, ...(lane === 'POST' ? { body: {} } : {}) });
      expect(res.status, lane).toBe(502);
    }
    expect(down.lines.filter((l) => l.level >= 40 && l.status === 502).length).toBeGreaterThanOrEqual(2);
  });
});
