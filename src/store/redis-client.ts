import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { SidecartConfig } from '../config/schema.js';

export type RedisConfig = SidecartConfig['store']['redis'];
export type RedisClient = Redis | Cluster;

/** Reconnect forever, backing off to at most 2 s, so "Redis absent at start" or a restart recovers. */
export function reconnectDelay(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(attempt, 6), 2_000);
}

/**
 * Fail fast when Redis is away (LIBRARY-FACTS: ioredis): no offline queue (a command fails in ~1 ms
 * while disconnected), no retry of a command cut by a lost connection, a connect timeout, and a command timeout —
 * the only thing that bounds a command when Redis hangs with its socket open (SIGSTOP).
 */
function failFast(config: RedisConfig): RedisOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: config.connectTimeoutMs,
    ...(config.commandTimeoutMs > 0 ? { commandTimeout: config.commandTimeoutMs } : {}),
    // A command that timed out must not be sent again after a reconnect (it may be stale).
    autoResendUnfulfilledCommands: false,
    retryStrategy: reconnectDelay,
    ...(config.password ? { password: config.password } : {}),
  };
}

/** Build the one ioredis client for the configured mode. Commands fail fast; connection retries never stop. */
export function createRedisClient(config: RedisConfig, connectionName = 'sidecart'): RedisClient {
  const base = { ...failFast(config), connectionName };
  if (config.mode === 'cluster') {
    const nodes = config.nodes.length > 0 ? config.nodes : [parseUrl(config.url ?? 'redis://127.0.0.1:6379')];
    const { retryStrategy: _ignored, enableOfflineQueue: _queue, ...perNode } = base;
    // Cluster: the offline queue and the retry strategy are top-level options (a per-node
    // enableOfflineQueue=false breaks slot refresh); command timeout, retries per request and the
    // connect timeout apply per node connection, so they go in redisOptions.
    const options: ClusterOptions = {
      enableOfflineQueue: false,
      clusterRetryStrategy: reconnectDelay,
      slotsRefreshTimeout: Math.max(config.connectTimeoutMs, 200),
      retryDelayOnFailover: 50,
      retryDelayOnClusterDown: 50,
      retryDelayOnTryAgain: 50,
      redisOptions: perNode,
    };
    return new Cluster(nodes, options);
  }
  if (config.mode === 'sentinel') {
    return new Redis({
      ...base,
      sentinels: config.sentinels,
      name: config.sentinelName,
      sentinelCommandTimeout: Math.max(config.commandTimeoutMs, 100),
      sentinelRetryStrategy: reconnectDelay,
    });
  }
  return config.url ? new Redis(config.url, base) : new Redis(base);
}

function parseUrl(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || 6379) };
}

/** Connection state as one boolean, for sidecart_redis_up and readiness. */
export function isReady(client: RedisClient): boolean {
  return client.status === 'ready';
}

/**
 * Calls `onChange` each time the connection becomes ready or stops being ready (from not ready at
 * first). Changes only: ioredis reports every failed reconnect attempt as an error event.
 */
export function watchReady(client: RedisClient, onChange: (ready: boolean) => void): void {
  let was = false;
  const check = () => {
    const ready = isReady(client);
    if (ready === was) return;
    was = ready;
    onChange(ready);
  };
  for (const event of ['ready', 'close', 'end', 'reconnecting', 'error']) client.on(event, check);
  check();
}

/** Resolves when the client is ready, false after `timeoutMs` (commands fail fast until then). */
export function waitForReady(client: RedisClient, timeoutMs: number): Promise<boolean> {
  if (isReady(client)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    client.on('ready', onReady);
  });
}
