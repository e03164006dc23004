import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolSkipReason } from '../support/global-setup-tools.js';

// A real Prometheus server (Debian's prometheus package) scrapes a running sidecart, started
// the way the image starts it (its entry point, config file and port env), in front of a tiny
// Elasticsearch-shaped backend. The config file sits in a directory laid out the way the kubelet
// lays out a ConfigMap volume, and is updated the way the kubelet updates it. Everything listens
// on 127.0.0.1 and is stopped in afterAll.

const ROOT = resolve(import.meta.dirname, '../..');

interface Running {
  child: ChildProcess;
  output: () => string;
}

function start(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Running {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => output };
}

async function stop(running: Running | undefined): Promise<void> {
  if (!running || running.child.exitCode !== null || running.child.signalCode !== null) return;
  const exited = once(running.child, 'exit');
  running.child.kill('SIGTERM');
  const timer = setTimeout(() => running.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** Polls until `check` returns a value (not undefined), or fails with what the process said. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, proc?: Running): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (proc && (proc.child.exitCode !== null || proc.child.signalCode !== null)) {
      throw new Error(`process exited (${proc.child.exitCode ?? proc.child.signalCode}) while waiting for ${what}\n${proc.output()}`);
    }
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what} (${String(last)})\n${proc?.output() ?? ''}`);
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) return undefined;
  return res.json();
}

/**
 * Writes one version of a ConfigMap volume the way the kubelet's AtomicWriter does: the files in
 * a fresh `..<version>` directory, then the `..data` symlink swapped to it with an atomic rename;
 * the visible `sidecart.yaml` is a symlink through `..data`, so the file itself never changes.
 */
function writeConfigMapVersion(dir: string, version: string, text: string, previous?: string): void {
  mkdirSync(join(dir, `..${version}`));
  writeFileSync(join(dir, `..${version}`, 'sidecart.yaml'), text);
  symlinkSync(`..${version}`, join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  if (previous) rmSync(join(dir, `..${previous}`), { recursive: true, force: true });
  else symlinkSync('..data/sidecart.yaml', join(dir, 'sidecart.yaml'));
}

const CONFIG_LINES = ['server:', '  host: 127.0.0.1', 'routes:', '  - path: /:index/_search', '    adapter: elasticsearch', 'logging:', '  level: warn'];

interface QueryResult {
  status: string;
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

const noPrometheus = toolSkipReason('prometheus', 'promtool');

describe.skipIf(noPrometheus)('Prometheus scrapes a running sidecart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sidecart-scrape-'));
  let backend: Server;
  let sidecart: Running | undefined;
  let prometheus: Running | undefined;
  let trafficPort = 0;
  let opsPort = 0;
  let promPort = 0;

  beforeAll(async () => {
    backend = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url?.includes('/_search')) {
        res.end(JSON.stringify({ took: 1, hits: { total: { value: 2 }, hits: [{ _id: 'p1', _source: { name: 'milk' } }, { _id: 'p2', _source: { name: 'bread' } }] } }));
      } else res.end(JSON.stringify({ ok: true }));
    });
    backend.listen(0, '127.0.0.1');
    await once(backend, 'listening');
    const backendPort = (backend.address() as AddressInfo).port;

    [trafficPort, opsPort, promPort] = [await freePort(), await freePort(), await freePort()];
    mkdirSync(join(dir, 'config'));
    const configFile = join(dir, 'config', 'sidecart.yaml');
    writeConfigMapVersion(join(dir, 'config'), 'v1', CONFIG_LINES.join('\n') + '\n');
    // node --import tsx runs src/main.ts in one process (no npx wrapper), so SIGTERM reaches it.
    sidecart = start(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts'],
      {
        ...process.env,
        SIDECART_CONFIG: configFile,
        SIDECART_PORT: String(trafficPort),
        SIDECART_OPS_PORT: String(opsPort),
        SIDECART_UPSTREAM_URL: `http://127.0.0.1:${backendPort}`,
      },
      ROOT,
    );
    await waitFor('sidecart /healthz', () => getJson(`http://127.0.0.1:${opsPort}/healthz`), 45_000, sidecart);

    // Some traffic, so the labelled counters have series.
    for (let i = 0; i < 5; i++) {
      const search = await fetch(`http://127.0.0.1:${trafficPort}/products/_search?q=milk`, { headers: { 'x-user-id': `shopper-${i}` } });
      expect(search.status).toBe(200);
      await search.arrayBuffer();
      const other = await fetch(`http://127.0.0.1:${trafficPort}/_cluster/health`);
      expect(other.status).toBe(200);
      await other.arrayBuffer();
    }

    const promConfig = join(dir, 'prometheus.yml');
    writeFileSync(
      promConfig,
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'scrape_configs:',
        '  - job_name: sidecart',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${opsPort}']`,
        '',
      ].join('\n'),
    );
    prometheus = start(
      'prometheus',
      [
        `--config.file=${promConfig}`,
        `--storage.tsdb.path=${join(dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--log.level=warn',
      ],
      process.env,
      dir,
    );
    prometheus.child.on('error', () => undefined);
    await waitFor(
      'prometheus /-/ready',
      async () => ((await fetch(`http://127.0.0.1:${promPort}/-/ready`, { signal: AbortSignal.timeout(5_000) })).ok ? true : undefined),
      45_000,
      prometheus,
    );
  }, 120_000);

  afterAll(async () => {
    await stop(prometheus);
    await stop(sidecart);
    backend?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const query = (q: string) => getJson(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`) as Promise<QueryResult | undefined>;

  it('sees the target up and returns sidecart series through its HTTP API', async () => {
    const up = await waitFor('up{job="sidecart"} == 1', async () => {
      const r = await query('up{job="sidecart"}');
      return r?.data.result.find((s) => s.value[1] === '1');
    }, 45_000, prometheus);
    expect(up.metric.instance).toBe(`127.0.0.1:${opsPort}`);

    const requests = await waitFor('sidecart_search_requests_total', async () => {
      const r = await query('sum by (route, outcome) (sidecart_search_requests_total{job="sidecart"})');
      return r && r.data.result.length > 0 ? r.data.result : undefined;
    }, 45_000, prometheus);
    expect(requests.every((s) => s.metric.route === '/:index/_search')).toBe(true);
    expect(requests.reduce((sum, s) => sum + Number(s.value[1]), 0)).toBe(5);

    const process = await query('sidecart_process_resident_memory_bytes{job="sidecart"}');
    expect(Number(process?.data.result[0]?.value[1])).toBeGreaterThan(0);
  }, 120_000);

  it('applies a ConfigMap-style update (..data symlink swap) and keeps running on a bad one', async () => {
    const configDir = join(dir, 'config');
    const search = async () => {
      const res = await fetch(`http://127.0.0.1:${trafficPort}/products/_search?q=milk`, { headers: { 'x-user-id': 'shopper-1' } });
      await res.arrayBuffer();
      return { status: res.status, sidecart: res.headers.get('x-sidecart') ?? '' };
    };
    const reloads = async (result: string) => {
      const r = await query(`sum(sidecart_config_reloads_total{job="sidecart", result="${result}"})`);
      return Number(r?.data.result[0]?.value[1] ?? 0);
    };

    writeConfigMapVersion(configDir, 'v2', [...CONFIG_LINES, 'personalization:', '  enabled: false', ''].join('\n'), 'v1');
    const disabled = await waitFor('the new config to apply', async () => {
      const answer = await search();
      return answer.sidecart.includes('reason=disabled') ? answer : undefined;
    }, 30_000, sidecart);
    expect(disabled.status).toBe(200);
    await waitFor('a successful reload in Prometheus', async () => ((await reloads('success')) >= 1 ? true : undefined), 30_000, prometheus);

    writeConfigMapVersion(configDir, 'v3', 'routes:\n  - path: no-leading-slash\n    adapter: elasticsearch\n', 'v2');
    await waitFor('a rejected reload in Prometheus', async () => ((await reloads('failure')) >= 1 ? true : undefined), 30_000, prometheus);
    const kept = await search();
    expect(kept.status).toBe(200);
    expect(kept.sidecart).toContain('reason=disabled');
  }, 120_000);

  it('passes promtool check metrics on a live scrape of /metrics', async () => {
    const text = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    expect(text).toMatch(/^sidecart_search_requests_total\{/m);
    const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 60_000 });
    expect(run.error).toBeUndefined();
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });
});
