import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRefreshingKeySet } from '../../src/identity/refreshing-key-set.js';
import { rsaKeyPair, type KeyPairFixture } from './jwt-fixtures.js';

// The JWKS URL key set against a real key server on a loopback port whose answers the test
// controls: last good keys survive an outage, rotation is picked up, fetches are spaced.

let server: Server;
let url: URL;
let serving: 'keys' | 'error' = 'keys';
let current: KeyPairFixture;
let requests = 0;

beforeAll(async () => {
  current = await rsaKeyPair('k1');
  server = createServer((_req, res) => {
    requests += 1;
    if (serving === 'error') {
      res.writeHead(503).end('down');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(current.jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`);
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const subject = async (keys: ReturnType<typeof createRefreshingKeySet>, token: string) =>
  (await jwtVerify(token, keys, { algorithms: ['RS256'] }).then((r) => r.payload.sub).catch(() => null)) ?? null;

describe('refreshing JWKS key set', () => {
  it('keeps verifying with the last good keys while the key server is down, fetching at most once per cooldown', async () => {
    serving = 'keys';
    let clock = 0;
    const keys = createRefreshingKeySet(url, { refreshMs: 1_000, cooldownMs: 5_000, now: () => clock });
    const token = await current.sign({ sub: 'shopper-1' });
    expect(await subject(keys, token)).toBe('shopper-1');
    expect(keys.fetches()).toBe(1);

    serving = 'error';
    clock = 10_000; // stale: a background refresh starts, and fails
    for (let i = 0; i < 20; i++) expect(await subject(keys, token)).toBe('shopper-1');
    expect(keys.fetches()).toBe(2);
    await keys.idle();
    clock = 16_000; // next cooldown window: one more try
    expect(await subject(keys, token)).toBe('shopper-1');
    expect(keys.fetches()).toBe(3);
    await keys.idle();
  });

  it('picks up a rotated key on an unknown kid, and refuses tokens from keys it never saw', async () => {
    serving = 'keys';
    let clock = 0;
    const keys = createRefreshingKeySet(url, { cooldownMs: 5_000, now: () => clock });
    expect(await subject(keys, await current.sign({ sub: 'before' }))).toBe('before');
    current = await rsaKeyPair('k2');
    clock = 6_000;
    expect(await subject(keys, await current.sign({ sub: 'after' }))).toBe('after');
    const stranger = await rsaKeyPair('k3');
    const fetchesBefore = keys.fetches();
    clock = 7_000; // within the cooldown: an unknown kid does not trigger another fetch
    expect(await subject(keys, await stranger.sign({ sub: 'intruder' }))).toBeNull();
    expect(keys.fetches()).toBe(fetchesBefore);
  });

  it('refuses everything while the first load fails, without refetching inside the cooldown', async () => {
    serving = 'error';
    let clock = 0;
    const keys = createRefreshingKeySet(url, { cooldownMs: 5_000, now: () => clock });
    const token = await current.sign({ sub: 'early' });
    const before = requests;
    for (let i = 0; i < 10; i++) expect(await subject(keys, token)).toBeNull();
    expect(requests - before).toBe(1);
    serving = 'keys';
    clock = 5_000;
    expect(await subject(keys, token)).toBe('early');
  });
});
