import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../../src/config/schema.js';
import { knownPreferences } from '../../src/personalization/dietary-vocabulary.js';
import { startFixtureBackend, type FixtureBackend } from '../support/child-process.js';
import { startSidecart, type RunningSidecart } from '../support/sidecart-harness.js';
import { call, type Reply } from '../controls/controls-client.js';
import { ADVERSARIAL_KEYS, FC_SEED, adversarialKey, builtInPrototypeKeys } from './adversarial-keys.js';

// Property tests of every endpoint (events, shopper controls, settings, admin, the search route)
// with malformed bodies, adversarial keys (`__proto__`, `constructor`, `toString`...) and
// adversarial headers, over real sockets: never a 5xx, the process never falls over, Object.prototype
// never changes, a batch is stored whole or not at all, and a control shopper's search after the
// fuzzing is byte for byte the one before it. Seeded (FC_SEED, else a fixed seed; fast-check
// prints the seed and path of a failure, e.g. FC_SEED=1354877549 replays an old one).

let backend: FixtureBackend;
let proxy: RunningSidecart;
const RUNS = 200;
const SEARCH = '/products/_search?q=milk&size=24';
const CONTROL = 'fz-control';
const ADMIN_TOKEN = 'fuzz-admin-token-0123456789abcdef';
const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', undefined];
const params = (numRuns = RUNS) => ({ numRuns, seed: FC_SEED });
const pristine = builtInPrototypeKeys();
let controlBefore: Reply;

beforeAll(async () => {
  backend = await startFixtureBackend();
  proxy = await startSidecart({
    upstream: { url: backend.url },
    routes: [{ path: '/products/_search', adapter: 'elasticsearch', budgetMs: 1000, strength: 0.8 }],
    events: { rateLimitPerSecond: 0, itemRateLimitPerSecond: 0, maxBodyBytes: 64 * 1024 },
    admin: { token: ADMIN_TOKEN },
  });
  // The control shopper: bought the backend's last hit twice, so their search is personalized.
  const hits = (JSON.parse((await call(`${backend.url}${SEARCH}`)).body.toString()) as { hits: { hits: { _id: string }[] } }).hits.hits;
  const favourite = hits[hits.length - 1]!._id;
  const events = [1, 2].map((n) => ({ id: `control-${n}`, type: 'purchase', at: Date.now() - n * 86_400_000, items: [{ id: favourite, quantity: 2, brand: 'Alpenmilch', tags: ['vegan'] }] }));
  expect((await call(`${proxy.url}/sidecart/v1/events`, { method: 'POST', headers: { 'x-user-id': CONTROL }, body: { events } })).status).toBe(202);
  controlBefore = await call(`${proxy.url}${SEARCH}`, { headers: { 'x-user-id': CONTROL } });
  expect(controlBefore.headers['x-sidecart']).toBe('personalized');
});

afterAll(async () => {
  await proxy?.close();
  await backend?.stop();
});

/** Checks every fuzzed answer shares: no 5xx, and this process's prototypes untouched. */
function expectSound(res: Reply, what: string): void {
  expect(res.status, `${what}: ${res.body.toString().slice(0, 200)}`).toBeLessThan(500);
  expect(builtInPrototypeKeys()).toEqual(pristine);
}

