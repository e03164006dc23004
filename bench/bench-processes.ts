import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { stringify } from 'yaml';
import { REPO_ROOT } from '../test/support/child-process.js';
import { freePort } from '../test/support/redis-server.js';

// Child processes of the benchmark: every part under test and every load client runs in its own
// process, so nothing shares an event loop with what it measures.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface BenchProcess {
  child: ChildProcess;
  /** The first JSON line the process printed (its port and facts). */
  info: Record<string, unknown>;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  };
}

/** Starts `node --import tsx <script>` and waits for its first JSON line on stdout. */
export async function startTsScript(script: string, env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []): Promise<BenchProcess> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const info = await new Promise<Record<string, unknown>>((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as Record<string, unknown>);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
  });
  return { child, info, stop: stopper(child) };
}

/** Runs a load client script with a job; `onStarted` fires when it starts sending. Resolves with its result line. */
export function runClient<T>(script: string, job: object, onStarted?: () => void): Promise<T> {
  // The job goes in on stdin: a request list for thousands of shoppers is too long for argv.
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin!.end(JSON.stringify(job));
  return new Promise<T>((resolve, reject) => {
    let buffered = '';
    let result: T | null = null;
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline;
      while ((newline = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line === '{"started":true}') onStarted?.();
        else if (line.startsWith('{')) result = JSON.parse(line) as T;
      }
    });
    child.once('exit', (code) => (result ? resolve(result) : reject(new Error(`${script} exited with ${code} and no result`))));
  });
}

export interface SidecartProcess extends BenchProcess {
  url: string;
  opsUrl: string;
  pid: number;
}

export interface SidecartLaunch {
  name: string;
  upstreamUrl: string;
  redisUrl?: string;
  /** With Redis: keep the default near cache (30 s) instead of reading Redis on every search. */
  nearCache?: boolean;
  /** Run the compiled build (dist/src/main.js) rather than src through tsx. */
  compiled: boolean;
  /** The compiled tree (default dist). */
  distDir?: string;
  /** Write a V8 CPU profile into this directory on exit. */
  profileDir?: string;
  /** The `events` config section (default: the call rate limit off, so seeding is not limited). */
  events?: Record<string, unknown>;
}

/** sidecart as it runs in production: its own process, its config file, logging at warn. */
export async function startSidecartProcess(launch: SidecartLaunch): Promise<SidecartProcess> {
  const port = await freePort();
  const opsPort = await freePort();
  const config = {
    server: { host: '127.0.0.1', port, opsPort, shutdownGraceMs: 2000 },
    upstream: { url: launch.upstreamUrl },
    routes: [
      // The same search with a 100-hit rerank window (scenario memory-window-100).
      { path: '/window/_search', adapter: 'elasticsearch', budgetMs: 50, strength: 0.5, rerankWindow: 100 },
      { path: '/:index/_search', adapter: 'elasticsearch', budgetMs: 50, strength: 0.5 },
      { path: '/:index/_msearch', adapter: 'elasticsearch', budgetMs: 50, strength: 0.5 },
    ],
    store: {
      // With Redis and no near cache, every search reads its profile from Redis (the hard case).
      ...(launch.redisUrl ? { redis: { url: launch.redisUrl }, ...(launch.nearCache ? {} : { memory: { nearCacheTtlMs: 0 } }) } : {}),
    },
    // Seeding sends one batch per shopper quickly; the limit is not what is measured.
    events: launch.events ?? { rateLimitPerSecond: 0 },
    logging: { level: 'warn' },
  };
  const dir = mkdtempSync(join(tmpdir(), `sidecart-bench-${launch.name}-`));
  const file = join(dir, 'sidecart.yaml');
  writeFileSync(file, stringify(config));
  const profile = launch.profileDir ? profileArgs(launch.profileDir, `sidecart-${launch.name}`) : [];
  const entry = launch.compiled ? [`${launch.distDir ?? 'dist'}/src/main.js`] : ['--import', 'tsx', 'src/main.ts'];
  // Extra node flags for sidecart only (e.g. BENCH_SIDECART_NODE_ARGS=--trace-gc; node refuses some in NODE_OPTIONS).
  const extra = process.env.BENCH_SIDECART_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...extra, ...profile, ...entry], {
    cwd: REPO_ROOT,
    env: { ...withoutSidecartEnv(process.env), SIDECART_CONFIG: file, NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const opsUrl = `http://127.0.0.1:${opsPort}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`sidecart (${launch.name}) exited with ${child.exitCode}`);
    try {
      const res = await request(`${opsUrl}/readyz`);
      await res.body.dump();
      if (res.statusCode === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > 30_000) throw new Error(`sidecart (${launch.name}) not ready within 30 s`);
    await sleep(100);
  }
  return { child, info: { port, opsPort, config: file }, url: `http://127.0.0.1:${port}`, opsUrl, pid: child.pid!, stop: stopper(child) };
}

/**
 * Node flags that write V8 CPU profiles into `<dir>/<name>/` on exit. No fixed file name: under
 * tsx the loader's worker thread writes a profile too and would overwrite the main thread's.
 */
export function profileArgs(dir: string, name: string): string[] {
  return ['--cpu-prof', `--cpu-prof-dir=${join(dir, name)}`];
}

/** The caller's SIDECART_* overrides must not leak into the bench's own config. */
function withoutSidecartEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('SIDECART_')));
}

/** CPU time (user + system) a process has used so far, in microseconds (Linux /proc). */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 (utime, stime) in clock ticks; here counted from field 3 (state).
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
}
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** Resident set size of a process in bytes (Linux /proc). */
export async function rssBytes(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}
