import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/load-config.js';
import { mergeReload } from '../../src/config/config-reloader.js';

describe('parseConfig', () => {
  it('fills every default from an empty file and freezes the result', () => {
    const config = parseConfig('', 'empty.yaml', {});
    expect(config.server.port).toBe(8080);
    expect(config.server.opsPort).toBe(8081);
    expect(config.store.redis.url).toBeUndefined();
    expect(config.search.sectionKey).toBe('_personalization');
    expect(Object.isFrozen(config.store.breaker)).toBe(true);
  });

  it('applies the contract environment variables over the file', () => {
    const config = parseConfig('server: {port: 1}\n', 'f.yaml', {
      SIDECART_PORT: '9090',
      SIDECART_OPS_PORT: '9091',
      SIDECART_UPSTREAM_URL: 'http://search:9200',
      SIDECART_REDIS_URL: 'redis://redis:6379',
      SIDECART_ADMIN_TOKEN: 'a-long-enough-admin-token',
    });
    expect(config.server.port).toBe(9090);
    expect(config.server.opsPort).toBe(9091);
    expect(config.upstream.url).toBe('http://search:9200');
    expect(config.store.redis.url).toBe('redis://redis:6379');
    expect(config.admin.token).toBe('a-long-enough-admin-token');
  });

  it('reports every bad key at once, with the value and the file', () => {
    let error: unknown;
    try {
      parseConfig('upstream: {timeoutMs: "10s"}\nroutes: [{path: /s, adapter: lucene}]\nstore: {breaker: {typo: 1}}\n', '/etc/sidecart/c.yaml', {});
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('/etc/sidecart/c.yaml');
    expect(message).toMatch(/upstream\.timeoutMs: .*got "10s"/);
    expect(message).toMatch(/routes\.0\.adapter: .*got "lucene"/);
    expect(message).toMatch(/store\.breaker.*typo/);
  });

  it('names a bad environment variable', () => {
    expect(() => parseConfig('', 'f.yaml', { SIDECART_PORT: 'eighty' })).toThrow(/server\.port \(from env SIDECART_PORT\).*"eighty"/);
  });

  it('refuses broken YAML and cross-field mistakes', () => {
    expect(() => parseConfig('routes: [', 'f.yaml', {})).toThrow(/YAML/);
    expect(() => parseConfig('routes: [{path: /s, adapter: elasticsearch, experiment: nope}]', 'f.yaml', {})).toThrow(/routes\.0\.experiment: no experiment named "nope"/);
    expect(() => parseConfig('store: {breaker: {rollingCountTimeoutMs: 1000, rollingCountBuckets: 3}}', 'f.yaml', {})).toThrow(/rollingCountBuckets/);
  });
});

describe('mergeReload', () => {
  it('applies tunable parts and holds back restart-only ones, naming them', () => {
    const running = parseConfig('routes: [{path: /s, adapter: elasticsearch, strength: 0.2}]', 'f.yaml', {});
    const next = parseConfig('server: {port: 9999}\nupstream: {url: "http://elsewhere:1"}\nroutes: [{path: /s, adapter: elasticsearch, strength: 0.9}]\nstore: {breaker: {timeoutMs: 75}}', 'f.yaml', {});
    const { config, heldBack } = mergeReload(running, next);
    expect(config.routes[0]!.strength).toBe(0.9);
    expect(config.store.breaker.timeoutMs).toBe(75);
    expect(config.server.port).toBe(8080);
    expect(config.upstream.url).toBe(running.upstream.url);
    expect(heldBack).toEqual(expect.arrayContaining(['upstream', 'server.port']));
  });
});
