import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importStoreConfig, runImportCommand } from '../../src/cli/import-command.js';
import { parseConfig } from '../../src/config/load-config.js';
import { runImport, type ImportSummary } from '../../src/events/import-run.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { createProfileUpdater } from '../../src/personalization/profile-update.js';
import { createProfileStore } from '../../src/store/create-profile-store.js';
import type { ManagedProfileStore } from '../../src/store/profile-store.js';
import { REPO_ROOT } from '../support/child-process.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';

// `sidecart import` against a real redis-server: CSV and JSONL, rerun, resume after interruption.

let redis: RedisServer;
let dir: string;
let store: ManagedProfileStore;

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-01T09:00:00Z');

beforeAll(async () => {
  redis = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'sidecart-import-'));
  // A store on the same Redis, with the import's batch-job timeouts (the server's 50 ms would
  // fall back to memory on a busy test machine).
  const config = importStoreConfig(parseConfig('{}', 'test', { SIDECART_REDIS_URL: redis.url }));
  store = createProfileStore({ config, updater: createProfileUpdater(config.personalization) });
});

afterAll(async () => {
  await store?.close();
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Orders: shopper s<i> buys `orders` times every 7 days: milk-<i> x2 plus one rotating product. */
function orderHistoryCsv(shoppers: number, orders: number, prefix: string): { text: string; rows: number } {
  const lines = ['shopper_id,order_id,product_id,quantity,at,brand,category,price,tags'];
  for (let o = 0; o < orders; o++) {
    for (let s = 0; s < shoppers; s++) {
      const at = new Date(T0 + o * 7 * DAY).toISOString();
      lines.push(`${prefix}${s},ord-${s}-${o},milk-${s},2,${at},Oatly,dairy,1.99,vegan|lactose-free`);
      lines.push(`${prefix}${s},ord-${s}-${o},bread-${o % 3},1,${at},,bakery,,`);
    }
  }
  return { text: lines.join('\n') + '\n', rows: lines.length - 1 };
}

function io() {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t), isTTY: false }, env: { ...process.env, SIDECART_REDIS_URL: redis.url } },
    out: () => out,
    err: () => err,
  };
}

async function profile(shopper: string) {
  return (await store.read(shopper, Date.now())).record.profile;
}

