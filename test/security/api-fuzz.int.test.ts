import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../../src/config/schema.js';
import { knownPreferences } from '../../src/personalization/dietary-vocabulary.js';
import { startFixtureBackend, type FixtureBackend } from '../support/child-process.js';
import { startSidecart, type RunningSidecart } from '../support/sidecart-harness.js';
import { call } from '../controls/controls-client.js';

// Property tests of the events API and the settings API with malformed bodies, over real
// sockets: never a 5xx, the process never falls over, and a batch is stored whole or not at all.

let backend: FixtureBackend;
let proxy: RunningSidecart;
const RUNS = 200;
const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', undefined];

beforeAll(async () => {
  backend = await startFixtureBackend();
  proxy = await startSidecart({ upstream: { url: backend.url }, events: { rateLimitPerSecond: 0, maxBodyBytes: 64 * 1024 } });
});

afterAll(async () => {
  await proxy?.close();
  await backend?.stop();
});

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
      { numRuns: RUNS },
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
      (e, junk) => (e[`unknown_${String(junk).slice(0, 5)}`] = junk),
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
      { numRuns: RUNS },
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
      { numRuns: RUNS },
    );
  });
});

describe('after the fuzzing', () => {
  it('sidecart still serves health, the API and the proxy', async () => {
    expect((await call(`${proxy.opsUrl}/healthz`)).status).toBe(200);
    expect((await call(`${proxy.url}/sidecart/v1/me`, { headers: { 'x-user-id': 'fz-after' } })).status).toBe(200);
    expect((await call(`${proxy.url}/echo/after`)).status).toBe(200);
  });
});
