import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureBackend, type FixtureBackend } from '../support/child-process.js';
import { startSidecart, type RunningSidecart } from '../support/sidecart-harness.js';
import { hsToken, AUDIENCE, ISSUER, SECRET } from '../identity/jwt-fixtures.js';
import { call, purchaseEvents } from './controls-client.js';

// Shopper controls over real sockets, memory store: a real sidecart in front of a real backend
// process. Each shopper may see, change and erase their own data and nobody else's.

let backend: FixtureBackend;
let proxy: RunningSidecart;
const SEARCH = '/products/_search?q=milk&size=24';
const ME = '/sidecart/v1/me';
const as = (id: string) => ({ 'x-user-id': id });

async function productsOnSearch(): Promise<string[]> {
  const direct = await call(`${backend.url}${SEARCH}`);
  return direct.json<{ hits: { hits: { _id: string }[] } }>().hits.hits.map((h) => h._id).slice(-2);
}

async function storedSignals(id: string): Promise<number> {
  return (await proxy.sidecart.store.read(id, Date.now())).record.profile?.signals ?? 0;
}

beforeAll(async () => {
  backend = await startFixtureBackend();
  proxy = await startSidecart({
    upstream: { url: backend.url },
    routes: [{ path: '/products/_search', adapter: 'elasticsearch', budgetMs: 500 }],
    identity: { header: 'x-user-id', trustHeader: true, anonymousCookie: 'sid', jwt: { secret: SECRET, issuer: ISSUER, audience: AUDIENCE } },
  });
});

afterAll(async () => {
  await proxy?.close();
  await backend?.stop();
});

describe('shopper controls: identity required', () => {
  it.each([
    ['GET', ME],
    ['GET', `${ME}/export`],
    ['PUT', `${ME}/settings`],
    ['DELETE', ME],
  ])('%s %s without identity answers 401 and is never cached', async (method, path) => {
    const res = await call(`${proxy.url}${path}`, { method, ...(method === 'PUT' ? { body: { personalization: false } } : {}) });
    expect(res.status).toBe(401);
    expect(res.json().error).toBe('no_identity');
    expect(res.headers['cache-control']).toBe('no-store');
  });
});

describe('shopper controls: no cross-site use', () => {
  it('answers a CORS preflight without allowing anything, so other sites cannot PUT or DELETE', async () => {
    const res = await call(`${proxy.url}${ME}`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'DELETE', cookie: 'sid=victim' },
    });
    // Express may answer OPTIONS itself (Allow), but without Access-Control-Allow-* a browser
    // treats the preflight as failed and never sends the PUT or DELETE.
    expect(res.status).toBeLessThan(500);
    expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });
});

