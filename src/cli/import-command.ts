import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, defaultConfigPath, loadConfig, parseConfig } from '../config/load-config.js';
import type { SidecartConfig } from '../config/schema.js';
import { ImportError, runImport, type ImportSummary } from '../events/import-run.js';
import type { ImportFormat } from '../events/import-formats.js';
import { createLogger } from '../logging/logger.js';
import { createMetrics } from '../metrics/metrics.js';
import { createProfileUpdater } from '../personalization/profile-update.js';
import { createProfileStore, isRedisConfigured } from '../store/create-profile-store.js';
import { createProgressDisplay, describeSummary, type ProgressStream } from './progress-display.js';

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: ProgressStream;
  env: NodeJS.ProcessEnv;
  /** Aborts the run (the CLI wires SIGINT/SIGTERM to it). */
  signal?: AbortSignal;
}

export const IMPORT_USAGE = `usage: sidecart import <file> [options]

Builds shopper profiles from order history, through the configured profile store
(Redis when store.redis is set or SIDECART_REDIS_URL is given, else memory: a dry run).

  <file>                 .jsonl/.ndjson: one event per line, with shopperId
                         .csv: shopper_id,order_id,product_id,at[,quantity,brand,category,price,tags]
  --format csv|jsonl     override the format guessed from the file name
  --config <file>        sidecart config (default: SIDECART_CONFIG or config/default.yaml)
  --checkpoint <file>    where progress is kept (default: <file>.checkpoint.json)
  --no-checkpoint        do not keep one (the run is still idempotent)
  --restart              ignore the checkpoint and start from the top
  --concurrency <n>      shopper batches in flight (default 8)
  --json                 print the summary as JSON
  --quiet                no progress display

Exit codes: 0 done, 1 done with rejected lines, 2 usage or config error,
3 store or checkpoint error (rerun to resume), 130 interrupted (rerun to resume).
`;

export const EXIT = { ok: 0, rejected: 1, usage: 2, failed: 3, interrupted: 130 } as const;

export function loadCliConfig(explicit: string | undefined, env: NodeJS.ProcessEnv): SidecartConfig {
  const file = explicit ?? defaultConfigPath(env);
  // Without a config file the import still runs on defaults plus environment overrides.
  if (!explicit && !existsSync(file)) return parseConfig('{}', '(defaults)', env);
  return loadConfig(file, env);
}

/** Seconds, not the request path's milliseconds: a batch job waits for a busy Redis. */
const IMPORT_TIMEOUT_MS = 10_000;

/**
 * The store settings for a batch job. The server's breaker and command timeouts (tens of ms)
 * protect search latency; an import must instead wait for a busy Redis rather than fall back
 * to memory, so they are raised here (and nowhere else).
 */
export function importStoreConfig(config: SidecartConfig): SidecartConfig {
  const { store } = config;
  return {
    ...config,
    store: {
      ...store,
      redis: { ...store.redis, commandTimeoutMs: Math.max(store.redis.commandTimeoutMs, IMPORT_TIMEOUT_MS), connectTimeoutMs: Math.max(store.redis.connectTimeoutMs, 2_000) },
      breaker: { ...store.breaker, timeoutMs: Math.max(store.breaker.timeoutMs, IMPORT_TIMEOUT_MS) },
    },
  };
}

/** `sidecart import <file>`: returns the exit code. */
export async function runImportCommand(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string' },
        config: { type: 'string' },
        checkpoint: { type: 'string' },
        'no-checkpoint': { type: 'boolean', default: false },
        restart: { type: 'boolean', default: false },
        concurrency: { type: 'string' },
        json: { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    io.stderr.write(`sidecart import: ${(err as Error).message}\n\n${IMPORT_USAGE}`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(IMPORT_USAGE);
    return EXIT.ok;
  }
  const file = positionals[0];
  const format = values.format;
  const concurrency = values.concurrency === undefined ? 8 : Number(values.concurrency);
  const problem =
    positionals.length !== 1
      ? 'expected exactly one file'
      : format !== undefined && format !== 'csv' && format !== 'jsonl'
        ? `--format must be csv or jsonl, got ${format}`
        : !Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256
          ? '--concurrency must be an integer from 1 to 256'
          : !existsSync(file!)
            ? `no such file: ${file}`
            : null;
  if (problem) {
    io.stderr.write(`sidecart import: ${problem}\n\n${IMPORT_USAGE}`);
    return EXIT.usage;
  }

  let config: SidecartConfig;
  try {
    config = importStoreConfig(loadCliConfig(values.config, io.env));
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`sidecart import: ${err.message}\n`);
      return EXIT.usage;
    }
    throw err;
  }

  const metrics = createMetrics({ processMetrics: false });
  const logger = createLogger('warn', io.stderr as NodeJS.WritableStream);
  const store = createProfileStore({ config, metrics, logger, updater: createProfileUpdater(config.personalization) });
  try {
    if (isRedisConfigured(config.store.redis)) {
      if (!(await waitForRedis(() => store.health().redisReady, Math.max(2_000, config.store.redis.connectTimeoutMs * 4)))) {
        io.stderr.write('sidecart import: Redis is configured but not reachable; nothing was imported\n');
        return EXIT.failed;
      }
    } else if (!values.quiet) {
      io.stderr.write('sidecart import: no Redis configured (store.redis / SIDECART_REDIS_URL): profiles are built in memory and lost at exit (a dry run)\n');
    }

    const display = createProgressDisplay(io.stderr, `importing ${file}`);
    let summary: ImportSummary;
    try {
      summary = await runImport({
        file: file!,
        ...(format ? { format: format as ImportFormat } : {}),
        store,
        metrics,
        limits: { maxItemsPerEvent: config.events.maxItemsPerEvent, maxIdLength: config.identity.maxIdLength },
        checkpointPath: values['no-checkpoint'] ? null : (values.checkpoint ?? `${file}.checkpoint.json`),
        restart: values.restart,
        concurrency,
        ...(io.signal ? { signal: io.signal } : {}),
        ...(values.quiet ? {} : { onProgress: (p) => display.update(p) }),
      });
    } catch (err) {
      display.finish();
      if (err instanceof ImportError) {
        const where = err.resumeAt ? ` (a rerun resumes at line ${err.resumeAt.lineNo + 1})` : '';
        io.stderr.write(`sidecart import: ${err.message}${where}\n`);
        return err.code === 'EIMPORT_FORMAT' ? EXIT.usage : EXIT.failed;
      }
      throw err;
    }
    display.finish();
    io.stdout.write(values.json ? JSON.stringify(summary) + '\n' : describeSummary(summary));
    if (summary.outcome === 'interrupted') return EXIT.interrupted;
    return summary.rejected > 0 ? EXIT.rejected : EXIT.ok;
  } finally {
    await store.flush(5_000).catch(() => undefined);
    await store.close();
  }
}

async function waitForRedis(ready: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}