/** A body as raw text: any JSON value, broken JSON, random text, or deep nesting. */
const anyBody = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.jsonValue().map((v) => JSON.stringify(v).slice(0, -1)),
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
  fc.integer({ min: 15, max: 3000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.integer({ min: 15, max: 3000 }).map((n) => '{"events":'.repeat(n) + 'null' + '}'.repeat(n)),
);

const post = (path: string, shopper: string, body: string, contentType: string | undefined, method = 'POST') =>
  call(`${proxy.url}${path}`, { method, headers: { 'x-user-id': shopper, ...(contentType ? { 'content-type': contentType } : {}) }, rawBody: body });

const signals = async (id: string) => (await proxy.sidecart.store.read(id, Date.now())).record.profile?.signals ?? 0;

describe('fuzz: events API', () => {
  it('malformed bodies: never 5xx, nothing stored for a rejected body', async () => {
    await fc.assert(
      fc.asyncProperty(anyBody, fc.constantFrom(...CONTENT_TYPES), async (body, contentType) => {
        const before = await signals('fz-events');
        const res = await post('/sidecart/v1/events', 'fz-events', body, contentType);
        expect(res.status).toBeLessThan(500);
        expect(res.json()).toHaveProperty(res.status >= 400 ? 'error' : 'accepted');
        if (res.status >= 300) expect(await signals('fz-events')).toBe(before);
      }),
      params(),
    );
  });

  it('a batch with one corrupted event is stored whole or not at all', async () => {
    const mutations: ((event: Record<string, unknown>, junk: unknown) => void)[] = [
      (e, junk) => (e.type = junk),
      (e, junk) => (e.items = junk),
      (e, junk) => (e.at = junk),
      (e, junk) => (e.id = junk),
      (e, junk) => ((e.items as Record<string, unknown>[])[0]!.quantity = junk),
      (e, junk) => ((e.items as Record<string, unknown>[])[0]!.id = junk),
      (e, junk) => ((e.items as Record<string, unknown>[])[0]!.tags = junk),
      // The field name from the junk's type: String(junk) throws on a generated {"toString":null}.
      (e, junk) => (e[`unknown_${junk === null ? 'null' : Array.isArray(junk) ? 'array' : typeof junk}`] = junk),
      (e) => (e.items = []),
    ];
    let run = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.nat(),
        fc.constantFrom(...mutations),
        fc.jsonValue({ maxDepth: 3 }),
        async (count, where, mutate, junk) => {
          const shopper = `fz-batch-${run++}`;
          const events = Array.from({ length: count }, (_, i) => ({
            id: `${shopper}-e${i}`,
            type: 'purchase',
            items: [{ id: `${shopper}-p${i}`, quantity: 1 + i }],
          })) as Record<string, unknown>[];
          mutate(events[where % count]!, junk);
          const res = await post('/sidecart/v1/events', shopper, JSON.stringify({ events }), 'application/json');
          expect(res.status).toBeLessThan(500);
          const products = Object.keys((await proxy.sidecart.store.read(shopper, Date.now())).record.profile?.products ?? {});
          if (res.status === 202) expect(products.length).toBeGreaterThan(0);
          else {
            refused += 1;
            expect(res.status).toBe(400);
            expect(products).toEqual([]);
          }
        },
      ),
      params(),
    );
    // Most mutations must be refused, or the property above tested nothing.
    expect(refused).toBeGreaterThan(RUNS / 2);
  });
});

describe('fuzz: settings API', () => {
  const known = knownPreferences([]);
  const settingsLike = fc.dictionary(
    fc.oneof(fc.constantFrom('personalization', 'features', 'dietary', 'strength'), fc.string({ maxLength: 12 })),
    fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.dictionary(fc.oneof(fc.constantFrom(...FEATURE_NAMES), fc.string({ maxLength: 8 })), fc.oneof(fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 1 }))),
      fc.array(fc.oneof(fc.constantFrom(...known), fc.string({ maxLength: 10 })), { maxLength: 25 }),
    ),
    { maxKeys: 4 },
  );

  it('malformed and random bodies: never 5xx; a refused update changes nothing; an accepted one is well-formed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyBody, settingsLike.map((v) => JSON.stringify(v))), fc.constantFrom(...CONTENT_TYPES), async (body, contentType) => {
        const before = (await proxy.sidecart.store.read('fz-settings', Date.now())).record.settings;
        const res = await post('/sidecart/v1/me/settings', 'fz-settings', body, contentType, 'PUT');
        expect(res.status).toBeLessThan(500);
        const after = (await proxy.sidecart.store.read('fz-settings', Date.now())).record.settings;
        if (res.status !== 200) {
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(after).toEqual(before);
          return;
        }
        expect(typeof after!.personalization).toBe('boolean');
        expect(after!.dietary.every((d) => known.includes(d))).toBe(true);
        for (const [name, on] of Object.entries(after!.features)) {
          expect(FEATURE_NAMES).toContain(name);
          expect(typeof on).toBe('boolean');
        }
        if (after!.strength !== undefined) expect(after!.strength >= 0 && after!.strength <= 1).toBe(true);
      }),
      params(),
    );
  });
});