describe('shopper controls: one shopper cannot touch another', () => {
  it('reads, changes and deletes only the caller’s own data', async () => {
    const products = await productsOnSearch();
    expect((await call(`${proxy.url}/sidecart/v1/events`, { method: 'POST', headers: as('iso-a'), body: purchaseEvents('iso-a', products) })).status).toBe(202);
    const signalsA = await storedSignals('iso-a');
    expect(signalsA).toBeGreaterThan(0);

    // B sees nothing of A.
    const meB = await call(`${proxy.url}${ME}`, { headers: as('iso-b') });
    expect(meB.status).toBe(200);
    expect(meB.json<{ stored: unknown[] }>().stored).toEqual([]);
    expect(meB.body.toString()).not.toContain(products[0]!);
    // B changes and deletes its own; A is untouched.
    expect((await call(`${proxy.url}${ME}/settings`, { method: 'PUT', headers: as('iso-b'), body: { personalization: false } })).status).toBe(200);
    expect((await call(`${proxy.url}${ME}`, { method: 'DELETE', headers: as('iso-b') })).status).toBe(204);
    const recordA = (await proxy.sidecart.store.read('iso-a', Date.now())).record;
    expect(recordA.settings).toBeNull();
    expect(recordA.profile?.signals).toBe(signalsA);

    // A JWT for B wins over a header naming A; a forged JWT naming A is refused outright.
    const tokenB = await hsToken({ sub: 'iso-b' });
    const viaJwt = await call(`${proxy.url}${ME}/export`, { headers: { authorization: `Bearer ${tokenB}`, ...as('iso-a') } });
    expect(viaJwt.json<{ shopper: { id: string } }>().shopper.id).toBe('iso-b');
    expect(viaJwt.body.toString()).not.toContain(products[0]!);
    const forged = await hsToken({ sub: 'iso-a' }, { secret: 'guessed-secret-that-is-long-enough' });
    expect((await call(`${proxy.url}${ME}`, { method: 'DELETE', headers: { authorization: `Bearer ${forged}`, ...as('iso-a') } })).status).toBe(401);
    expect(await storedSignals('iso-a')).toBe(signalsA);

    // The events API does not let the caller name another shopper either.
    const named = await call(`${proxy.url}/sidecart/v1/events`, { method: 'POST', headers: as('iso-b'), body: { shopperId: 'iso-a', ...purchaseEvents('x', products) } });
    expect([401, 403]).toContain(named.status);
    expect(await storedSignals('iso-a')).toBe(signalsA);
  });

  it('keeps anonymous sessions apart: a header cannot claim an anon: id', async () => {
    const products = await productsOnSearch();
    const anon = { cookie: 'sid=visit123' };
    expect((await call(`${proxy.url}/sidecart/v1/events`, { method: 'POST', headers: anon, body: purchaseEvents('anon', products) })).status).toBe(202);
    const me = await call(`${proxy.url}${ME}`, { headers: anon });
    expect(me.json<{ shopper: { id: string; kind: string } }>().shopper).toEqual({ id: 'anon:visit123', kind: 'anonymous' });
    expect((await call(`${proxy.url}${ME}`, { headers: as('anon:visit123') })).status).toBe(401);
    expect((await call(`${proxy.url}${ME}`, { headers: as('visit123') })).json<{ stored: unknown[] }>().stored).toEqual([]);
  });
});

describe('shopper controls: see, change, export, delete', () => {
  it('shows what is stored in plain terms and exports it', async () => {
    const products = await productsOnSearch();
    await call(`${proxy.url}/sidecart/v1/events`, { method: 'POST', headers: as('see-1'), body: purchaseEvents('see-1', products) });
    const me = (await call(`${proxy.url}${ME}`, { headers: as('see-1') })).json<{
      personalization: boolean;
      features: { name: string; on: boolean }[];
      stored: { what: string; since: string; why: string; details: unknown }[];
      notStored: string;
    }>();
    expect(me.personalization).toBe(true);
    expect(me.features.find((f) => f.name === 'usual')?.on).toBe(true);
    const bought = me.stored.find((s) => s.what.startsWith('Products'))!;
    expect(new Date(bought.since).getTime()).toBeLessThan(Date.now() - 15 * 86_400_000);
    expect(bought.why).toMatch(/usual/);
    expect(JSON.stringify(bought.details)).toContain(products[0]!);
    expect(me.notStored).toMatch(/no name, address/);
    const exported = await call(`${proxy.url}${ME}/export`, { headers: as('see-1') });
    expect(exported.headers['content-disposition']).toMatch(/attachment/);
    const doc = exported.json<{ profile: { products: Record<string, unknown> }; format: string }>();
    expect(doc.format).toBe('sidecart-export/1');
    expect(Object.keys(doc.profile.products).sort()).toEqual([...products].sort());
  });

  it('validates settings: 400 naming the field, malformed JSON, too deep, unknown fields', async () => {
    const put = (rawBody: string) => call(`${proxy.url}${ME}/settings`, { method: 'PUT', headers: { ...as('val-1'), 'content-type': 'application/json' }, rawBody });
    const cases: [string, number, string][] = [
      ['{"features":{"usual":"yes"}}', 400, 'features.usual'],
      ['{"personalisation":false}', 400, 'personalisation'],
      ['{"dietary":["vegan","martian"]}', 400, 'dietary.1'],
      ['{"__proto__":{"personalization":false}}', 400, '__proto__'],
      ['[true]', 400, 'body'],
      ['{"personalization": fal', 400, 'body'],
      [`${'{"a":'.repeat(30)}1${'}'.repeat(30)}`, 400, 'body'],
    ];
    for (const [body, status, field] of cases) {
      const res = await put(body);
      expect(res.status, body).toBe(status);
      expect(res.json().field, body).toBe(field);
      expect(String(res.json().message)).toContain(field);
    }
    expect((await proxy.sidecart.store.read('val-1', Date.now())).record.settings).toBeNull();
    const ok = await put('{"features":{"reorder":false},"dietary":["Gluten Free"],"strength":0.2}');
    expect(ok.status).toBe(200);
    expect(ok.json<{ features: string[] }>().features).not.toContain('reorder');
    const me = (await call(`${proxy.url}${ME}`, { headers: as('val-1') })).json<{ settings: { dietary: string[]; strength: number } }>();
    expect(me.settings).toMatchObject({ dietary: ['gluten-free'], strength: 0.2 });
  });

  it('DELETE erases everything; the next search is the backend’s answer', async () => {
    const products = await productsOnSearch();
    await call(`${proxy.url}/sidecart/v1/events`, { method: 'POST', headers: as('del-1'), body: purchaseEvents('del-1', products) });
    await call(`${proxy.url}${ME}/settings`, { method: 'PUT', headers: as('del-1'), body: { dietary: ['halal'] } });
    expect((await call(`${proxy.url}${SEARCH}`, { headers: as('del-1') })).headers['x-sidecart']).toBe('personalized');
    const del = await call(`${proxy.url}${ME}`, { method: 'DELETE', headers: as('del-1') });
    expect(del.status).toBe(204);
    expect(del.body.length).toBe(0);
    expect((await proxy.sidecart.store.read('del-1', Date.now())).record).toEqual({ profile: null, settings: null, session: null });
    const direct = await call(`${backend.url}${SEARCH}`);
    const after = await call(`${proxy.url}${SEARCH}`, { headers: as('del-1') });
    expect(after.headers['x-sidecart']).toBe('passthrough; reason=no-profile');
    expect(after.body.equals(direct.body)).toBe(true);
  });
});

