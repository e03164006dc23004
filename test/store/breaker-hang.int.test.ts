import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import type { ResilientProfileStore } from '../../src/store/resilient-profile-store.js';
import type { RedisServer } from '../support/redis-server.js';
import { counterValue, redisPerTest, resilientStore } from './store-harness.js';

// The shipped breaker defaults against a hung Redis (SIGSTOP): under steady load the breaker
// opens within a second of the hang; a 100 ms pause under light load never opens it.

const { ownRedis, closeAfter } = redisPerTest();
const DEFAULTS = configSchema.parse({}).store.breaker;
let prefix = 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function storeWithDefaults(server: RedisServer) {
  // Near cache off: every read goes to Redis, as in the bench's hard case.
  const built = resilientStore({ redisUrl: server.url, keyPrefix: `bh${++prefix}`, commandTimeoutMs: 5_000, breaker: DEFAULTS });
  closeAfter(() => built.store.close());
  expect(await built.store.ready()).toBe(true);
  return built;
}

interface LoadRun {
  reads: number;
  fellBack: number;
  /** ms from the start of the run when the breaker was first seen open; null: never. */
  openedAt: number | null;
  /** The slowest read that started while the breaker was closed (ms). */
  slowestClosedMs: number;
}

/**
 * Open-loop reads at `rate` per second (each tick sends what the clock owes), each for one of 200
 * shoppers in turn, for `durationMs`; `during(elapsedMs)` runs every tick. Bounded: it stops at
 * `durationMs` whatever happens.
 */
async function steadyReads(store: ResilientProfileStore, rate: number, durationMs: number, during: (elapsedMs: number) => void): Promise<LoadRun> {
  const run: LoadRun = { reads: 0, fellBack: 0, openedAt: null, slowestClosedMs: 0 };
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (;;) {
    const elapsed = performance.now() - start;
    if (elapsed >= durationMs) break;
    during(elapsed);
    if (run.openedAt === null && store.health().breaker === 'open') run.openedAt = elapsed;
    const owed = Math.floor((elapsed * rate) / 1000) - run.reads;
    for (let i = 0; i < owed; i++) {
      const shopper = `hang-${run.reads++ % 200}`;
      const closed = store.health().breaker === 'closed';
      const sent = performance.now();
      pending.push(
        store.read(shopper, Date.now()).then((read) => {
          if (read.source === 'fallback') run.fellBack++;
          if (closed) run.slowestClosedMs = Math.max(run.slowestClosedMs, performance.now() - sent);
        }),
      );
    }
    await sleep(2);
  }
  await Promise.all(pending);
  return run;
}

describe('breaker defaults against a hung Redis', () => {
  it('under steady load (500 reads/s) the breaker opens within 1 s of SIGSTOP', async () => {
    const server = await ownRedis();
    const { store } = await storeWithDefaults(server);
    // Load long enough before the hang that the window is full of successes, as in a shop.
    const pauseAt = 2_500;
    let pausedAt: number | null = null;
    try {
      const run = await steadyReads(store, 500, 4_000, (elapsed) => {
        if (pausedAt === null && elapsed >= pauseAt) {
          server.pause();
          pausedAt = elapsed;
        }
      });
      expect(pausedAt).not.toBeNull();
      expect(run.openedAt, `breaker never opened (${run.fellBack} of ${run.reads} reads fell back)`).not.toBeNull();
      const openAfterMs = run.openedAt! - pausedAt!;
      expect(openAfterMs).toBeGreaterThan(0);
      expect(openAfterMs, `opened ${Math.round(openAfterMs)} ms after the hang`).toBeLessThan(1_000);
      // A read the closed breaker let through waited for the read timeout, not for ioredis's 5 s.
      expect(run.slowestClosedMs).toBeLessThan(DEFAULTS.timeoutMs + 200);
    } finally {
      server.resume();
    }
  });

  it('a 100 ms pause under light load (20 reads/s) does not open it', async () => {
    const server = await ownRedis();
    const { store, metrics } = await storeWithDefaults(server);
    let paused = false;
    let resumed = false;
    try {
      const run = await steadyReads(store, 20, 3_000, (elapsed) => {
        if (!paused && elapsed >= 1_500) {
          server.pause();
          paused = true;
          setTimeout(() => {
            server.resume();
            resumed = true;
          }, 100);
        }
      });
      expect(resumed).toBe(true);
      // The pause was felt (reads in it fell back), and the breaker stayed closed.
      expect(run.fellBack).toBeGreaterThan(0);
      expect(run.openedAt).toBeNull();
      expect(await counterValue(metrics.breakerEvents, { event: 'open' })).toBe(0);
      expect(store.health().breaker).toBe('closed');
    } finally {
      server.resume();
    }
  });
});