/** A JSON object text whose keys may be adversarial (JSON.stringify would drop an own `__proto__` set by assignment). */
const objectText = (entries: [string, string][]) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
/** Mostly nothing: unknown fields make a body invalid, and most bodies should get through to the store. */
const rarely = <T>(arb: fc.Arbitrary<T[]>) => fc.oneof({ weight: 4, arbitrary: fc.constant([] as T[]) }, { weight: 1, arbitrary: arb });
const valueText = fc.oneof(fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)), adversarialKey.map((k) => JSON.stringify(k)), fc.constant('{"__proto__":{"w":1}}'));
const itemText = fc
  .record({
    id: adversarialKey,
    quantity: fc.integer({ min: 1, max: 5 }),
    brand: fc.option(adversarialKey, { nil: undefined }),
    category: fc.option(adversarialKey, { nil: undefined }),
    tags: fc.option(fc.array(adversarialKey, { maxLength: 3 }), { nil: undefined }),
    extra: rarely(fc.array(fc.tuple(adversarialKey, valueText), { maxLength: 2 })),
  })
  .map(({ extra, ...item }) => objectText([...Object.entries(item).filter(([, v]) => v !== undefined).map(([k, v]): [string, string] => [k, JSON.stringify(v)]), ...extra]));
const eventText = fc
  .record({
    type: fc.oneof({ weight: 9, arbitrary: fc.constantFrom('purchase', 'add_to_cart', 'view', 'click', 'search', 'remove_from_cart') }, { weight: 1, arbitrary: adversarialKey }),
    items: fc.array(itemText, { minLength: 1, maxLength: 4 }),
    extra: rarely(fc.array(fc.tuple(adversarialKey, valueText), { maxLength: 2 })),
  })
  .map(({ type, items, extra }) => objectText([['type', JSON.stringify(type)], ['items', `[${items.join(',')}]`], ...extra]));

/** A shopper id: adversarial, ordinary or random (never the control shopper). */
const shopperId = adversarialKey.filter((id) => id !== CONTROL);

/** Headers a hostile client might send: names and values from the adversarial keys, identity junk, encodings. */
const junkHeaders = fc
  .record({
    user: fc.option(shopperId, { nil: undefined }),
    named: fc.array(fc.tuple(fc.constantFrom(...ADVERSARIAL_KEYS.filter((k) => /^[A-Za-z_]+$/.test(k))), adversarialKey), { maxLength: 3 }),
    cookie: fc.option(fc.oneof(adversarialKey.map((k) => `${k}=${k}`), fc.constant('__proto__=1; constructor=2; sc_anon=toString')), { nil: undefined }),
    authorization: fc.option(fc.oneof(fc.constant('Bearer __proto__'), fc.constant('Basic Y29uc3RydWN0b3I6eA=='), adversarialKey.map((k) => `Bearer ${k}`)), { nil: undefined }),
    acceptEncoding: fc.option(fc.constantFrom('gzip, br', 'identity;q=0', '__proto__', 'x, y, z', '*;q=0'), { nil: undefined }),
  })
  .map(({ user, named, cookie, authorization, acceptEncoding }) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of named) headers[name.toLowerCase()] = value.replace(/[^\x20-\x7e]/g, '');
    if (user !== undefined) headers['x-user-id'] = user.replace(/[^\x20-\x7e]/g, '');
    if (cookie !== undefined) headers.cookie = cookie.replace(/[^\x20-\x7e]/g, '');
    if (authorization !== undefined) headers.authorization = authorization.replace(/[^\x20-\x7e]/g, '');
    if (acceptEncoding !== undefined) headers['accept-encoding'] = acceptEncoding;
    return headers;
  });