describe('shopper controls: opting out', () => {
  it('gives the backend’s bytes, keeps no events, and the opt-out survives deletion', async () => {
    const products = await productsOnSearch();
    await call(`${proxy.url}/sidecart/v1/events`, { method: 'POST', headers: as('out-1'), body: purchaseEvents('out-1', products) });
    expect((await call(`${proxy.url}${SEARCH}`, { headers: as('out-1') })).headers['x-sidecart']).toBe('personalized');
    const off = await call(`${proxy.url}${ME}/settings`, { method: 'PUT', headers: as('out-1'), body: { personalization: false, dietary: ['kosher'] } });
    expect(off.status).toBe(200);
    const signals = await storedSignals('out-1');

    const direct = await call(`${backend.url}${SEARCH}`);
    const search = await call(`${proxy.url}${SEARCH}`, { headers: as('out-1') });
    expect(search.headers['x-sidecart']).toBe('passthrough; reason=opted-out');
    expect(search.body.equals(direct.body)).toBe(true);

    const events = await call(`${proxy.url}/sidecart/v1/events`, { method: 'POST', headers: as('out-1'), body: purchaseEvents('out-1-later', products) });
    expect(events.status).toBe(202);
    expect(events.json().stored).toBe(false);
    expect(await storedSignals('out-1')).toBe(signals);

    expect((await call(`${proxy.url}${ME}`, { method: 'DELETE', headers: as('out-1') })).status).toBe(204);
    const record = (await proxy.sidecart.store.read('out-1', Date.now())).record;
    expect(record.profile).toBeNull();
    expect(record.session).toBeNull();
    // Only the bare switch survives: the dietary (possibly religious) preference is gone too.
    expect(record.settings).toMatchObject({ personalization: false, features: {}, dietary: [] });
    const again = await call(`${proxy.url}/sidecart/v1/events`, { method: 'POST', headers: as('out-1'), body: purchaseEvents('out-1-after', products) });
    expect(again.json().stored).toBe(false);
    expect((await proxy.sidecart.store.read('out-1', Date.now())).record.profile).toBeNull();
    expect((await call(`${proxy.url}${SEARCH}`, { headers: as('out-1') })).headers['x-sidecart']).toBe('passthrough; reason=opted-out');
  });
});
