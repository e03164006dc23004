import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSidecart, type RunningSidecart } from '../support/sidecart-harness.js';

// CORS on what a search route answers, through a real sidecart to a backend that does its own
// CORS for one storefront origin (as hosted engines do): sidecart adds its headers to the list a
// page may read where the backend let that page read the answer, adds the identity header to the
// backend's preflight answers that allowed the origin, and never widens anything for an origin
// the backend refused (unless the store listed it in cors.allowedOrigins, for backends with no
// CORS of their own).

const SHOP = 'http://127.0.0.2:4000';
const LISTED = 'http://127.0.0.3:4000';
const EVIL = 'http://evil.example';

const page = JSON.stringify({ hits: { total: { value: 2, relation: 'eq' }, hits: [{ _id: 'a', _source: { name: 'A', brand: 'X' } }, { _id: 'b', _source: { name: 'B', brand: 'Y' } }] } });

let backend: Server;
let proxy: RunningSidecart;
const seenPreflights: { headers: Record<string, unknown> }[] = [];

beforeAll(async () => {
  backend = createServer((req, res) => {
    const corsFor = req.headers.origin === SHOP ? { 'access-control-allow-origin': SHOP, 'access-control-expose-headers': 'X-Backend-Took' } : {};
    if (req.method === 'OPTIONS') {
      seenPreflights.push({ headers: { ...req.headers } });
      res.writeHead(204, req.headers.origin === SHOP ? { ...corsFor, 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'content-type' } : {});
      res.end();
      return;
    }
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(page), ...corsFor });
    res.end(page);
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  proxy = await startSidecart({ upstream: { url }, routes: [{ path: '/:index/_search', adapter: 'elasticsearch' }], cors: { allowedOrigins: [LISTED] } });
  // Give the shopper a history so the answer is personalized.
  const events = await request(`${proxy.url}/sidecart/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-id': 'cors-alice' },
    body: JSON.stringify({ events: [{ id: 'o1', type: 'purchase', items: [{ id: 'b', brand: 'Y', quantity: 1 }] }] }),
  });
  await events.body.dump();
  expect(events.statusCode).toBe(202);
});
afterAll(async () => {
  await proxy?.close();
  await new Promise((resolve) => backend?.close(resolve));
});

async function search(origin: string | undefined, shopper = 'cors-alice') {
  const res = await request(`${proxy.url}/products/_search?q=x`, { headers: { 'x-user-id': shopper, ...(origin ? { origin } : {}) } });
  await res.body.dump();
  return res.headers;
}

describe('CORS on search-route answers', () => {
  it('where the backend let the page read its answer, sidecart’s headers join the exposed list (personalized and passed through)', async () => {
    for (const shopper of ['cors-alice', 'nobody-known']) {
      const headers = await search(SHOP, shopper);
      expect(headers['access-control-allow-origin']).toBe(SHOP);
      const exposed = String(headers['access-control-expose-headers']).split(',').map((h) => h.trim());
      expect(exposed).toEqual(expect.arrayContaining(['X-Backend-Took', 'X-Sidecart', 'Server-Timing']));
    }
    expect(String((await search(SHOP))['x-sidecart'])).toBe('personalized');
  });

  it('an origin the backend refused gets nothing from sidecart either', async () => {
    const headers = await search(EVIL);
    expect(headers['access-control-allow-origin']).toBeUndefined();
    expect(headers['access-control-expose-headers']).toBeUndefined();
  });

  it('an origin the store listed, on a backend answer without CORS, gets sidecart’s listed-origin headers and Vary: Origin', async () => {
    const headers = await search(LISTED);
    expect(headers['access-control-allow-origin']).toBe(LISTED);
    expect(String(headers['access-control-expose-headers'])).toContain('X-Sidecart');
    expect(String(headers.vary)).toMatch(/Origin/);
  });

  it('a preflight the backend allowed comes back with the identity header it asked for; a refused one does not', async () => {
    const preflight = async (origin: string, asked: string) => {
      const res = await request(`${proxy.url}/products/_search`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': asked } });
      await res.body.dump();
      return res.headers;
    };
    const allowed = await preflight(SHOP, 'content-type, x-user-id');
    expect(allowed['access-control-allow-origin']).toBe(SHOP);
    expect(String(allowed['access-control-allow-headers']).split(',').map((h) => h.trim())).toEqual(['content-type', 'x-user-id']);
    // The backend decided: its preflight reached it.
    expect(seenPreflights.some((p) => p.headers.origin === SHOP)).toBe(true);
    const notAsked = await preflight(SHOP, 'content-type');
    expect(notAsked['access-control-allow-headers']).toBe('content-type');
    const refused = await preflight(EVIL, 'x-user-id');
    expect(refused['access-control-allow-headers']).toBeUndefined();
    expect(refused['access-control-allow-origin']).toBeUndefined();
  });
});
