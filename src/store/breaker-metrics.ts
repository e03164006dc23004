import type CircuitBreaker from 'opossum';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/metrics.js';

const COUNTED = ['open', 'halfOpen', 'close', 'timeout', 'failure', 'reject', 'success'] as const;

/**
 * Bridge one breaker's events to sidecart's own prom-client metrics (opossum-prometheus would
 * bring a second prom-client) and log its state changes. Returns a function that detaches.
 */
export function bridgeBreakerEvents(breaker: CircuitBreaker, metrics: Metrics | undefined, logger: Logger | undefined): () => void {
  const listeners: [string, (...args: unknown[]) => void][] = [];
  const on = (event: string, listener: (...args: unknown[]) => void) => {
    breaker.on(event as 'open', listener);
    listeners.push([event, listener]);
  };
  for (const event of COUNTED) on(event, () => metrics?.breakerEvents.inc({ event }));
  on('open', () => {
    metrics?.breakerState.set(2);
    logger?.info({ breaker: 'redis' }, 'redis breaker open: profile reads and writes use memory');
  });
  on('halfOpen', () => {
    metrics?.breakerState.set(1);
    logger?.info({ breaker: 'redis' }, 'redis breaker half-open: trying Redis again');
  });
  on('close', () => {
    metrics?.breakerState.set(0);
    logger?.info({ breaker: 'redis' }, 'redis breaker closed: using Redis');
  });
  metrics?.breakerState.set(breaker.opened ? 2 : breaker.halfOpen ? 1 : 0);
  return () => {
    for (const [event, listener] of listeners) breaker.removeListener(event, listener);
  };
}
