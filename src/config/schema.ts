import { z } from 'zod';
import { withEngineRoutes } from './engine-routes.js';

// The one place that defines every config key, its type, default and meaning. Each nested object
// defaults to its own parsed empty value (`.prefault({})`), so a field's default is written once,
// on the field. `config/default.yaml` sets only what an operator must set; the README's config
// reference lists every key with these defaults (test/config/defaults-single-source.test.ts holds
// both to this file). Types used across the code are derived from here.

const ms = (def: number) => z.number().int().min(0).default(def);
const positiveInt = (def: number) => z.number().int().min(1).default(def);

export const FEATURE_NAMES = [
  'smart_ranking',
  'usual',
  'reorder',
  'dietary',
  'complementary',
  'price_sensitivity',
  'quantity_memory',
  'household',
  'seasonal',
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

export const EVENT_TYPES = ['purchase', 'add_to_cart', 'remove_from_cart', 'click', 'view', 'search'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const ADAPTER_NAMES = [
  'elasticsearch',
  'opensearch',
  'solr',
  'algolia',
  'meilisearch',
  'typesense',
  'generic',
] as const;
export type AdapterName = (typeof ADAPTER_NAMES)[number];

/** Engines whose standard routes `engine` sets up (every adapter but generic). */
export const ENGINE_NAMES = ['elasticsearch', 'opensearch', 'solr', 'algolia', 'meilisearch', 'typesense'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/** Paths are dot-separated (`data.items`, `meta.brand`); `""` means the document itself. */
const jsonPath = z.string().regex(/^(?:[^.]+(?:\.[^.]+)*)?$/, 'a dot path without empty segments (a.b.0)');
const genericPathsSchema = z
  .object({
    hitsPath: jsonPath.default(''),
    idPath: jsonPath.default('id'),
    brandPath: jsonPath.optional(),
    categoryPath: jsonPath.optional(),
    tagsPath: jsonPath.optional(),
    pricePath: jsonPath.optional(),
    namePath: jsonPath.optional(),
  })
  .strict();

const routeSchema = z
  .object({
    /** Exact path, or a prefix ending in `*` (`/products/*`); `:name` matches one segment. */
    path: z.string().startsWith('/'),
    adapter: z.enum(ADAPTER_NAMES),
    /** sidecart's own work after the upstream answered, in ms. Past it: passthrough; reason=budget. */
    budgetMs: z.number().int().min(1).max(10_000).default(50),
    /** 0 = backend order, 1 = the shopper's affinities weigh as much as possible. */
    strength: z.number().min(0).max(1).default(0.5),
    /** Personalize and measure, but always send the backend's bytes. */
    shadow: z.boolean().default(false),
    /** Name of an experiment (see `experiments`) that splits this route's shoppers. */
    experiment: z.string().optional(),
    /** Multi-query searches: only sub-results answering these indexes (collections) are personalized. Unset: every sub-result with hits. */
    indexes: z.array(z.string().min(1)).min(1).optional(),
    /**
     * Rerank window: a page inside the top N is answered from the backend's top N, ranked as a
     * whole (src/adapters/paging). Unset: only the page asked for is ranked.
     */
    rerankWindow: z.number().int().min(1).max(1000).optional(),
    generic: genericPathsSchema.optional(),
  })
  .strict();

const breakerSchema = z
  .object({
    /** Reads: well below the routes' budgetMs, so a hung Redis falls back to memory inside the budget. */
    timeoutMs: z.number().int().min(1).default(25),
    /**
     * Writes (events, settings, erasure, journal replays): off the search path and two round
     * trips, so a load hiccup must not count them as failures and open the breaker for reads.
     */
    writeTimeoutMs: z.number().int().min(1).default(250),
    errorThresholdPercentage: z.number().min(1).max(100).default(50),
    resetTimeoutMs: z.number().int().min(1).default(5_000),
    /**
     * Opens when more than errorThresholdPercentage of the last rollingCountTimeoutMs's calls
     * failed, once at least volumeThreshold calls were made in it. A short window opens on a hung
     * Redis in about half of it (successes leave it as failures enter); a pause shorter than about
     * half of it fails too few calls to open it, and the threshold keeps a few failed calls of a
     * quiet second from opening it.
     */
    volumeThreshold: z.number().int().min(0).default(20),
    rollingCountTimeoutMs: z.number().int().min(100).default(1_000),
    rollingCountBuckets: z.number().int().min(1).default(10),
  })
  .strict()
  .refine((b) => b.rollingCountTimeoutMs % b.rollingCountBuckets === 0, {
    message: 'rollingCountTimeoutMs must be a multiple of rollingCountBuckets',
    path: ['rollingCountBuckets'],
  });

const hostPortSchema = z.object({ host: z.string().min(1), port: z.number().int().min(1).max(65535) }).strict();

const redisSchema = z
  .object({
    /** `redis://[:password@]host:port[/db]`; unset means memory only. Env: SIDECART_REDIS_URL. */
    url: z.string().optional(),
    mode: z.enum(['standalone', 'sentinel', 'cluster']).default('standalone'),
    /** Sentinel: the sentinels and the master group name. */
    sentinels: z.array(hostPortSchema).default([]),
    sentinelName: z.string().default('mymaster'),
    /** Cluster: seed nodes. */
    nodes: z.array(hostPortSchema).default([]),
    password: z.string().optional(),
    keyPrefix: z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/).default('sidecart'),
    connectTimeoutMs: ms(500),
    commandTimeoutMs: ms(100),
    /** Days a profile is kept after its last update (the privacy retention period). */
    retentionDays: positiveInt(365),
  })
  .strict();

const memorySchema = z
  .object({
    maxShoppers: positiveInt(100_000),
    maxBytes: positiveInt(256 * 1024 * 1024),
    /** With Redis configured, memory is a near cache with this TTL (stale-if-error beyond it). */
    nearCacheTtlMs: ms(30_000),
    /** Session context (recent views, clicks, searches) lives this long. */
    sessionTtlMs: ms(60 * 60 * 1000),
  })
  .strict();

const journalSchema = z
  .object({
    /**
     * Directory of the durable replay journal (an append-only file, fsync'd before a write is
     * answered). Unset: no durable journal.
     */
    dir: z.string().min(1).optional(),
    /** Without a dir: keep outage writes in memory (lost on restart) instead of answering 503. */
    memory: z.boolean().default(false),
    /** Bound of the journal file on disk; a write past it is answered 503. */
    maxDiskBytes: positiveInt(256 * 1024 * 1024),
    /** Group commit: one fsync covers the writes of this many ms. */
    commitIntervalMs: z.number().int().min(0).max(1_000).default(5),
  })
  .strict();

const storeSchema = z
  .object({
    redis: redisSchema.prefault({}),
    memory: memorySchema.prefault({}),
    breaker: breakerSchema.prefault({}),
    /** Writes made while Redis is away, replayed in order when it returns. */
    journalMaxEntries: positiveInt(100_000),
    /** The journal's memory bound (approximate bytes of the journaled writes); overflow is counted like entries. */
    journalMaxBytes: positiveInt(64 * 1024 * 1024),
    /** Where writes made while Redis is away are kept (see README, "What survives what"). */
    journal: journalSchema.prefault({}),
    /** Event ids remembered per shopper so a replay or client retry never double counts (newest kept). */
    seenEventIdsMax: positiveInt(128),
    /** How long remembered event ids live after the shopper's last event (Redis TTL). */
    seenEventIdsTtlMs: ms(7 * 24 * 60 * 60 * 1000),
  })
  .strict();

/**
 * Built-in feature defaults; the store's `personalization.features` and each shopper's own switch
 * override them. On where the offline evaluation showed a gain (household: +0.005 F1;
 * complementary from the shopper's own baskets: +0.015 F1, −0.05 mean position) or where a
 * feature only adds facts to the section (quantity_memory). Store-wide pair counts lowered F1
 * (−0.039), so `complementaryStoreWide` stays off; price and seasons could not be measured (no
 * prices or dates in the grocery history). See bench/RESULTS.md, "Offline evaluation".
 */
export const DEFAULT_FEATURES: Readonly<Record<FeatureName, boolean>> = {
  smart_ranking: true,
  usual: true,
  reorder: true,
  dietary: true,
  complementary: true,
  price_sensitivity: false,
  quantity_memory: true,
  household: true,
  seasonal: false,
};

/** How much one event of each type says about a shopper's taste (a removal counts against). */
export const DEFAULT_SIGNAL_WEIGHTS: Readonly<Record<EventType, number>> = {
  purchase: 1.0,
  add_to_cart: 0.5,
  remove_from_cart: -0.4,
  click: 0.2,
  view: 0.3,
  search: 0.1,
};

const featureDefaultsSchema = z
  .object(Object.fromEntries(FEATURE_NAMES.map((f) => [f, z.boolean().default(DEFAULT_FEATURES[f])])) as Record<FeatureName, z.ZodDefault<z.ZodBoolean>>)
  .strict();

const signalWeightsSchema = z
  .object(
    Object.fromEntries(EVENT_TYPES.map((t) => [t, z.number().min(-10).max(10).default(DEFAULT_SIGNAL_WEIGHTS[t])])) as Record<EventType, z.ZodDefault<z.ZodNumber>>,
  )
  .strict();

const rankingWeightsSchema = z
  .object({
    product: z.number().min(0).default(1),
    brand: z.number().min(0).default(0.5),
    category: z.number().min(0).default(0.3),
    tag: z.number().min(0).default(0.2),
    dietary: z.number().min(0).default(0.6),
    price: z.number().min(0).default(0.2),
    session: z.number().min(0).default(0.3),
    /** Hits often bought together with the shopper's cart or staples (complementary feature). */
    complementary: z.number().min(0).default(0.3),
  })
  .strict();

/** Bounds of the store-wide co-purchase counts (complementaryStoreWide). */
const coPurchasesSchema = z
  .object({
    /** Partners kept per product (its strongest ones; Redis sorted set trimmed to this). */
    maxPartners: positiveInt(50),
    /** A product's counts expire this many days after the last basket that held it. */
    ttlDays: positiveInt(90),
    /** When a product's basket count reaches this, all its counts halve (old baskets fade). */
    halveAt: positiveInt(10_000),
    /** Without Redis: products whose counts are kept in memory (LRU). */
    memoryMaxProducts: positiveInt(10_000),
    /** Baskets a pair needs before it is suggested (fewer could point at one shopper's basket). */
    minBaskets: positiveInt(3),
  })
  .strict();

const personalizationSchema = z
  .object({
    /** Master switch. Off: every search route passes through (reason=disabled). */
    enabled: z.boolean().default(true),
    /** Store-level feature defaults; a shopper's own settings override them. */
    features: featureDefaultsSchema.prefault({}),
    signalWeights: signalWeightsSchema.prefault({}),
    halfLifeDays: z.number().min(1).default(30),
    /** Products kept per profile (the ones that matter most); bounds a profile to ~1 KB. */
    maxProducts: positiveInt(60),
    maxAffinities: positiveInt(30),
    weights: rankingWeightsSchema.prefault({}),
    usual: z
      .object({ minOrders: positiveInt(2), minShare: z.number().min(0).max(1).default(0.5), maxItems: positiveInt(10) })
      .strict()
      .prefault({}),
    reorder: z
      .object({
        dueFactor: z.number().min(0).max(2).default(0.8),
        maxGapDays: positiveInt(90),
        horizonDays: z.number().int().min(0).default(7),
        maxItems: positiveInt(10),
      })
      .strict()
      .prefault({}),
    dietary: z
      .object({
        inferMinPurchases: positiveInt(5),
        inferMinShare: z.number().min(0).max(1).default(0.8),
        /** Preferences that remove conflicting hits instead of demoting them. */
        hardFilter: z.array(z.string()).default([]),
        /** Store-defined preference tags beyond the built-in ones. */
        extraTags: z.array(z.string()).default([]),
      })
      .strict()
      .prefault({}),
    /** Mark hits moved for the shopper with this field (off by default for strict clients). */
    markerField: z.string().optional(),
    /**
     * Complementary items from co-purchase counts across all shoppers (pair counts only, never who
     * bought them). Off: purchases add no counts and searches read none (own baskets only).
     */
    complementaryStoreWide: z.boolean().default(false),
    /**
     * A next-basket model file written by `sidecart train`: it then drives the usual and reorder
     * lists and the product term of the ranking. Unset: the built-in rules.
     */
    model: z.string().min(1).optional(),
    coPurchases: coPurchasesSchema.prefault({}),
  })
  .strict();

const tapSchema = z
  .object({
    path: z.string().startsWith('/'),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
    type: z.enum(EVENT_TYPES),
    /** Where the items are in the request body (`""` = the body is the array). */
    itemsPath: jsonPath.default('items'),
    idPath: jsonPath.default('id'),
    quantityPath: jsonPath.optional(),
    pricePath: jsonPath.optional(),
    brandPath: jsonPath.optional(),
    categoryPath: jsonPath.optional(),
    /** Read items from the request body or the upstream's response body. */
    source: z.enum(['request', 'response']).default('request'),
    maxBodyBytes: positiveInt(1024 * 1024),
  })
  .strict();

const eventsSchema = z
  .object({
    maxBatch: positiveInt(100),
    maxItemsPerEvent: positiveInt(200),
    maxBodyBytes: positiveInt(512 * 1024),
    /** Per shopper: tokens per second and bucket size. 0 = no limit. */
    rateLimitPerSecond: z.number().min(0).default(20),
    rateLimitBurst: positiveInt(100),
    /** Items in one call, all events together (the cost of a call is its items, not its events). */
    maxItemsPerBatch: positiveInt(2000),
    /** Per shopper: items per second and bucket size. 0 = no item limit. */
    itemRateLimitPerSecond: z.number().min(0).default(200),
    itemRateLimitBurst: positiveInt(2000),
    /** Items validated and applied between two turns of the event loop (searches go in between). */
    sliceItems: positiveInt(250),
    taps: z.array(tapSchema).default([]),
  })
  .strict();

const jwtSchema = z
  .object({
    secret: z.string().min(16).optional(),
    jwksFile: z.string().optional(),
    jwksUrl: z.string().url().optional(),
    issuer: z.string().optional(),
    audience: z.string().optional(),
    algorithms: z.array(z.string()).default(['HS256', 'RS256', 'ES256']),
    /** Read the token from this cookie as well as from `Authorization: Bearer`. */
    cookie: z.string().optional(),
    claim: z.string().default('sub'),
  })
  .strict();

const identitySchema = z
  .object({
    /** Trusted header carrying the shopper id (set by the storefront's gateway). Empty: not trusted. */
    header: z.string().default('x-user-id'),
    /**
     * Trust `header` next to a JWT or cookie source (true), never (false). Unset: the header is
     * trusted only when neither `jwt` nor `cookie` is configured.
     */
    trustHeader: z.boolean().optional(),
    cookie: z.string().optional(),
    jwt: jwtSchema.optional(),
    /** Anonymous session ids (kept apart from signed-in shoppers by an `anon:` namespace). */
    anonymousCookie: z.string().optional(),
    maxIdLength: z.number().int().min(1).max(256).default(64),
  })
  .strict();

const experimentSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9_-]{1,40}$/),
    variants: z
      .array(
        z
          .object({
            name: z.string().regex(/^[a-z0-9_-]{1,40}$/),
            weight: z.number().min(0),
            /** false = control: the backend's bytes. */
            personalize: z.boolean().default(true),
            strength: z.number().min(0).max(1).optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

export const configSchema = z
  .object({
    server: z
      .object({
        /** Interface for both ports. Env: SIDECART_HOST. */
        host: z.string().default('0.0.0.0'),
        /** Traffic port. Env: SIDECART_PORT. */
        port: z.number().int().min(0).max(65535).default(8080),
        /** Health, metrics and admin. Env: SIDECART_OPS_PORT. */
        opsPort: z.number().int().min(0).max(65535).default(8081),
        /** Above any load balancer's idle timeout. */
        keepAliveTimeoutMs: ms(65_000),
        /** SIGTERM: time for in-flight requests before the process exits anyway. */
        shutdownGraceMs: ms(10_000),
        /** SIGTERM: keep serving (unready) this long before closing, covering endpoint propagation. */
        drainDelayMs: ms(0),
      })
      .strict()
      .prefault({}),
    upstream: z
      .object({
        /** The search backend. Env: SIDECART_UPSTREAM_URL. */
        url: z.string().url().default('http://127.0.0.1:9200'),
        timeoutMs: positiveInt(10_000),
        /**
         * The whole upstream body must arrive within this many ms of its headers (timeoutMs only
         * bounds the gap between two chunks): a search past it answers 504, a pass-through is cut.
         */
        bodyTimeoutMs: positiveInt(30_000),
        connections: positiveInt(128),
        /** Below the backend's own keep-alive (Node's default is 5 s). */
        keepAliveTimeoutMs: positiveInt(4_000),
        /**
         * Bodiless GET/HEAD pass-through over an undici pool (half the CPU of http-proxy's
         * node:http client, same bytes; docs/adr/passthrough-lanes.md); false sends every
         * pass-through request through http-proxy-middleware.
         */
        passthroughFastLane: z.boolean().default(true),
        /**
         * Send the storefront's Host to the backend. Off: the backend gets its own (the authority
         * of `url`), which hosted engines route on; the storefront's is in X-Forwarded-Host.
         */
        preserveHost: z.boolean().default(false),
        /** PEM file of a private CA an HTTPS backend's certificate is verified against (besides the public ones). */
        caFile: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    search: z
      .object({
        maxBodyBytes: positiveInt(5 * 1024 * 1024),
        /**
         * The most bytes sidecart parses: a body larger than this once decoded (gzip, br, deflate;
         * also each intermediate coding) passes through as too-large; inflating stops there.
         */
        maxDecodedBytes: positiveInt(5 * 1024 * 1024),
        /**
         * The most request-body bytes sidecart keeps to read a search request (which index each
         * query of a multi-query search asks, a rerank window's paging); a larger body is still
         * forwarded as sent, and the answer passes through (`request-too-large`).
         */
        maxRequestBytes: positiveInt(1024 * 1024),
        /** Rerank windows kept per process (one per shopper and query), so the pages of a window come from one ranking. */
        windowCacheEntries: positiveInt(10_000),
        /** How long a shopper's ranked window serves their next pages. */
        windowCacheTtlMs: positiveInt(5 * 60_000),
        /** The one key of the response object that holds the personalization section. */
        sectionKey: z.string().min(1).default('_personalization'),
        /** A request header `<explainHeader>: 1` adds per-hit explanations (a header, so the backend never sees it). */
        explainHeader: z.string().default('x-sidecart-explain'),
      })
      .strict()
      .prefault({}),
    /** Sets up this engine's standard single and multi-query search routes (src/config/engine-routes.ts); `routes` adds or overrides by path. */
    engine: z.enum(ENGINE_NAMES).optional(),
    routes: z.array(routeSchema).default([]),
    cors: z
      .object({
        /**
         * Browser origins sidecart answers CORS preflights for itself (search routes and
         * /sidecart/v1), for backends without CORS. Empty: preflights of search routes go to the backend.
         */
        allowedOrigins: z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'an origin: scheme://host[:port]')).default([]),
      })
      .strict()
      .prefault({}),
    store: storeSchema.prefault({}),
    personalization: personalizationSchema.prefault({}),
    events: eventsSchema.prefault({}),
    identity: identitySchema.prefault({}),
    admin: z
      .object({ /** Bearer token for the ops-port admin API. Unset: admin is off. Env: SIDECART_ADMIN_TOKEN. */ token: z.string().min(16).optional() })
      .strict()
      .prefault({}),
    experiments: z.array(experimentSchema).default([]),
    attribution: z
      .object({
        windowMinutes: positiveInt(60),
        /** Shoppers whose variant and recently shown products are kept in memory (per process, the most recently seen). */
        maxShoppers: positiveInt(20_000),
        /** Most recent personalized products remembered per shopper for influenced=true. */
        maxProductsPerShopper: positiveInt(48),
        /** Purchase/add-to-cart event ids remembered so a replayed event is counted once. */
        maxEventIds: positiveInt(100_000),
      })
      .strict()
      .prefault({}),
    logging: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    // Cross-field checks live here, in one place.
    const names = new Set(config.experiments.map((e) => e.name));
    config.routes.forEach((route, i) => {
      if (route.experiment && !names.has(route.experiment)) {
        ctx.addIssue({ code: 'custom', path: ['routes', i, 'experiment'], message: `no experiment named "${route.experiment}"` });
      }
      if (route.adapter === 'generic' && !route.generic) {
        ctx.addIssue({ code: 'custom', path: ['routes', i, 'generic'], message: 'the generic adapter needs its paths' });
      }
      if (route.adapter === 'generic' && route.rerankWindow !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['routes', i, 'rerankWindow'], message: "the generic adapter does not know the API's paging: no rerank window" });
      }
    });
    if (config.store.redis.mode === 'cluster' && config.store.redis.nodes.length === 0 && !config.store.redis.url) {
      ctx.addIssue({ code: 'custom', path: ['store', 'redis', 'nodes'], message: 'cluster mode needs nodes or a url' });
    }
    if (config.store.redis.mode === 'sentinel' && config.store.redis.sentinels.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['store', 'redis', 'sentinels'], message: 'sentinel mode needs sentinels' });
    }
    const jwt = config.identity.jwt;
    if (jwt && !jwt.secret && !jwt.jwksFile && !jwt.jwksUrl) {
      ctx.addIssue({ code: 'custom', path: ['identity', 'jwt'], message: 'a JWT source needs secret, jwksFile or jwksUrl to verify with' });
    }
    jwt?.algorithms.forEach((alg, i) => {
      if (alg.toLowerCase() === 'none') ctx.addIssue({ code: 'custom', path: ['identity', 'jwt', 'algorithms', i], message: '"none" (unsigned tokens) is never accepted' });
    });
    config.experiments.forEach((e, i) => {
      if (e.variants.reduce((s, v) => s + v.weight, 0) <= 0) {
        ctx.addIssue({ code: 'custom', path: ['experiments', i, 'variants'], message: 'weights must add up to more than 0' });
      }
    });
  })
  // The engine's standard routes after the store's own (which add or override by path).
  .overwrite((config) => (config.engine ? { ...config, routes: withEngineRoutes(config.routes, config.engine, (route) => routeSchema.parse(route)) } : config));

export type SidecartConfig = z.output<typeof configSchema>;
export type RouteConfig = SidecartConfig['routes'][number];
export type BreakerConfig = SidecartConfig['store']['breaker'];
export type PersonalizationConfig = SidecartConfig['personalization'];
export type TapConfig = SidecartConfig['events']['taps'][number];
export type ExperimentConfig = SidecartConfig['experiments'][number];
export type GenericPaths = z.output<typeof genericPathsSchema>;
