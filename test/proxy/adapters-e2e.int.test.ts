import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startFixtureBackend, type FixtureBackend } from '../support/child-process.js';
import { startSidecart, type RunningSidecart } from '../support/sidecart-harness.js';

// Each adapter end to end: the backend process answers in that backend's shape, sidecart
// reranks for a shopper who bought the last hit, and the section lands where it should.

let backend: FixtureBackend;
let proxy: RunningSidecart;

const ROUTES = [
  { path: '/shape/solr/select', adapter: 'solr' },
  { path: '/shape/algolia/query', adapter: 'algolia' },
  { path: '/shape/meilisearch/search', adapter: 'meilisearch' },
  { path: '/shape/typesense/search', adapter: 'typesense' },
  { path: '/shape/generic/items', adapter: 'generic', generic: { hitsPath: 'data.items', idPath: 'sku', brandPath: 'meta.brand', categoryPath: 'category', tagsPath: 'tags' } },
  { path: '/shape/bare/items', adapter: 'generic', generic: { hitsPath: '', idPath: 'id', brandPath: 'brand' } },
  { path: '/products/_search', adapter: 'opensearch' },
];

/** Where each shape keeps its hits, and how a hit's id is read. */
const READERS: Record<string, { hits: (doc: never) => unknown[]; id: (hit: never) => string; section: boolean }> = {
  solr: { hits: (d: { response: { docs: unknown[] } }) => d.response.docs, id: (h: { id: string }) => h.id, section: true },
  algolia: { hits: (d: { hits: unknown[] }) => d.hits, id: (h: { objectID: string }) => h.objectID, section: true },
  meilisearch: { hits: (d: { hits: unknown[] }) => d.hits, id: (h: { id: string }) => h.id, section: true },
  typesense: { hits: (d: { hits: unknown[] }) => d.hits, id: (h: { document: { id: string } }) => h.document.id, section: true },
  generic: { hits: (d: { data: { items: unknown[] } }) => d.data.items, id: (h: { sku: string }) => h.sku, section: true },
  bare: { hits: (d: unknown[]) => d, id: (h: { id: string }) => h.id, section: false },
  products: { hits: (d: { hits: { hits: unknown[] } }) => d.hits.hits, id: (h: { _id: string }) => h._id, section: true },
};

beforeAll(async () => {
  backend = await startFixtureBackend();
  proxy = await startSidecart({ upstream: { url: backend.url }, routes: ROUTES.map((r) => ({ ...r, budgetMs: 500, strength: 0.9 })) });
});

afterAll(async () => {
  await proxy?.close();
  await backend?.stop();
});

describe.each(ROUTES.map((r) => [r.path.split('/')[2] === undefined ? r.path : r.path, r] as const))('adapter end to end: %s', (path, route) => {
  const shape = path.startsWith('/shape/') ? path.split('/')[2]! : 'products';
  const reader = READERS[shape]!;
  it(`${route.adapter}: reranks for the shopper, keeps every hit${reader.section ? ', injects the section' : ', no room for a section'}`, async () => {
    const url = `${path}?q=milk`;
    const directText = Buffer.from(await (await request(`${backend.url}${url}`)).body.arrayBuffer()).toString();
    const direct = JSON.parse(directText) as never;
    const backendIds = reader.hits(direct).map((h) => reader.id(h as never));
    expect(backendIds.length).toBeGreaterThan(3);
    const favourite = backendIds.at(-1)!;
    const shopper = `shopper-${shape}`;
    const events = await request(`${proxy.url}/sidecart/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': shopper },
      body: JSON.stringify({ events: [{ id: `${shape}-1`, type: 'purchase', items: [{ id: favourite }] }, { id: `${shape}-2`, type: 'purchase', items: [{ id: favourite }] }] }),
    });
    expect(events.statusCode).toBe(202);
    await events.body.dump();

    const res = await request(`${proxy.url}${url}`, { headers: { 'x-user-id': shopper } });
    const text = Buffer.from(await res.body.arrayBuffer()).toString();
    const doc = JSON.parse(text) as never;
    expect(res.headers['x-sidecart']).toBe('personalized');
    // Integers beyond 2^53 (Solr _version_, Typesense text_match) go out with every digit.
    const bigIntegers = directText.match(/\d{16,}/g) ?? [];
    if (shape === 'solr' || shape === 'typesense') expect(bigIntegers.length).toBe(backendIds.length);
    expect((text.match(/\d{16,}/g) ?? []).sort()).toEqual([...bigIntegers].sort());
    const ids = reader.hits(doc).map((h) => reader.id(h as never));
    expect([...ids].sort()).toEqual([...backendIds].sort());
    expect(ids[0]).toBe(favourite);
    if (reader.section) expect((doc as Record<string, unknown>)._personalization).toMatchObject({ enabled: true });
    else expect(Array.isArray(doc)).toBe(true);
  });
});
