import { z } from 'zod';

// The one place that defines every config key, its type, default and meaning.
// `config/default.yaml` mirrors this file with a comment per key; the README's config reference
// lists the same keys. Types used across the code are derived from here.

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
    generic: genericPathsSchema.optional(),
  })
    /** Multi-query searches: only sub-results answering these indexes (collections) are personalized. Unset: every sub-result with hits. */
    indexes: z.array(z.string().min(1)).min(1).optional(),
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
    volumeThreshold: z.number().int().min(0).default(5),
    rollingCountTimeoutMs: z.number().int().min(100).default(10_000),
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

const storeSchema = z
  .object({
    redis: redisSchema.default(redisSchema.parse({})),
    memory: memorySchema.default(memorySchema.parse({})),
    breaker: breakerSchema.default(breakerSchema.parse({})),
    /** Writes made while Redis is away, replayed in order when it returns. */
    journalMaxEntries: positiveInt(100_000),
    /** The journal's memory bound (approximate bytes of the journaled writes); overflow is counted like entries. */
    journalMaxBytes: positiveInt(64 * 1024 * 1024),
    /** Event ids remembered per shopper so a replay or client retry never double counts (newest kept). */
    seenEventIdsMax: positiveInt(128),
    /** How long remembered event ids live after the shopper's last event (Redis TTL). */
    seenEventIdsTtlMs: ms(7 * 24 * 60 * 60 * 1000),
  })
  .strict();

const featureDefaultsSchema = z
  .object(Object.fromEntries(FEATURE_NAMES.map((f) => [f, z.boolean()])) as Record<FeatureName, z.ZodBoolean>)
  .partial()
  .strict();

const signalWeightsSchema = z
  .object(Object.fromEntries(EVENT_TYPES.map((t) => [t, z.number().min(-10).max(10)])) as Record<EventType, z.ZodNumber>)
  .partial()
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
    features: featureDefaultsSchema.default({}),
    signalWeights: signalWeightsSchema.default({}),
    halfLifeDays: z.number().min(1).default(30),
    /** Products kept per profile (the ones that matter most); bounds a profile to ~1 KB. */
    maxProducts: positiveInt(60),
    maxAffinities: positiveInt(30),
    weights: rankingWeightsSchema.default(rankingWeightsSchema.parse({})),
    usual: z
      .object({ minOrders: positiveInt(2), minShare: z.number().min(0).max(1).default(0.5), maxItems: positiveInt(10) })
      .strict()
      .default({ minOrders: 2, minShare: 0.5, maxItems: 10 }),
    reorder: z
      .object({
        dueFactor: z.number().min(0).max(2).default(0.8),
        maxGapDays: positiveInt(90),
        horizonDays: z.number().int().min(0).default(7),
        maxItems: positiveInt(10),
      })
      .strict()
      .default({ dueFactor: 0.8, maxGapDays: 90, horizonDays: 7, maxItems: 10 }),
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
      .default({ inferMinPurchases: 5, inferMinShare: 0.8, hardFilter: [], extraTags: [] }),
    /** Mark hits moved for the shopper with this field (off by default for strict clients). */
    markerField: z.string().optional(),
    /**
     * Complementary items from co-purchase counts across all shoppers (pair counts only, never who
     * bought them). Off: purchases add no counts and searches read none (own baskets only).
     */
    complementaryStoreWide: z.boolean().default(false),
    coPurchases: coPurchasesSchema.default(coPurchasesSchema.parse({})),
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
      .default({ host: '0.0.0.0', port: 8080, opsPort: 8081, keepAliveTimeoutMs: 65_000, shutdownGraceMs: 10_000, drainDelayMs: 0 }),
    upstream: z
      .object({
        /** The search backend. Env: SIDECART_UPSTREAM_URL. */
        url: z.string().url().default('http://127.0.0.1:9200'),
        timeoutMs: positiveInt(10_000),
        connections: positiveInt(128),
        /** Below the backend's own keep-alive (Node's default is 5 s). */
        keepAliveTimeoutMs: positiveInt(4_000),
        /**
         * Bodiless GET/HEAD pass-through over an undici pool (half the CPU of http-proxy's
         * node:http client, same bytes; docs/adr/passthrough-lanes.md); false sends every
         * pass-through request through http-proxy-middleware.
         */
        passthroughFastLane: z.boolean().default(true),
      })
      .strict()
      .default({ url: 'http://127.0.0.1:9200', timeoutMs: 10_000, connections: 128, keepAliveTimeoutMs: 4_000, passthroughFastLane: true }),
    search: z
      .object({
        maxBodyBytes: positiveInt(5 * 1024 * 1024),
        /** The one key of the response object that holds the personalization section. */
        sectionKey: z.string().min(1).default('_personalization'),
        /** A request header `<explainHeader>: 1` adds per-hit explanations (a header, so the backend never sees it). */
        explainHeader: z.string().default('x-sidecart-explain'),
      })
      .strict()
      .default({ maxBodyBytes: 5 * 1024 * 1024, sectionKey: '_personalization', explainHeader: 'x-sidecart-explain' }),
    routes: z.array(routeSchema).default([]),
    store: storeSchema.default(storeSchema.parse({})),
    personalization: personalizationSchema.default(personalizationSchema.parse({})),
    events: eventsSchema.default(eventsSchema.parse({})),
    identity: identitySchema.default(identitySchema.parse({})),
    admin: z
      .object({ /** Bearer token for the ops-port admin API. Unset: admin is off. Env: SIDECART_ADMIN_TOKEN. */ token: z.string().min(16).optional() })
      .strict()
      .default({}),
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
      .default({ windowMinutes: 60, maxShoppers: 20_000, maxProductsPerShopper: 48, maxEventIds: 100_000 }),
    logging: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .strict()
      .default({ level: 'info' }),
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
  });

export type SidecartConfig = z.output<typeof configSchema>;
export type RouteConfig = SidecartConfig['routes'][number];
export type BreakerConfig = SidecartConfig['store']['breaker'];
export type PersonalizationConfig = SidecartConfig['personalization'];
export type TapConfig = SidecartConfig['events']['taps'][number];
export type ExperimentConfig = SidecartConfig['experiments'][number];
export type GenericPaths = z.output<typeof genericPathsSchema>;
