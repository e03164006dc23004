import { brotliCompressSync, deflateRawSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { decodeBody } from '../../src/proxy/decode-body.js';
import { passthroughResponseHeaders, personalizedResponseHeaders, upstreamRequestHeaders } from '../../src/proxy/headers.js';
import { createRouteMatcher } from '../../src/proxy/route-matcher.js';

describe('route matcher', () => {
  const routes = parseConfig(
    'routes: [{path: /products/_search, adapter: elasticsearch}, {path: "/:index/_search", adapter: opensearch}, {path: "/api/search/*", adapter: algolia}]',
    'f.yaml',
    {},
  ).routes;
  const matcher = createRouteMatcher(routes);
  it.each([
    ['/products/_search', 'elasticsearch'],
    ['/products/_search/', 'elasticsearch'],
    ['/groceries/_search', 'opensearch'],
    ['/api/search', 'algolia'],
    ['/api/search/a/b', 'algolia'],
  ])('%s → %s', (path, adapter) => expect(matcher.match(path)?.adapter).toBe(adapter));
  it.each(['/products/_searchx', '/a/b/_search', '/api/searching', '/'])('%s → no route', (path) => expect(matcher.match(path)).toBeNull());
});

describe('headers', () => {
  it('upstream request: drops hop-by-hop, Connection-listed and x-sidecart*, adds X-Forwarded-*', () => {
    const out = upstreamRequestHeaders(
      { host: 'shop', connection: 'keep-alive, x-hop', 'x-hop': '1', te: 'trailers', 'x-sidecart-variant': 'forged', 'x-forwarded-for': '10.0.0.1', accept: '*/*' },
      { remoteAddress: '127.0.0.1', encrypted: false },
    );
    expect(out).toEqual({ host: 'shop', accept: '*/*', 'x-forwarded-for': '10.0.0.1, 127.0.0.1', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'shop' });
  });

  it('a changed body: new length, no validators or encoding, private, Vary on identity', () => {
    const upstream = passthroughResponseHeaders({ 'content-type': 'application/json', 'content-encoding': 'gzip', etag: '"x"', 'cache-control': 'public, max-age=60, s-maxage=600', vary: 'Accept', connection: 'keep-alive', 'transfer-encoding': 'chunked' });
    expect(upstream.connection).toBeUndefined();
    expect(upstream['transfer-encoding']).toBeUndefined();
    const out = personalizedResponseHeaders(upstream, 123, ['x-user-id']);
    expect(out).toEqual({ 'content-type': 'application/json', 'content-length': '123', 'cache-control': 'private, max-age=60', vary: 'Accept, x-user-id, Accept-Encoding' });
  });
});

describe('decodeBody', () => {
  const json = Buffer.from(JSON.stringify({ hits: { hits: [] } }));
  it.each([
    ['gzip', gzipSync(json)],
    ['br', brotliCompressSync(json)],
    ['deflate', deflateRawSync(json)],
    [undefined, json],
    ['identity', json],
  ])('%s', (encoding, body) => {
    const result = decodeBody(body, encoding, 1024);
    expect(result.ok && result.body.equals(json)).toBe(true);
  });
  it('refuses unknown codings and bombs', () => {
    expect(decodeBody(json, 'compress', 1024)).toEqual({ ok: false, reason: 'unknown-encoding' });
    expect(decodeBody(gzipSync(Buffer.alloc(100_000)), 'gzip', 1000)).toEqual({ ok: false, reason: 'too-large' });
    expect(decodeBody(Buffer.from('not gzip'), 'gzip', 1000)).toEqual({ ok: false, reason: 'not-json' });
  });
});