describe('fuzz: adversarial keys and headers on every endpoint', () => {
  it('events whose ids, types, brands, categories, tags and field names are Object members', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(shopperId, fc.array(eventText, { minLength: 1, maxLength: 3 }), async (shopper, events) => {
        const res = await post('/sidecart/v1/events', shopper, `{"events":[${events.join(',')}]}`, 'application/json');
        expectSound(res, 'events');
        if (res.status === 202) accepted += 1;
      }),
      params(),
    );
    // Valid events with adversarial keys must be kept, not merely refused.
    expect(accepted).toBeGreaterThan(RUNS / 5);
  });

  it('shopper controls: what is stored, the export, settings and delete, for adversarial shoppers', async () => {
    const settingsText = fc
      .record({
        features: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...FEATURE_NAMES), adversarialKey), fc.constantFrom('true', 'false', 'null', '{"w":1}')), { maxLength: 3 }),
        dietary: fc.array(fc.oneof(fc.constantFrom(...knownPreferences([])), adversarialKey), { maxLength: 3 }),
        extra: fc.array(fc.tuple(adversarialKey, valueText), { maxLength: 1 }),
      })
      .map(({ features, dietary, extra }) => objectText([['features', objectText(features)], ['dietary', JSON.stringify(dietary)], ...extra]));
    await fc.assert(
      fc.asyncProperty(shopperId, junkHeaders, settingsText, fc.constantFrom('GET /me', 'GET /me/export', 'PUT /me/settings', 'DELETE /me'), async (shopper, headers, settings, route) => {
        const [method, path] = route.split(' ') as [string, string];
        const res = await call(`${proxy.url}/sidecart/v1${path}`, {
          method,
          headers: { ...headers, 'x-user-id': shopper, 'content-type': 'application/json' },
          ...(method === 'PUT' ? { rawBody: settings } : {}),
        });
        expectSound(res, route);
      }),
      params(),
    );
  });

  it('admin API: shopper reads and erasures and experiment reports named by adversarial ids', async () => {
    await fc.assert(
      fc.asyncProperty(
        shopperId,
        fc.constantFrom('GET /admin/shoppers/', 'DELETE /admin/shoppers/', 'GET /admin/experiments/', 'GET /admin/config'),
        fc.boolean(),
        async (id, route, authorized) => {
          const [method, path] = route.split(' ') as [string, string];
          const url = `${proxy.opsUrl}${path}${path.endsWith('/') ? encodeURIComponent(id) + (path.includes('experiments') ? '/report?type=' + encodeURIComponent(id) : '') : ''}`;
          const res = await call(url, { method, headers: authorized ? { authorization: `Bearer ${ADMIN_TOKEN}` } : {} });
          expectSound(res, route);
          if (!authorized) expect(res.status).toBe(401);
        },
      ),
      params(100),
    );
  });

  it('the search route with adversarial headers, query parameters and bodies', async () => {
    const query = fc.array(fc.tuple(fc.oneof(adversarialKey, fc.constantFrom('__proto__[w]', 'constructor[prototype][t]', 'q', 'size')), adversarialKey), { maxLength: 3 });
    await fc.assert(
      fc.asyncProperty(junkHeaders, query, fc.option(fc.oneof(valueText, fc.string({ maxLength: 50 })), { nil: undefined }), async (headers, pairs, body) => {
        const qs = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
        const res = await call(`${proxy.url}${SEARCH}${qs ? '&' + qs : ''}`, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { rawBody: body }),
        });
        expectSound(res, 'search');
      }),
      params(),
    );
  });
});

describe('after the fuzzing', () => {
  it('sidecart still serves health, the API and the proxy; prototypes unchanged', async () => {
    expect(builtInPrototypeKeys()).toEqual(pristine);
    expect((await call(`${proxy.opsUrl}/healthz`)).status).toBe(200);
    expect((await call(`${proxy.opsUrl}/readyz`)).status).toBe(200);
    expect((await call(`${proxy.url}/sidecart/v1/me`, { headers: { 'x-user-id': 'fz-after' } })).status).toBe(200);
    expect((await call(`${proxy.url}/echo/after`)).status).toBe(200);
  });

  it("the control shopper's search is byte for byte the one before the fuzzing", async () => {
    const after = await call(`${proxy.url}${SEARCH}`, { headers: { 'x-user-id': CONTROL } });
    expect(after.headers['x-sidecart']).toBe('personalized');
    expect(after.body.toString()).toBe(controlBefore.body.toString());
  });
});
