import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureBackend, type FixtureBackend } from '../support/child-process.js';
import { startSidecart, type RunningSidecart } from '../support/sidecart-harness.js';

// Preflights through a real sidecart: a listed origin's preflight on a search route or the
// control API is answered by sidecart and never reaches the backend; any other preflight, and
// OPTIONS on other paths, go to the backend as before.

const SHOP = 'http://127.0.0.2:4000';
let backend: FixtureBackend;
let proxy: RunningSidecart;

beforeAll(async () => {
  backend = await startFixtureBackend();
  proxy = await startSidecart({ upstream: { url: backend.url }, routes: [{ path: '/:index/_search', adapter: 'elasticsearch' }], cors: { allowedOrigins: [SHOP] } });
});
afterAll(async () => {
  await proxy?.close();
  await backend?.stop();
});

async function options(path: string, origin: string, method = 'GET', headers = 'x-user-id') {
  const res = await request(`${proxy.url}${path}`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers } });
  const body = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body };
}

describe('CORS preflights on the traffic port', () => {
  it('a listed origin on a search route and on /sidecart/v1: answered by sidecart', async () => {
    for (const path of ['/products/_search?q=milk', '/sidecart/v1/me/sections']) {
      const answer = await options(path, SHOP);
      expect(answer.status, path).toBe(204);
      expect(answer.headers['access-control-allow-origin']).toBe(SHOP);
      expect(answer.headers['access-control-allow-headers']).toBe('x-user-id');
      expect(answer.body).toBe('');
    }
  });

  it('an unlisted origin, and OPTIONS off the search routes, reach the backend', async () => {
    // The fixture backend echoes what it received under /echo; on a search path it answers its own way.
    const other = await options('/products/_search', 'http://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect(other.headers['content-type']).toMatch(/json/);
    const echo = await options('/echo/x', SHOP);
    expect(echo.status).toBe(200);
    expect(JSON.parse(echo.body).method).toBe('OPTIONS');
  });

  it('the control API answer itself is readable by the listed origin only', async () => {
    const listed = await request(`${proxy.url}/sidecart/v1/me/sections`, { headers: { origin: SHOP, 'x-user-id': 'cors-shopper' } });
    await listed.body.dump();
    expect(listed.statusCode).toBe(200);
    expect(listed.headers['access-control-allow-origin']).toBe(SHOP);
    expect(String(listed.headers['access-control-expose-headers'])).toContain('X-Sidecart-Store');
    expect(listed.headers['vary']).toBe('Origin, x-user-id');
    const other = await request(`${proxy.url}/sidecart/v1/me/sections`, { headers: { origin: 'http://evil.example', 'x-user-id': 'cors-shopper' } });
    await other.body.dump();
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});
