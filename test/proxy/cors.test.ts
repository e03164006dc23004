import { describe, expect, it } from 'vitest';
import { corsResponseHeaders, preflightAnswer } from '../../src/proxy/cors.js';

const ALLOWED = ['http://shop.example:3000', 'https://Store.Example'];
const preflight = (origin: string, method: string, requestHeaders?: string) => ({
  origin,
  'access-control-request-method': method,
  ...(requestHeaders !== undefined ? { 'access-control-request-headers': requestHeaders } : {}),
});

describe('sidecart-answered CORS preflights', () => {
  it('a listed origin: its exact origin, credentials, the scope methods and the headers it asked for', () => {
    const answer = preflightAnswer('OPTIONS', preflight('http://shop.example:3000', 'POST', 'content-type, X-User-Id'), 'search', ALLOWED);
    expect(answer).toEqual({
      status: 204,
      headers: {
        'access-control-allow-origin': 'http://shop.example:3000',
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'GET, HEAD, POST',
        'access-control-allow-headers': 'content-type, x-user-id',
        'access-control-max-age': '600',
        vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
        'content-length': '0',
      },
    });
    // Origins compare case-insensitively (the config may spell the host in capitals).
    expect(preflightAnswer('OPTIONS', preflight('https://store.example', 'GET'), 'control', ALLOWED)!.headers['access-control-allow-origin']).toBe('https://store.example');
  });

  it('not sidecart’s to answer: other methods, no request method, no origin, an unlisted origin, nothing listed', () => {
    expect(preflightAnswer('GET', preflight('http://shop.example:3000', 'GET'), 'search', ALLOWED)).toBeNull();
    expect(preflightAnswer('OPTIONS', { origin: 'http://shop.example:3000' }, 'search', ALLOWED)).toBeNull();
    expect(preflightAnswer('OPTIONS', { 'access-control-request-method': 'GET' }, 'search', ALLOWED)).toBeNull();
    expect(preflightAnswer('OPTIONS', preflight('http://evil.example', 'GET'), 'search', ALLOWED)).toBeNull();
    expect(preflightAnswer('OPTIONS', preflight('http://shop.example:3001', 'GET'), 'search', ALLOWED)).toBeNull();
    expect(preflightAnswer('OPTIONS', preflight('http://shop.example:3000', 'GET'), 'search', [])).toBeNull();
  });

  it('a listed origin asking for a method outside the scope or a malformed header gets no CORS grant', () => {
    for (const answer of [
      preflightAnswer('OPTIONS', preflight('http://shop.example:3000', 'DELETE'), 'search', ALLOWED),
      preflightAnswer('OPTIONS', preflight('http://shop.example:3000', 'PATCH'), 'control', ALLOWED),
      preflightAnswer('OPTIONS', preflight('http://shop.example:3000', 'GET', 'x-user-id, bad header'), 'search', ALLOWED),
    ]) {
      expect(answer!.status).toBe(204);
      expect(answer!.headers['access-control-allow-origin']).toBeUndefined();
    }
    expect(preflightAnswer('OPTIONS', preflight('http://shop.example:3000', 'DELETE'), 'control', ALLOWED)!.headers['access-control-allow-origin']).toBe('http://shop.example:3000');
  });

  it('control API answers: readable by a listed origin only', () => {
    expect(corsResponseHeaders({ origin: 'http://shop.example:3000' }, ALLOWED)).toEqual({
      'access-control-allow-origin': 'http://shop.example:3000',
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'X-Sidecart, X-Sidecart-Variant, X-Sidecart-Store, Server-Timing',
    });
    expect(corsResponseHeaders({ origin: 'http://evil.example' }, ALLOWED)).toBeNull();
    expect(corsResponseHeaders({}, ALLOWED)).toBeNull();
  });
});
