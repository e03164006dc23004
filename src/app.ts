import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Router } from 'express';
import type { SearchAdapter } from './adapters/adapter.js';
import { createAdapter } from './adapters/create-adapter.js';
import { createConfigReloader } from './config/config-reloader.js';
import { LiveConfig } from './config/live-config.js';
import { loadConfiguredModel, reloadModelOnChange } from './model/load-configured-model.js';
import type { RouteConfig, SidecartConfig } from './config/schema.js';
import { createEventsRouter } from './events/events-router.js';
import { createTrafficTap } from './events/traffic-tap.js';
import { createAdminRouter } from './controls/admin-router.js';
import { createJsonDepthGuard } from './controls/json-depth-guard.js';
import { createShopperControlsRouter } from './controls/shopper-controls-router.js';
import { createSectionsRouter } from './controls/sections-router.js';
import { createAttribution } from './experiments/attribution.js';
import { createExperimentsAdminRouter } from './experiments/experiments-admin-router.js';
import { createVariantAssigner } from './experiments/variant-assigner.js';
import { createIdentityResolver } from './identity/create-identity-resolver.js';
import { logIdentitySources, trustedHeader } from './identity/identity-sources.js';
import type { IdentityResolver } from './identity/shopper-identity.js';
import { createLogger, type Logger } from './logging/logger.js';
import { FeatureAdoption } from './metrics/feature-adoption.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { applyEvents } from './personalization/profile-update.js';
import { createOpsServer } from './proxy/ops-server.js';
import { createPassthrough } from './proxy/passthrough.js';
import { createSearchHandler, type SearchRouteDeps } from './proxy/search-route.js';
import { createTrafficServer } from './proxy/traffic-server.js';
import { createPassthroughAgent, createUpstreamPool } from './proxy/upstream-pool.js';
import { createCoPurchaseFeed } from './events/co-purchase-feed.js';
import type { EventsAcceptedHook } from './events/ingest-events.js';
import type { CoPurchaseStore } from './store/co-purchase-store.js';
import { createCoPurchaseStore } from './store/create-co-purchase-store.js';
import { createProfileStore } from './store/create-profile-store.js';
import { createProcessSoundness } from './proxy/process-soundness.js';
import type { ProfileStore } from './store/profile-store.js';

export interface SidecartOptions {
  config: SidecartConfig;
  /** The file the config came from (named in errors and reloads). */
  configFile: string;
  logger?: Logger;
  metrics?: Metrics;
  /** Replace the store built from config (tests). */
  store?: ProfileStore;
  /** Watch the config file and reload the tunable parts on change (main does; tests opt in). */
  watchConfig?: boolean;
}

export interface Sidecart {
  live: LiveConfig;
  metrics: Metrics;
  logger: Logger;
  store: ProfileStore;
  /** Store-wide co-purchase counts (complementary; used only when personalization.complementaryStoreWide is on). */
  coPurchases: CoPurchaseStore;
  traffic: Server;
  ops: Server;
  /** Listen on the configured ports (0 = any free port); resolves with the bound ports. */
  listen(): Promise<{ port: number; opsPort: number }>;
  /** Re-read the config file now (SIGHUP); false when it was rejected. */
  reloadConfig(trigger: string): boolean;
  /** Graceful stop: unready, drain in-flight requests (bounded), close pool, store, servers. */
  shutdown(): Promise<void>;
}

/**
 * The composition root: every I/O client (undici pool, proxy agent, store, metrics registry,
 * logger) is built here once and passed in. `listen()` is separate so tests can build an app
 * and bind it to free ports.
 */
