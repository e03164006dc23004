import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

// Every metric sidecart exports, defined here and only here. Stages report what happened
// (return values or events); the composition root and a few edges record it.
// Label values are bounded: routes are the configured route paths (or "other"), reasons are
// the fixed pass-through reasons, backends and event types are fixed lists. Never a shopper id.

/** Added-latency buckets in seconds: 0.25 ms doubling up to ~1 s. */
const OVERHEAD_BUCKETS = [0.00025, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024];
const UPSTREAM_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const STORE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256];

export function createMetrics(options: { processMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.processMetrics !== false) {
    collectDefaultMetrics({ register: registry, prefix: 'sidecart_' });
    // prom-client also exports these three as gauges named `_total`, which `promtool check
    // metrics` rejects (only counters may end in _total). The same numbers stay available
    // without the suffix (sidecart_nodejs_active_handles, ...).
    for (const name of ['active_handles_total', 'active_requests_total', 'active_resources_total']) {
      registry.removeSingleMetric(`sidecart_nodejs_${name}`);
    }
  }
  const r = [registry];
  return {
    registry,
    requests: new Counter({
      name: 'sidecart_search_requests_total',
      help: 'Search-route responses by route and outcome (personalized; passthrough with its reason; upstream-error with 502 or 504).',
      labelNames: ['route', 'outcome', 'reason'] as const,
      registers: r,
    }),
    personalizedResults: new Counter({
      name: 'sidecart_personalized_results_total',
      help: 'Result lists sent personalized, by route: one per personalized single search, one per personalized sub-result of a multi-query search.',
      labelNames: ['route'] as const,
      registers: r,
    }),
    passthroughRequests: new Counter({
      name: 'sidecart_passthrough_requests_total',
      help: 'Non-search requests streamed to the upstream, by status class (2xx..5xx) or error (502, 504).',
      labelNames: ['status_class'] as const,
      registers: r,
    }),
    overhead: new Histogram({
      name: 'sidecart_personalization_duration_seconds',
      help: "sidecart's own work on a search response after the upstream answered (load profile, rerank, compile, serialize).",
      labelNames: ['route'] as const,
      buckets: OVERHEAD_BUCKETS,
      registers: r,
    }),
    upstreamDuration: new Histogram({
      name: 'sidecart_upstream_duration_seconds',
      help: 'Time from sending a search request upstream to having its whole body.',
      labelNames: ['route'] as const,
      buckets: UPSTREAM_BUCKETS,
      registers: r,
    }),
    storeDuration: new Histogram({
      name: 'sidecart_profile_store_duration_seconds',
      help: 'Profile store operation latency by backend (memory, redis) and operation (read, write, erase).',
      labelNames: ['backend', 'operation'] as const,
      buckets: STORE_BUCKETS,
      registers: r,
    }),
    storeFallbacks: new Counter({
      name: 'sidecart_profile_store_fallbacks_total',
      help: 'Store operations served by the memory fallback because Redis failed, timed out or the breaker was open.',
      labelNames: ['operation', 'cause'] as const,
      registers: r,
    }),
    breakerState: new Gauge({
      name: 'sidecart_breaker_state',
      help: 'Redis circuit breaker state: 0 closed, 1 half-open, 2 open.',
      registers: r,
    }),
    breakerEvents: new Counter({
      name: 'sidecart_breaker_events_total',
      help: 'Redis circuit breaker events (open, halfOpen, close, timeout, failure, reject, success).',
      labelNames: ['event'] as const,
      registers: r,
    }),
    redisUp: new Gauge({
      name: 'sidecart_redis_up',
      help: '1 when Redis is configured and its connection is ready, 0 otherwise.',
      registers: r,
    }),
    journalDepth: new Gauge({
      name: 'sidecart_replay_journal_entries',
      help: 'Writes waiting in the replay journal for Redis to return.',
      registers: r,
    }),
    journalDropped: new Counter({
      name: 'sidecart_replay_journal_dropped_total',
      help: 'Writes refused (503) because Redis was away and the replay journal was absent or full.',
      registers: r,
    }),
    journalReplayed: new Counter({
      name: 'sidecart_replay_journal_replayed_total',
      help: 'Journaled writes applied to Redis after it returned.',
      registers: r,
    }),
    memoryEntries: new Gauge({
      name: 'sidecart_memory_store_shoppers',
      help: 'Shoppers held in the memory store.',
      registers: r,
    }),
    memoryBytes: new Gauge({
      name: 'sidecart_memory_store_bytes',
      help: 'Estimated bytes held by the memory store.',
      registers: r,
    }),
    memoryCapacityBytes: new Gauge({
      name: 'sidecart_memory_store_capacity_bytes',
      help: 'Configured byte limit of the memory store.',
      registers: r,
    }),
    memoryEvictions: new Counter({
      name: 'sidecart_memory_store_evictions_total',
      help: 'Shoppers evicted from the memory store by its LRU limits.',
      registers: r,
    }),
    eventsIngested: new Counter({
      name: 'sidecart_events_ingested_total',
      help: 'Shopping events accepted, by type and source (api, tap, import).',
      labelNames: ['type', 'source'] as const,
      registers: r,
    }),
    eventsRejected: new Counter({
      name: 'sidecart_events_rejected_total',
      help: 'Event batches not kept, by reason (invalid, no-identity, forbidden, rate-limited, opted-out).',
      labelNames: ['reason'] as const,
      registers: r,
    }),
    featureAdoption: new Gauge({
      name: 'sidecart_feature_enabled_shoppers',
      help: 'Shoppers seen recently with each feature on (after store defaults and their own settings).',
      labelNames: ['feature'] as const,
      registers: r,
    }),
    configReloads: new Counter({
      name: 'sidecart_config_reloads_total',
      help: 'Config reloads by result (success, failure).',
      labelNames: ['result'] as const,
      registers: r,
    }),
    experimentExposures: new Counter({
      name: 'sidecart_experiment_exposures_total',
      help: 'Search responses served per experiment variant.',
      labelNames: ['experiment', 'variant'] as const,
      registers: r,
    }),
    experimentShoppers: new Counter({
      name: 'sidecart_experiment_shoppers_total',
      help: 'Distinct shoppers first seen in each experiment variant by this process.',
      labelNames: ['experiment', 'variant'] as const,
      registers: r,
    }),
    experimentConversions: new Counter({
      name: 'sidecart_experiment_conversions_total',
      help: 'Purchases and add-to-carts attributed to a variant; influenced=true when the product was in a personalized result shortly before.',
      labelNames: ['experiment', 'variant', 'type', 'influenced'] as const,
      registers: r,
    }),
    experimentConvertedShoppers: new Counter({
      name: 'sidecart_experiment_converted_shoppers_total',
      help: 'Distinct exposed shoppers with at least one attributed purchase or add-to-cart, per variant and type (the numerator of the conversion rate).',
      labelNames: ['experiment', 'variant', 'type'] as const,
      registers: r,
    }),
    shadowDisplacement: new Histogram({
      name: 'sidecart_shadow_top_hits_displacement',
      help: 'Shadow mode: mean absolute position change of the top 10 hits had the response been personalized.',
      labelNames: ['route'] as const,
      buckets: [0, 0.5, 1, 2, 4, 8, 16, 32],
      registers: r,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
