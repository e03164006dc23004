import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { describeShopper, exportShopper } from '../../src/controls/describe-shopper.js';
import { jsonDepthExceeds } from '../../src/controls/json-depth-guard.js';
import { REDACTED, redactConfig, redactUrl } from '../../src/controls/redact-config.js';
import { adminTokenMatches } from '../../src/identity/admin-auth.js';
import { emptyProfile, type ShopperRecord } from '../../src/personalization/types.js';

const config = configSchema.parse({ store: { redis: { url: 'redis://127.0.0.1:6379', retentionDays: 30 } } });
const DAY = 86_400_000;

function recordWithHistory(): ShopperRecord {
  const profile = emptyProfile(Date.UTC(2026, 0, 10));
  profile.orders = 4;
  profile.signals = 12;
  profile.products['milk-1'] = { n: 4, q: 2, w: 3, t: Date.UTC(2026, 1, 1), last: Date.UTC(2026, 1, 1), gn: 3, gm: 7, gv: 1, qn: 4, brand: 'Alpenmilch' };
  profile.products['bread-2'] = { n: 0, q: 1, w: 0.5, t: Date.UTC(2026, 1, 2), last: 0, gn: 0, gm: 0, gv: 0, qn: 0 };
  profile.brands['Alpenmilch'] = { w: 3, t: 0 };
  profile.categories['dairy'] = { w: 3, t: 0 };
  profile.dietaryCounts['vegetarian'] = 3;
  profile.dietaryBase = 4;
  return {
    profile,
    settings: { personalization: true, features: { reorder: false }, dietary: ['halal'], updatedAt: Date.UTC(2026, 1, 3) },
    session: { recent: [{ id: 'bread-2', type: 'view', at: Date.UTC(2026, 1, 2, 10) }], queries: ['milk'], updatedAt: Date.UTC(2026, 1, 2, 11) },
  };
}

describe('describeShopper: everything stored, in plain terms', () => {
  it('lists what, since when and why for each kind of data, strongest products first', () => {
    const d = describeShopper('u-1', recordWithHistory(), config, Date.UTC(2026, 1, 4));
    expect(d.shopper).toEqual({ id: 'u-1', kind: 'signed-in' });
    expect(d.personalization).toBe(true);
    for (const item of d.stored) {
      expect(item.what.length).toBeGreaterThan(5);
      expect(item.why.length).toBeGreaterThan(5);
    }
    const products = d.stored.find((s) => s.what.startsWith('Products'))!;
    expect(products.since).toBe('2026-01-10T00:00:00.000Z');
    expect((products.details as { product: string }[]).map((p) => p.product)).toEqual(['milk-1', 'bread-2']);
    expect((products.details as { lastBought: string | null }[])[1]!.lastBought).toBeNull();
    expect(d.stored.some((s) => s.what.includes('this visit'))).toBe(true);
    expect(d.retention).toContain('30 days');
  });

  it('shows which features are on and who set them', () => {
    const d = describeShopper('u-1', recordWithHistory(), config, 0);
    const reorder = d.features.find((f) => f.name === 'reorder')!;
    const usual = d.features.find((f) => f.name === 'usual')!;
    expect(reorder).toMatchObject({ on: false, setBy: 'you' });
    expect(usual).toMatchObject({ on: true, setBy: 'store' });
  });

  it('says nothing is stored for a new shopper, and marks anonymous ids', () => {
    const d = describeShopper('anon:s1', { profile: null, settings: null, session: null }, config, 5 * DAY);
    expect(d.stored).toEqual([]);
    expect(d.shopper.kind).toBe('anonymous');
    expect(d.settings).toMatchObject({ personalization: true, features: {}, dietary: [] });
  });

  it('exports the stored record unchanged', () => {
    const record = recordWithHistory();
    const exported = exportShopper('u-1', record, config, 0);
    expect(JSON.parse(JSON.stringify(exported))).toMatchObject({ format: 'sidecart-export/1', settings: record.settings, profile: JSON.parse(JSON.stringify(record.profile)), session: record.session });
  });
});

describe('redactConfig', () => {
  it('hides the admin token, JWT secret, Redis password and URL credentials', () => {
    const secretConfig = configSchema.parse({
      admin: { token: 'admin-token-0123456789' },
      identity: { jwt: { secret: 'jwt-secret-0123456789' } },
      store: { redis: { url: 'redis://user:p%40ss@redis:6379/0', password: 'redis-pass' } },
      upstream: { url: 'https://es:es-pass@search.internal:9200' },
    });
    const text = JSON.stringify(redactConfig(secretConfig));
    for (const secret of ['admin-token-0123456789', 'jwt-secret-0123456789', 'p%40ss', 'redis-pass', 'es-pass']) expect(text).not.toContain(secret);
    const redacted = redactConfig(secretConfig) as typeof secretConfig;
    expect(redacted.admin.token).toBe(REDACTED);
    expect(redacted.store.redis.url).toBe(`redis://user:${REDACTED}@redis:6379/0`);
    expect(redacted.upstream.url).toBe(`https://es:${REDACTED}@search.internal:9200`);
    expect(redacted.routes).toEqual([]);
    expect(redacted.server.port).toBe(8080);
  });

  it('leaves URLs without credentials alone', () => {
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(redactUrl('redis://:pw@h:1')).toBe(`redis://:${REDACTED}@h:1`);
    expect(redactUrl('https://tokenonly@h')).toBe(`https://${REDACTED}@h`);
  });
});

describe('json depth and admin token', () => {
  it('measures depth iteratively (no stack overflow on very deep input)', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(jsonDepthExceeds(deep, 20)).toBe(true);
    let twenty: unknown = {};
    for (let i = 1; i < 20; i++) twenty = { a: twenty };
    expect(jsonDepthExceeds(twenty, 20)).toBe(false);
    expect(jsonDepthExceeds({ b: twenty }, 20)).toBe(true);
    expect(jsonDepthExceeds('text', 0)).toBe(false);
  });

  it('compares admin tokens of any length without throwing', () => {
    expect(adminTokenMatches('s3cret-token-123456', 's3cret-token-123456')).toBe(true);
    expect(adminTokenMatches('s3cret-token-12345', 's3cret-token-123456')).toBe(false);
    expect(adminTokenMatches('', 's3cret-token-123456')).toBe(false);
    expect(adminTokenMatches('x'.repeat(5000), 's3cret-token-123456')).toBe(false);
  });
});