export function createSidecart(options: SidecartOptions): Sidecart {
  const live = new LiveConfig(options.config, options.configFile);
  const config = live.current();
  const logger = options.logger ?? createLogger(config.logging.level);
  const metrics = options.metrics ?? createMetrics();
  const store =
    options.store ??
    // The updater reads the live personalization config, so a reload applies to the next write.
    createProfileStore({ config, metrics, logger, updater: (state, events, now) => applyEvents(state, events, now, live.current().personalization) });
  const identify: IdentityResolver = createIdentityResolver(config.identity);
  logIdentitySources(config.identity, logger);

  const pool = createUpstreamPool(config.upstream);
  const agent = createPassthroughAgent(config.upstream);
  // Its own pool, so pass-through traffic never takes the search path's connections.
  const passthroughPool = config.upstream.passthroughFastLane ? createUpstreamPool(config.upstream) : null;
  const adapters = new Map<RouteConfig, SearchAdapter>();
  const adapterFor = (route: RouteConfig) => {
    let adapter = adapters.get(route);
    if (!adapter) adapters.set(route, (adapter = createAdapter(route)));
    return adapter;
  };

  // Experiments: a deterministic variant per shopper, exposed to the storefront in a header;
  // attribution remembers what each shopper was shown and counts their conversions (per process).
  const attribution = createAttribution({ live, metrics, logger });
  // Purchases also feed the store-wide co-purchase counts, when the store enables them.
  const coPurchases = createCoPurchaseStore({ live, logger });
  const feedCoPurchases = createCoPurchaseFeed({ live, store, coPurchases });
  const onEventsAccepted: EventsAcceptedHook = (shopperId, events, source, now) => {
    attribution.onEventsAccepted(shopperId, events, source, now);
    feedCoPurchases(shopperId, events, source, now);
  };
  const adoption = new FeatureAdoption(metrics.featureAdoption);
  const searchDeps: SearchRouteDeps = {
    live,
    pool,
    store,
    identify,
    adapterFor,
    metrics,
    logger,
    assignVariant: createVariantAssigner(live),
    onServed: (served) => {
      attribution.onServed(served);
      if (served.shopper && served.result) adoption.observe(served.shopper.id, served.result.section.features, served.now);
    },
    variantHeader: 'x-sidecart-variant',
    coPurchases,
  };
  // The depth guard goes first so it covers every API router mounted after it.
  const jsonDepthGuard = express.Router().use('/sidecart/v1', createJsonDepthGuard());
  const apiRouters: Router[] = [
    jsonDepthGuard,
    createEventsRouter({ live, store, identify, metrics, onEventsAccepted }),
    createShopperControlsRouter({ live, store, identify, logger }),
    createSectionsRouter({ live, store, identify }),
  ];
  const adminRouters: Router[] = [createAdminRouter({ live, store, logger }), createExperimentsAdminRouter({ live, metrics })];

  const tap = createTrafficTap({ live, store, identify, metrics, logger, onEventsAccepted });
  const traffic = createTrafficServer({
    live,
    logger,
    handleSearch: createSearchHandler(searchDeps),
    passthrough: tap.wrap(createPassthrough({ target: config.upstream.url, timeoutMs: config.upstream.timeoutMs, bodyTimeoutMs: config.upstream.bodyTimeoutMs, agent, pool: passthroughPool ?? undefined, needsHpm: tap.tapped, backendHost: !config.upstream.preserveHost, logger, metrics, onProxyResponse: tap.onProxyResponse, identityHeader: () => trustedHeader(live.current().identity) })),
    apiRouters,
    apiBodyLimit: () => live.current().events.maxBodyBytes,
  });
  traffic.keepAliveTimeout = config.server.keepAliveTimeoutMs;
  traffic.headersTimeout = config.server.keepAliveTimeoutMs + 5_000;

  live.onChange((next, previous) => {
    if (next.store.breaker !== previous.store.breaker) store.reconfigure?.(next.store.breaker);
    if (next.store.breaker !== previous.store.breaker) coPurchases.reconfigure?.(next.store.breaker);
  });
  // The next-basket model file named by personalization.model: read at start, again on each reload.
  loadConfiguredModel(config, options.configFile);
  reloadModelOnChange(live, logger);
  const reloader = createConfigReloader({ live, logger, onReload: (result) => metrics.configReloads.inc({ result }), watchFile: options.watchConfig === true });

  let ready = false;
  let draining = false;
  const soundness = createProcessSoundness(logger);
  const ops = createOpsServer({ metrics, logger, isReady: () => ready && !draining, soundness, adminRouters, adminToken: () => live.current().admin.token });

  const listenOn = (server: Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, config.server.host, () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });

  return {
    live,
    metrics,
    logger,
    store,
    coPurchases,
    traffic,
    ops,
    reloadConfig: (trigger) => reloader.reload(trigger),
    async listen() {
      const opsPort = await listenOn(ops, config.server.opsPort);
      const port = await listenOn(traffic, config.server.port);
      ready = true;
      logger.info({ port, opsPort, upstream: config.upstream.url, routes: config.routes.length }, 'sidecart listening');
      return { port, opsPort };
    },
    async shutdown() {
      if (draining) return;
      draining = true;
      reloader.close();
      const { drainDelayMs, shutdownGraceMs } = live.current().server;
      logger.info({ drainDelayMs, shutdownGraceMs }, 'shutting down: unready, draining');
      if (drainDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, drainDelayMs));
      const closed = new Promise<void>((resolve) => traffic.close(() => resolve()));
      // close() ends only the sockets idle right now; a keep-alive socket whose response is still
      // going out goes idle later and would hold the drain to the grace period's end. Sweep them.
      traffic.closeIdleConnections();
      const sweep = setInterval(() => traffic.closeIdleConnections(), 50);
      const grace = new Promise<'grace'>((resolve) => setTimeout(() => resolve('grace'), shutdownGraceMs).unref());
      const drained = await Promise.race([closed, grace]);
      clearInterval(sweep);
      if (drained === 'grace') {
        logger.warn('grace period over; closing remaining connections');
        traffic.closeAllConnections();
      }
      await tap.idle();
      if (store.flush) {
        const flushed = await store.flush(Math.max(1000, shutdownGraceMs / 2));
        if (flushed.remaining > 0) logger.warn(flushed, 'journaled writes could not reach Redis before exit');
      }
      await store.close();
      await coPurchases.close();
      await pool.close().catch(() => undefined);
      await passthroughPool?.close().catch(() => undefined);
      agent.destroy();
      await new Promise<void>((resolve) => {
        ops.close(() => resolve());
        ops.closeAllConnections();
      });
      logger.info('sidecart stopped');
    },
  };
}
