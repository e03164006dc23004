import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from '../logging/logger.js';
import type { LiveConfig } from './live-config.js';
import { loadConfig } from './load-config.js';
import type { SidecartConfig } from './schema.js';

/**
 * Sections bound at start (sockets, pools, connections, identity keys): a reload keeps their
 * running values and logs that a restart is needed. Everything else applies at once.
 */
const RESTART_ONLY = ['upstream', 'identity', 'admin'] as const;
const RESTART_ONLY_NESTED = { server: ['host', 'port', 'opsPort', 'keepAliveTimeoutMs'], store: ['redis', 'memory', 'journalMaxEntries', 'journalMaxBytes', 'journal'] } as const;

/** The new config with restart-only parts taken from the running one; names what was held back. */
export function mergeReload(running: SidecartConfig, next: SidecartConfig): { config: SidecartConfig; heldBack: string[] } {
  const heldBack: string[] = [];
  const merged = structuredClone(next) as Record<string, unknown>;
  const runningRecord = running as unknown as Record<string, Record<string, unknown>>;
  const nextRecord = next as unknown as Record<string, Record<string, unknown>>;
  for (const key of RESTART_ONLY) {
    if (JSON.stringify(runningRecord[key]) !== JSON.stringify(nextRecord[key])) heldBack.push(key);
    merged[key] = structuredClone(runningRecord[key]);
  }
  for (const [section, keys] of Object.entries(RESTART_ONLY_NESTED)) {
    const target = merged[section] as Record<string, unknown>;
    for (const key of keys) {
      if (JSON.stringify(runningRecord[section]![key]) !== JSON.stringify(nextRecord[section]![key])) heldBack.push(`${section}.${key}`);
      target[key] = structuredClone(runningRecord[section]![key]);
    }
  }
  return { config: deepFreeze(merged) as unknown as SidecartConfig, heldBack };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** What became of one reload: applied, or rejected with the running config kept. */
export type ReloadResult = 'success' | 'failure';

export interface ConfigReloader {
  /** Re-read and apply now (SIGHUP). Resolves true when the new file was applied. */
  reload(trigger: string): boolean;
  close(): void;
}

/**
 * Watches the config file's directory (a Kubernetes ConfigMap update is an atomic `..data`
 * symlink swap, which a watch on the file itself misses), debounces, re-reads, validates and
 * swaps. A bad file is rejected with a log line; the running config stays. Each outcome is told
 * to `onReload` (the composition root counts them in a metric), so config knows nothing of metrics.
 */
export function createConfigReloader(options: {
  live: LiveConfig;
  logger: Logger;
  onReload?: (result: ReloadResult) => void;
  env?: NodeJS.ProcessEnv;
  debounceMs?: number;
  watchFile?: boolean;
}): ConfigReloader {
  const { live, logger } = options;
  const report = options.onReload ?? (() => undefined);
  const file = live.file;
  let lastText = '';

  const reload = (trigger: string): boolean => {
    let next: SidecartConfig;
    try {
      next = loadConfig(file, options.env ?? process.env);
    } catch (err) {
      report('failure');
      logger.error({ trigger, file, error: (err as Error).message }, 'config reload rejected; keeping the running config');
      return false;
    }
    const text = JSON.stringify(next);
    if (text === lastText && trigger === 'watch') return false;
    lastText = text;
    const { config, heldBack } = mergeReload(live.current(), next);
    live.replace(config);
    report('success');
    logger.info({ trigger, file }, 'config reloaded');
    if (heldBack.length > 0) logger.warn({ keys: heldBack }, 'config keys changed that apply only after a restart');
    return true;
  };
  lastText = JSON.stringify(loadSafely(file, options.env));

  let watcher: FSWatcher | null = null;
  let timer: NodeJS.Timeout | null = null;
  if (options.watchFile !== false) {
    try {
      const name = basename(file);
      watcher = watch(dirname(file), (_event, changed) => {
        // `..data` swaps (ConfigMap) and the file itself both count; other files in the folder don't.
        if (changed && changed !== name && !changed.startsWith('..')) return;
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => reload('watch'), options.debounceMs ?? 200);
      });
      watcher.on('error', (err) => logger.warn({ error: err.message }, 'config watch failed; SIGHUP still reloads'));
    } catch (err) {
      logger.warn({ error: (err as Error).message }, 'cannot watch the config folder; SIGHUP still reloads');
    }
  }
  return {
    reload,
    close() {
      if (timer) clearTimeout(timer);
      watcher?.close();
    },
  };
}

function loadSafely(file: string, env?: NodeJS.ProcessEnv): SidecartConfig | null {
  try {
    return loadConfig(file, env ?? process.env);
  } catch {
    return null;
  }
}