describe('sidecart import into Redis', () => {
  it('imports a CSV order history: one purchase per order, profiles in Redis, a summary', async () => {
    const file = join(dir, 'orders.csv');
    writeFileSync(file, orderHistoryCsv(3, 4, 'csv-').text);
    const run = io();
    expect(await runImportCommand([file, '--json', '--quiet'], run.io)).toBe(0);
    const summary = JSON.parse(run.out()) as ImportSummary;
    expect(summary).toMatchObject({ outcome: 'complete', format: 'csv', lines: 24, events: 12, applied: 12, duplicates: 0, rejected: 0, shoppers: 3 });

    const p = (await profile('csv-1'))!;
    expect(p.orders).toBe(4);
    expect(p.products['milk-1']).toMatchObject({ n: 4, q: 2 });
    expect(p.products['bread-0']!.n).toBe(2); // orders 0 and 3
    expect(Object.keys(p.brands)).toEqual(['Oatly']);
    // Really in Redis, under the shopper's keys.
    expect(await redis.cli('--scan', '--pattern', 'sidecart:{u:csv-1}*')).toContain('sidecart:{u:csv-1}');
    expect(existsSync(`${file}.checkpoint.json`)).toBe(true);
  });

  it('a rerun counts nothing twice: done is done, and --restart finds only duplicates', async () => {
    const file = join(dir, 'orders.csv');
    const again = io();
    expect(await runImportCommand([file, '--json', '--quiet'], again.io)).toBe(0);
    expect(JSON.parse(again.out())).toMatchObject({ outcome: 'already-complete', events: 0 });

    const restart = io();
    expect(await runImportCommand([file, '--json', '--quiet', '--restart'], restart.io)).toBe(0);
    expect(JSON.parse(restart.out())).toMatchObject({ outcome: 'complete', events: 12, applied: 0, duplicates: 12 });
    const p = (await profile('csv-1'))!;
    expect(p.orders).toBe(4);
    expect(p.products['milk-1']!.n).toBe(4);
  });

  it('imports JSONL, rejecting bad lines by line number and keeping the good ones', async () => {
    const file = join(dir, 'events.jsonl');
    const lines = [
      { shopperId: 'jl-1', id: 'o-1', type: 'purchase', at: T0, items: [{ id: 'oats', quantity: 1, tags: ['vegan'] }] },
      { shopperId: 'jl-1', type: 'add_to_cart', at: T0 + DAY, items: [{ id: 'tofu' }] },
      { shopperId: 'jl-1', type: 'purchase', at: T0 + DAY, items: [{ id: 'tofu', quantity: 0 }] },
      { type: 'purchase', items: [{ id: 'x' }] },
    ].map((l) => JSON.stringify(l));
    writeFileSync(file, [...lines.slice(0, 2), '', ...lines.slice(2), '{broken'].join('\n'));
    const run = io();
    expect(await runImportCommand([file, '--quiet', '--no-checkpoint'], run.io)).toBe(1);
    expect(run.out()).toMatch(/stored \(new\)\s+2\n/);
    expect(run.out()).toContain('line 4: items.0.quantity:');
    expect(run.out()).toContain('line 5: shopperId:');
    expect(run.out()).toContain('line 6: not JSON');
    expect(existsSync(`${file}.checkpoint.json`)).toBe(false);
    const p = (await profile('jl-1'))!;
    expect(Object.keys(p.products).sort()).toEqual(['oats', 'tofu']);
    expect(p.orders).toBe(1);

    const rerun = io();
    expect(await runImportCommand([file, '--json', '--quiet', '--no-checkpoint'], rerun.io)).toBe(1);
    expect(JSON.parse(rerun.out())).toMatchObject({ applied: 0, duplicates: 2 });
  });

  it('resumes an interrupted import where it stopped, and ends with every order counted once', async () => {
    const file = join(dir, 'big.csv');
    const { text, rows } = orderHistoryCsv(40, 10, 'big-');
    writeFileSync(file, text);
    const checkpointPath = join(dir, 'big.checkpoint.json');
    const metrics = createMetrics({ processMetrics: false });
    const limits = { maxItemsPerEvent: 200, maxIdLength: 64 };
    const controller = new AbortController();
    const first = await runImport({
      file,
      store,
      metrics,
      limits,
      checkpointPath,
      concurrency: 4,
      batchEvents: 5,
      progressEveryMs: 0,
      checkpointEveryMs: 0,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.lines >= 250) controller.abort();
      },
    });
    expect(first.outcome).toBe('interrupted');
    const checkpoint = JSON.parse(readFileSync(checkpointPath, 'utf8')) as { offset: number; lineNo: number; complete: boolean };
    expect(checkpoint.complete).toBe(false);
    expect(checkpoint.offset).toBeGreaterThan(0);
    expect(checkpoint.offset).toBeLessThan(Buffer.byteLength(text));
    // The checkpoint points at the start of a line.
    expect(text[checkpoint.offset - 1]).toBe('\n');
    expect(text.slice(0, checkpoint.offset).split('\n').length - 1).toBe(checkpoint.lineNo);

    const second = await runImport({ file, store, metrics, limits, checkpointPath, concurrency: 4, batchEvents: 5 });
    expect(second.outcome).toBe('complete');
    expect(second.resumedFrom).toEqual({ offset: checkpoint.offset, lineNo: checkpoint.lineNo });
    expect(second.lines).toBeLessThan(rows);
    expect(first.applied + second.applied).toBe(400);
    for (const s of [0, 17, 39]) {
      const p = (await profile(`big-${s}`))!;
      expect(p.orders).toBe(10);
      expect(p.products[`milk-${s}`]!.n).toBe(10);
    }
  });

  it('runs as a command (npx tsx src/cli/sidecart.ts import), with usage errors exiting 2', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/sidecart.ts', ...args], {
          cwd: REPO_ROOT,
          env: { ...process.env, SIDECART_REDIS_URL: redis.url },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('exit', (code) => resolve({ code, stdout, stderr }));
      });
    const ok = await run(['import', join(dir, 'orders.csv'), '--restart', '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ outcome: 'complete', applied: 0, duplicates: 12 });
    const missing = await run(['import', join(dir, 'nope.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file');
    expect((await run(['frobnicate'])).code).toBe(2);
  });
});
