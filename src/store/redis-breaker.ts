import type CircuitBreaker from 'opossum';
import type { BreakerConfig } from '../config/schema.js';

// The Redis breaker's options and how its errors are classified.

export type RedisCall = (signal: AbortSignal) => Promise<unknown>;
export type Breaker = CircuitBreaker<[RedisCall, AbortSignal], unknown>;
export type Cause = 'open' | 'timeout' | 'error';

/** Errors that say nothing about Redis's health: they must never trip the breaker. */
export function isCallerError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'EINVALIDSHOPPER' || code === 'ECASCONFLICT';
}

export function causeOf(error: unknown): Cause {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'EOPENBREAKER' ? 'open' : code === 'ETIMEDOUT' ? 'timeout' : 'error';
}

export function breakerOptions(config: BreakerConfig): CircuitBreaker.Options<[RedisCall, AbortSignal]> {
  return {
    name: 'redis',
    timeout: config.timeoutMs,
    errorThresholdPercentage: config.errorThresholdPercentage,
    resetTimeout: config.resetTimeoutMs,
    volumeThreshold: config.volumeThreshold,
    rollingCountTimeout: config.rollingCountTimeoutMs,
    rollingCountBuckets: config.rollingCountBuckets,
    // LIBRARY-FACTS: percentiles sort the latency window on every failure; snapshots are unused.
    rollingPercentilesEnabled: false,
    enableSnapshots: false,
    errorFilter: isCallerError,
  };
}
