import CircuitBreaker from 'opossum';
import type { BreakerConfig } from '../config/schema.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { bridgeBreakerEvents } from './breaker-metrics.js';

// The one place a Redis circuit breaker is built, timed and reconfigured, for every store that
// talks to Redis. Only opossum 9's declared API is used: its `options` object is never touched.

export type RedisCall = (signal: AbortSignal) => Promise<unknown>;
export type Cause = 'open' | 'timeout' | 'error';
export type BreakerState = 'closed' | 'open' | 'half-open';
type Action = (call: RedisCall, signal: AbortSignal, timeoutMs: number) => Promise<unknown>;
type Opossum = CircuitBreaker<Parameters<Action>, unknown>;

/** Errors that say nothing about Redis's health: they must never trip the breaker. */
export function isCallerError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'EINVALIDSHOPPER' || code === 'ECASCONFLICT';
}

export function causeOf(error: unknown): Cause {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'EOPENBREAKER' ? 'open' : code === 'ETIMEDOUT' ? 'timeout' : 'error';
}

export interface RedisBreakerOptions {
  name: string;
  config: BreakerConfig;
  /** Given: the breaker's events and state go to these metrics (and its state changes to the log). */
  metrics?: Metrics;
  logger?: Logger;
  /** Half-open: the store's chance to send the one trial call at once instead of waiting for traffic. */
  onHalfOpen?: () => void;
  /** Closed again: the store's chance to replay what waited for Redis. */
  onClose?: () => void;
}

/** The settings in force (admin view; tests). */
export interface BreakerSettings {
  timeout: number;
  writeTimeout: number;
  resetTimeout: number;
  errorThresholdPercentage: number;
  volumeThreshold: number;
  rollingCountTimeout: number;
  rollingCountBuckets: number;
}

/** For reads: nothing to stop once the breaker gave up on them, so one signal that never aborts. */
const NEVER_ABORTED = new AbortController().signal;

/**
 * One view of Redis's health with two timeouts: reads count as failed after `timeoutMs` (they hold
 * a search), writes after `writeTimeoutMs` (off the search path, a round trip or two).
 *
 * opossum has one timeout per breaker, so its own is off and each call carries its timeout into
 * the action, which races the Redis call against a timer. A timeout emits opossum's `timeout`
 * event (metrics and opossum's counts see it as before) and fails the call.
 *
 * Settings change live by building a new opossum breaker that takes over the old one's state
 * (closed, open with its reset timer, half-open) and its window's counts: opossum 9 fixes the
 * volume threshold and the rolling window at construction.
 */
export class RedisBreaker {
  private breaker: Opossum;
  private config: BreakerConfig;
  private detachMetrics: () => void = () => undefined;
  private stopped = false;

  constructor(private readonly options: RedisBreakerOptions) {
    this.config = options.config;
    this.breaker = this.build(options.config);
  }

  get state(): BreakerState {
    return this.breaker.opened ? 'open' : this.breaker.halfOpen ? 'half-open' : 'closed';
  }

  get closed(): boolean {
    return this.breaker.closed;
  }

  /** A read: fails after `timeoutMs`, at once while open. */
  read<T>(operation: () => Promise<T>): Promise<T> {
    return this.breaker.fire(operation, NEVER_ABORTED, this.config.timeoutMs) as Promise<T>;
  }

  /**
   * A write (or probe): fails after `timeoutMs` (the write timeout unless told otherwise); a call
   * that failed gets its signal aborted, which stops ioredis's retries of the work still running.
   */
  async write<T>(operation: (signal: AbortSignal) => Promise<T>, timeoutMs = this.config.writeTimeoutMs): Promise<T> {
    const controller = new AbortController();
    try {
      return (await this.breaker.fire(operation, controller.signal, timeoutMs)) as T;
    } catch (error) {
      controller.abort();
      throw error;
    }
  }

  /** Apply new settings without a restart; the timeouts apply to the next call. */
  reconfigure(next: BreakerConfig): void {
    const previous = this.config;
    this.config = next;
    if (this.stopped) return;
    const rebuild =
      next.errorThresholdPercentage !== previous.errorThresholdPercentage ||
      next.resetTimeoutMs !== previous.resetTimeoutMs ||
      next.volumeThreshold !== previous.volumeThreshold ||
      next.rollingCountTimeoutMs !== previous.rollingCountTimeoutMs ||
      next.rollingCountBuckets !== previous.rollingCountBuckets;
    if (!rebuild) return;
    const old = this.breaker;
    const { state, status } = old.toJSON();
    this.detachMetrics();
    this.breaker = this.build(next, old.closed ? undefined : state, status);
    // Calls in flight on the old breaker settle on their own; shutdown stops its timers.
    old.shutdown();
    // Built half-open (its reset time passed while open): its halfOpen event went unheard.
    if (this.breaker.halfOpen) this.options.onHalfOpen?.();
  }

  settings(): BreakerSettings {
    const c = this.config;
    return {
      timeout: c.timeoutMs,
      writeTimeout: c.writeTimeoutMs,
      resetTimeout: c.resetTimeoutMs,
      errorThresholdPercentage: c.errorThresholdPercentage,
      volumeThreshold: this.breaker.volumeThreshold,
      rollingCountTimeout: c.rollingCountTimeoutMs,
      rollingCountBuckets: c.rollingCountBuckets,
    };
  }

  shutdown(): void {
    this.stopped = true;
    this.detachMetrics();
    this.breaker.shutdown();
  }

  private build(config: BreakerConfig, state?: CircuitBreaker.State, counts?: CircuitBreaker.Stats): Opossum {
    const window = {
      rollingCountTimeout: config.rollingCountTimeoutMs,
      rollingCountBuckets: config.rollingCountBuckets,
      // LIBRARY-FACTS: percentiles sort the latency window on every failure; snapshots are unused.
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
    };
    const action: Action = (call, signal, timeoutMs) => withTimeout(call, signal, timeoutMs, () => breaker.emit('timeout'));
    const breaker: Opossum = new CircuitBreaker(action, {
      name: this.options.name,
      timeout: false,
      errorThresholdPercentage: config.errorThresholdPercentage,
      resetTimeout: config.resetTimeoutMs,
      volumeThreshold: config.volumeThreshold,
      ...window,
      // The old window's counts land in the new window's newest bucket and leave with it.
      ...(counts ? { status: CircuitBreaker.newStatus({ ...window, stats: counts }) } : {}),
      ...(state ? { state } : {}),
      errorFilter: isCallerError,
    });
    breaker.on('halfOpen', () => {
      if (breaker === this.breaker && !this.stopped) this.options.onHalfOpen?.();
    });
    breaker.on('close', () => {
      if (breaker === this.breaker && !this.stopped) this.options.onClose?.();
    });
    if (this.options.metrics || this.options.logger) this.detachMetrics = bridgeBreakerEvents(breaker, this.options.metrics, this.options.logger);
    return breaker;
  }
}

/** The call, or an ETIMEDOUT error after `timeoutMs` (the call itself keeps running). */
function withTimeout(call: RedisCall, signal: AbortSignal, timeoutMs: number, onTimeout: () => void): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout();
      reject(Object.assign(new Error(`Timed out after ${timeoutMs}ms`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    let pending: Promise<unknown>;
    try {
      pending = call(signal);
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
