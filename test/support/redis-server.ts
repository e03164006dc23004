import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// Real redis-server processes for integration tests: loopback only, no persistence, a temp dir
// each, killed by the test that started them. Reusable from any part's tests.

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free loopback port; with `bus`, port + 10000 (Redis Cluster's bus port) is free too. */
export async function freePort(bus = false): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 25_000);
    if ((await isFree(port)) && (!bus || (await isFree(port + 10_000)))) return port;
  }
  throw new Error('no free port found');
}

/** Sends PING over a raw socket; true on +PONG within `timeoutMs`. */
export function ping(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

export interface RedisServer {
  port: number;
  url: string;
  /** The current process (changes after restart). */
  readonly pid: number;
  /** Start again on the same port after kill/stop (empty: no persistence). */
  restart(): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGSTOP: Redis hangs with its sockets open (the hard failure). */
  pause(): void;
  /** SIGCONT after pause. */
  resume(): void;
  /** Stop for good and remove the temp dir. */
  stop(): Promise<void>;
  /** redis-cli against this server; returns trimmed stdout. */
  cli(...args: string[]): Promise<string>;
}

export interface RedisServerOptions {
  port?: number;
  /** Extra redis-server arguments, e.g. ['--cluster-enabled', 'yes']. */
  args?: string[];
}

export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), `sidecart-redis-${port}-`));
  let child: ChildProcess | null = null;

  const launch = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'warning', ...(options.args ?? [])],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const started = Date.now();
    while (Date.now() - started < 10_000) {
      if (child.exitCode !== null) throw new Error(`redis-server on ${port} exited with ${child.exitCode}`);
      if (await ping(port, 200)) return;
      await sleep(25);
    }
    throw new Error(`redis-server on ${port} did not answer PING within 10 s`);
  };

  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise((resolve) => current.once('exit', resolve));
    if (signal === 'SIGKILL' || signal === 'SIGTERM') current.kill('SIGCONT');
    current.kill(signal);
    await exited;
  };

  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child?.pid ?? -1;
    },
    restart: launch,
    kill,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    stop: async () => {
      await kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
    cli: async (...args: string[]) => (await run('redis-cli', ['-p', String(port), ...args])).stdout.trim(),
  };
}

export interface RedisCluster {
  nodes: RedisServer[];
  seeds: { host: string; port: number }[];
  stop(): Promise<void>;
}

/** A cluster of `masters` masters (no replicas) formed with `redis-cli --cluster create`. */
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const nodes: RedisServer[] = [];
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort(true);
      nodes.push(await startRedis({ port, args: ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000'] }));
    }
    await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    const started = Date.now();
    for (;;) {
      const infos = await Promise.all(nodes.map((n) => n.cli('cluster', 'info')));
      if (infos.every((info) => info.includes('cluster_state:ok'))) break;
      if (Date.now() - started > 20_000) throw new Error('cluster did not reach cluster_state:ok within 20 s');
      await sleep(100);
    }
  } catch (error) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw error;
  }
  return {
    nodes,
    seeds: nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
}

export interface RedisSentinel {
  port: number;
  stop(): Promise<void>;
}

/** One Sentinel watching `masterPort` as `name` (quorum 1, fast failure detection for tests). */
export async function startRedisSentinel(masterPort: number, name = 'mymaster'): Promise<RedisSentinel> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `sidecart-sentinel-${port}-`));
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${name} 127.0.0.1 ${masterPort} 1`,
      `sentinel down-after-milliseconds ${name} 1000`,
      `sentinel failover-timeout ${name} 5000`,
      `sentinel parallel-syncs ${name} 1`,
    ].join('\n') + '\n',
  );
  const child = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
  const started = Date.now();
  while (!(await ping(port, 200))) {
    if (child.exitCode !== null || Date.now() - started > 10_000) throw new Error(`sentinel on ${port} did not start`);
    await sleep(25);
  }
  return {
    port,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
