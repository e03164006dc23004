import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startFixtureBackend, type FixtureBackend } from '../support/child-process.js';
import { startSidecart, type RunningSidecart } from '../support/sidecart-harness.js';

// Pass-through: every non-search route, through a real sidecart to a real backend process.

let backend: FixtureBackend;
let proxy: RunningSidecart;

beforeAll(async () => {
  backend = await startFixtureBackend();
  proxy = await startSidecart({ upstream: { url: backend.url, timeoutMs: 1500 }, routes: [{ path: '/products/_search', adapter: 'elasticsearch' }] });
});

afterAll(async () => {
  await proxy?.close();
  await backend?.stop();
});

async function fetchBytes(url: string, init: Parameters<typeof request>[1] = {}) {
  const res = await request(url, init);
  const body = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, body };
}

function rawExchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let out = '';
    socket.on('data', (c) => (out += c.toString()));
    socket.on('end', () => resolve(out));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
    setTimeout(() => {
      socket.destroy();
      resolve(out);
    }, 3000).unref();
  });
}

describe('pass-through', () => {
  it.each([0, 1, 1000, 65_537, 1_000_003])('returns %i random binary bytes identical to the backend', async (size) => {
    const direct = await fetchBytes(`${backend.url}/bytes/${size}?seed=${size + 11}`);
    const proxied = await fetchBytes(`${proxy.url}/bytes/${size}?seed=${size + 11}`);
    expect(proxied.status).toBe(200);
    expect(proxied.body.length).toBe(size);
    expect(proxied.body.equals(direct.body)).toBe(true);
    expect(proxied.headers['content-type']).toBe('application/octet-stream');
  });

  it('streams a 20 MB chunked body through unchanged', async () => {
    const hashOf = async (url: string) => {
      const res = await request(url);
      const hash = createHash('sha256');
      let length = 0;
      let chunks = 0;
      for await (const chunk of res.body) {
        hash.update(chunk as Buffer);
        length += (chunk as Buffer).length;
        chunks += 1;
      }
      return { status: res.statusCode, te: res.headers['transfer-encoding'], length, chunks, sha: hash.digest('hex') };
    };
    const direct = await hashOf(`${backend.url}/stream/20`);
    const proxied = await hashOf(`${proxy.url}/stream/20`);
    expect(proxied.status).toBe(200);
    expect(proxied.length).toBe(20 * 1024 * 1024);
    expect(proxied.sha).toBe(direct.sha);
    // Streamed, not buffered into one piece: the client saw chunked framing and many chunks.
    expect(proxied.te).toBe('chunked');
    expect(proxied.chunks).toBeGreaterThan(10);
  });

  it('forwards POST bodies (with length and chunked) byte for byte', async () => {
    const body = randomBytes(3 * 1024 * 1024 + 17);
    const sha = createHash('sha256').update(body).digest('hex');
    const withLength = await fetchBytes(`${proxy.url}/upload`, { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } });
    expect(JSON.parse(withLength.body.toString())).toMatchObject({ method: 'POST', bodyLength: body.length, bodySha256: sha });
    const chunked = await fetchBytes(`${proxy.url}/upload`, { method: 'PUT', body: Readable.from([body.subarray(0, 1000), body.subarray(1000)]) });
    const echoed = JSON.parse(chunked.body.toString()) as { method: string; bodyLength: number; bodySha256: string; headers: Record<string, string> };
    expect(echoed).toMatchObject({ method: 'PUT', bodyLength: body.length, bodySha256: sha });
    expect(echoed.headers['transfer-encoding']).toBe('chunked');
  });

  it('forwards method, path, query and headers minus hop-by-hop, with X-Forwarded-*', async () => {
    const res = await fetchBytes(`${proxy.url}/echo/a/b?x=1&y=%20z`, {
      method: 'DELETE',
      headers: {
        'x-custom': 'kept',
        accept: 'application/json',
        te: 'trailers',
        'x-sidecart-debug': 'forged',
        'proxy-authorization': 'Basic c2VjcmV0',
        host: 'shop.example',
      },
    });
    const echoed = JSON.parse(res.body.toString()) as { method: string; url: string; headers: Record<string, string> };
    expect(echoed.method).toBe('DELETE');
    expect(echoed.url).toBe('/echo/a/b?x=1&y=%20z');
    expect(echoed.headers['x-custom']).toBe('kept');
    // The backend gets its own Host (upstream.preserveHost keeps the storefront's); the storefront's travels in X-Forwarded-Host.
    expect(echoed.headers.host).toBe(new URL(backend.url).host);
    expect(echoed.headers['x-forwarded-for']).toContain('127.0.0.1');
    expect(echoed.headers['x-forwarded-proto']).toBe('http');
    expect(echoed.headers['x-forwarded-host']).toBe('shop.example');
    expect(echoed.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    for (const hop of ['te', 'proxy-authorization', 'x-sidecart-debug']) expect(echoed.headers[hop]).toBeUndefined();
    // Response headers come back unchanged.
    expect(res.headers['set-cookie']).toBe('a=1; Path=/');
    expect(res.headers['x-multi']).toBe('one');
  });

  it('drops headers named in Connection (hop-by-hop by declaration)', async () => {
    const echoed = await new Promise<{ headers: Record<string, string> }>((resolve, reject) => {
      const req = httpRequest(`${proxy.url}/echo/conn`, { headers: { connection: 'keep-alive, x-drop-me', 'x-drop-me': 'hop', 'x-keep-me': 'end-to-end' } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(JSON.parse(text) as { headers: Record<string, string> }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(echoed.headers['x-drop-me']).toBeUndefined();
    expect(echoed.headers['x-keep-me']).toBe('end-to-end');
  });

  it('keeps the caller’s x-request-id on its way upstream', async () => {
    const res = await fetchBytes(`${proxy.url}/echo/rid`, { headers: { 'x-request-id': 'storefront-req-42' } });
    expect((JSON.parse(res.body.toString()) as { headers: Record<string, string> }).headers['x-request-id']).toBe('storefront-req-42');
  });

  it('passes non-2xx statuses through untouched', async () => {
    const res = await fetchBytes(`${proxy.url}/status/418`);
    expect(res.status).toBe(418);
    expect(JSON.parse(res.body.toString())).toEqual({ status: 418 });
  });

  it('answers 502 JSON when the upstream resets the connection', async () => {
    const res = await fetchBytes(`${proxy.url}/reset`);
    expect(res.status).toBe(502);
    expect(JSON.parse(res.body.toString())).toMatchObject({ error: 'bad_gateway' });
  });

  it('answers 504 JSON when the upstream is slower than upstream.timeoutMs', async () => {
    const started = Date.now();
    const res = await fetchBytes(`${proxy.url}/slow/5000`);
    expect(res.status).toBe(504);
    expect(JSON.parse(res.body.toString())).toMatchObject({ error: 'upstream_timeout' });
    expect(Date.now() - started).toBeLessThan(4500);
  });

  it('refuses absolute-form targets and CONNECT: not an open proxy', async () => {
    const absolute = await rawExchange(Number(new URL(proxy.url).port), 'GET http://example.com/echo HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n');
    expect(absolute).toMatch(/^HTTP\/1\.1 400/);
    const tunnel = await rawExchange(Number(new URL(proxy.url).port), 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    expect(tunnel).toMatch(/^HTTP\/1\.1 405/);
  });

  it('passes WebSocket upgrades through both ways', async () => {
    const echoed = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(`${proxy.url}/ws`, { headers: { connection: 'Upgrade', upgrade: 'websocket' } });
      req.on('upgrade', (res, socket) => {
        expect(res.statusCode).toBe(101);
        socket.write('ping-through-sidecart');
        socket.once('data', (data: Buffer) => {
          socket.destroy();
          resolve(data.toString());
        });
      });
      req.on('error', reject);
      req.end();
    });
    expect(echoed).toBe('ping-through-sidecart');
  });
});

describe('pass-through with the upstream down', () => {
  it('answers 502 JSON, never hangs', async () => {
    const dead = await startSidecart({ upstream: { url: 'http://127.0.0.1:9', timeoutMs: 1000 }, routes: [{ path: '/products/_search', adapter: 'elasticsearch' }] });
    try {
      const other = await fetchBytes(`${dead.url}/anything`);
      expect(other.status).toBe(502);
      const search = await fetchBytes(`${dead.url}/products/_search?q=milk`, { headers: { 'x-user-id': 'shopper-1' } });
      expect(search.status).toBe(502);
      expect(JSON.parse(search.body.toString())).toMatchObject({ error: 'bad_gateway' });
    } finally {
      await dead.close();
    }
  });
});
