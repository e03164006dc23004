import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureBackend, type FixtureBackend } from '../support/child-process.js';
import { startSidecart, type RunningSidecart } from '../support/sidecart-harness.js';
import { call, purchaseEvents } from '../controls/controls-client.js';

// What a client sends never fools sidecart or reaches the backend where it must not: client-sent
// X-Sidecart* and hop-by-hop headers are dropped on the search route and on pass-through (the
// backend's /echo shows what it received), and only the identity source the config trusts counts.

let backend: FixtureBackend;
let proxy: RunningSidecart;

const SNEAKY = {
  'x-sidecart': 'personalized',
  'x-sidecart-explain': '1',
  'X-Sidecart-Shopper': 'someone-else',
  'x-sidecartcustom': 'spoof',
  'proxy-authorization': 'Basic c2VjcmV0',
  'x-trusted-shopper': 'hdr-1',
  'x-kept': 'yes',
};

interface Echo {
  headers: Record<string, string>;
  bodyLength: number;
}

function expectClean(echo: Echo): void {
  const names = Object.keys(echo.headers);
  expect(names.filter((n) => n.startsWith('x-sidecart'))).toEqual([]);
  expect(names).not.toContain('x-private-hop');
  expect(names).not.toContain('proxy-authorization');
  expect(names).not.toContain('te');
  expect(String(echo.headers.connection ?? '')).not.toContain('x-private-hop');
  // Ordinary headers still pass, so the test would notice if the echo saw nothing at all.
  expect(echo.headers['x-kept']).toBe('yes');
}

/** Sends raw bytes (duplicate and odd-case headers that a client library would normalize). */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let out = '';
    socket.on('data', (c) => (out += c.toString()));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
    setTimeout(() => socket.destroy(), 5000).unref();
  });
}

beforeAll(async () => {
  backend = await startFixtureBackend();
  proxy = await startSidecart({
    upstream: { url: backend.url },
    identity: { header: 'x-trusted-shopper' },
    routes: [
      { path: '/echo/search', adapter: 'elasticsearch', budgetMs: 500 },
      { path: '/products/_search', adapter: 'elasticsearch', budgetMs: 500 },
    ],
  });
});

afterAll(async () => {
  await proxy?.close();
  await backend?.stop();
});

describe('client headers never reach the upstream', () => {
  it('search route: X-Sidecart* and hop-by-hop headers are stripped; the answer carries sidecart’s own X-Sidecart', async () => {
    const res = await call(`${proxy.url}/echo/search?q=milk`, { headers: SNEAKY });
    expect(res.status).toBe(200);
    expectClean(res.json<Echo>());
    expect(String(res.headers['x-sidecart'])).toMatch(/^passthrough; reason=/);
  });

  it('search route POST: same, and the body still arrives', async () => {
    const res = await call(`${proxy.url}/echo/search`, { method: 'POST', headers: { ...SNEAKY, 'content-type': 'application/json' }, rawBody: '{"query":{"match_all":{}}}' });
    const echo = res.json<Echo>();
    expectClean(echo);
    expect(echo.bodyLength).toBe(26);
  });

  it.each(['GET', 'POST', 'PUT', 'DELETE'])('pass-through %s: stripped too', async (method) => {
    const res = await call(`${proxy.url}/echo/other/path?x=1`, { method, headers: SNEAKY, ...(method === 'GET' ? {} : { rawBody: 'abc' }) });
    expect(res.status).toBe(200);
    expectClean(res.json<Echo>());
    expect(res.headers['x-sidecart']).toBeUndefined();
  });

  // A client library rewrites Connection itself, so headers listed in it are sent over a raw socket.
  it.each(['/echo/search', '/echo/raw'])('raw socket %s: Connection-listed, duplicated and odd-case X-Sidecart headers are stripped', async (path) => {
    const port = (proxy.sidecart.traffic.address() as { port: number }).port;
    const reply = await rawRequest(
      port,
      `GET ${path} HTTP/1.1\r\nHost: shop\r\nX-SIDECART: a\r\nx-Sidecart: b\r\nX-Sidecart-Explain: 1\r\nX-Private-Hop: must-not-pass\r\n` +
        `TE: trailers\r\nProxy-Authorization: Basic c2VjcmV0\r\nX-Kept: yes\r\nConnection: close, X-Private-Hop\r\n\r\n`,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 200/);
    const body = reply.slice(reply.indexOf('\r\n\r\n') + 4);
    expectClean(JSON.parse(body) as Echo);
  });
});

describe('identity comes only from the source the config trusts', () => {
  it('the default x-user-id header is ignored when another header is configured', async () => {
    const events = purchaseEvents('trust', ['p-1']);
    expect((await call(`${proxy.url}/sidecart/v1/events`, { method: 'POST', headers: { 'x-user-id': 'hdr-2' }, body: events })).status).toBe(401);
    expect((await proxy.sidecart.store.read('hdr-2', Date.now())).record.profile).toBeNull();
    expect((await call(`${proxy.url}/sidecart/v1/events`, { method: 'POST', headers: { 'x-trusted-shopper': 'hdr-2' }, body: events })).status).toBe(202);
    // With a profile stored, only the trusted header personalizes a search.
    const trusted = await call(`${proxy.url}/products/_search?q=milk`, { headers: { 'x-trusted-shopper': 'hdr-2' } });
    const untrusted = await call(`${proxy.url}/products/_search?q=milk`, { headers: { 'x-user-id': 'hdr-2', 'x-sidecart-shopper': 'hdr-2' } });
    expect(trusted.headers['x-sidecart']).toBe('personalized');
    expect(untrusted.headers['x-sidecart']).not.toBe('personalized');
    expect((await call(`${proxy.url}/sidecart/v1/me`, { headers: { 'x-user-id': 'hdr-2' } })).status).toBe(401);
  });
});
