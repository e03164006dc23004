import { mkdirSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { stringify } from 'yaml';
import { createSidecart, type Sidecart } from '../../src/app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/logging/logger.js';
import type { ResilientProfileStore } from '../../src/store/resilient-profile-store.js';
import { startFixtureBackend, type FixtureBackend } from '../support/child-process.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';

// Hot reload from a real file, laid out like a Kubernetes ConfigMap volume: the file is a symlink
// through `..data`, and an update swaps `..data` atomically. Under steady load, no request fails.

let backend: FixtureBackend;
let redis: RedisServer;
let sidecart: Sidecart;
let url = '';
const dir = mkdtempSync(join(tmpdir(), 'sidecart-reload-'));
let version = 0;

function configText(overrides: { strength: number; breakerTimeoutMs: number; budgetMs?: number }): string {
  return stringify({
    server: { host: '127.0.0.1', port: 0, opsPort: 0 },
    upstream: { url: backend.url },
    routes: [{ path: '/products/_search', adapter: 'elasticsearch', budgetMs: overrides.budgetMs ?? 200, strength: overrides.strength }],
    store: { redis: { url: redis.url }, breaker: { timeoutMs: overrides.breakerTimeoutMs } },
    logging: { level: 'silent' },
  });
}

/** What kubelet does: write a new timestamped folder, then rename a new `..data` link over the old. */
function swapConfigMap(text: string): void {
  version += 1;
  const folder = join(dir, `..v${version}`);
  mkdirSync(folder);
  writeFileSync(join(folder, 'config.yaml'), text);
  symlinkSync(`..v${version}`, join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  backend = await startFixtureBackend();
  redis = await startRedis();
  swapConfigMap(configText({ strength: 0, breakerTimeoutMs: 50 }));
  symlinkSync('..data/config.yaml', join(dir, 'config.yaml'));
  const file = join(dir, 'config.yaml');
  const config = loadConfig(file, {});
  sidecart = createSidecart({ config, configFile: file, watchConfig: true, logger: createLogger('silent') });
  const { port } = await sidecart.listen();
  url = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await sidecart?.shutdown();
  await redis?.stop();
  await backend?.stop();
});

describe('config reload', () => {
  it('applies a ConfigMap-style update under load with no failed request; rejects a bad file and keeps running', async () => {
    const page = (await (await request(`${backend.url}/products/_search?q=dairy&size=40`)).body.json()) as { hits: { hits: { _id: string }[] } };
    const favourite = page.hits.hits.at(-1)!._id;
    const res = await request(`${url}/sidecart/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': 'reloader' },
      body: JSON.stringify({ events: [{ id: 'r-1', type: 'purchase', items: [{ id: favourite }] }, { id: 'r-2', type: 'purchase', items: [{ id: favourite }] }] }),
    });
    expect(res.statusCode).toBe(202);
    await res.body.dump();

    const firstHit = async () => {
      const r = await request(`${url}/products/_search?q=dairy&size=40`, { headers: { 'x-user-id': 'reloader' } });
      const doc = (await r.body.json()) as { hits: { hits: { _id: string }[] } };
      return { status: r.statusCode, first: doc.hits.hits[0]?._id };
    };
    // Strength 0: the backend's order, even for a shopper with history.
    expect((await firstHit()).first).not.toBe(favourite);

    const failures: string[] = [];
    let running = true;
    const load = (async () => {
      while (running) {
        const r = await firstHit().catch((err: Error) => ({ status: 0, first: err.message }));
        if (r.status !== 200) failures.push(String(r.first ?? r.status));
      }
    })();

    const store = sidecart.store as unknown as ResilientProfileStore;
    expect(store.breakerSettings().timeout).toBe(50);
    swapConfigMap(configText({ strength: 1, breakerTimeoutMs: 80 }));
    await waitFor(() => sidecart.live.current().routes[0]!.strength === 1, 5000, 'the new strength');
    expect(store.breakerSettings().timeout).toBe(80);
    await waitFor(async () => (await firstHit()).first === favourite, 5000, 'the shopper’s product on top');

    // A bad file: rejected, metric counted, the running config kept.
    swapConfigMap('routes: [{path: /products/_search, adapter: elasticsearch, budgetMs: -5}]\n');
    await waitFor(async () => (await sidecart.metrics.configReloads.get()).values.some((v) => v.labels.result === 'failure' && v.value >= 1), 5000, 'the failure metric');
    expect(sidecart.live.current().routes[0]!.strength).toBe(1);
    expect(store.breakerSettings().timeout).toBe(80);

    // SIGHUP path: reload() re-reads the (still bad) file and refuses it.
    expect(sidecart.reloadConfig('SIGHUP')).toBe(false);
    swapConfigMap(configText({ strength: 1, breakerTimeoutMs: 70 }));
    await waitFor(() => store.breakerSettings().timeout === 70, 5000, 'breaker timeout 70');

    running = false;
    await load;
    expect(failures).toEqual([]);
  });
});
