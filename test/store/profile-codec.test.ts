import { describe, expect, it } from 'vitest';
import { emptyProfile, type ShopperProfile } from '../../src/personalization/types.js';
import { decodeProfile, encodeProfile, fromHalf, toHalf } from '../../src/store/profile-codec.js';
import { typicalProfile } from './profile-fixtures.js';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const HOUR = 3_600_000;

function expectClose(actual: ShopperProfile, expected: ShopperProfile): void {
  expect(Object.keys(actual.products).sort()).toEqual(Object.keys(expected.products).sort());
  for (const [id, e] of Object.entries(expected.products)) {
    const a = actual.products[id]!;
    expect(a.n).toBe(e.n);
    expect(a.q).toBe(e.q);
    expect(a.qn).toBe(e.qn);
    expect(a.gn).toBe(e.gn);
    expect(a.brand).toBe(e.brand);
    expect(a.category).toBe(e.category);
    expect(a.p).toBeCloseTo(e.p!, 2);
    expect(Math.abs(a.w - e.w)).toBeLessThanOrEqual(Math.abs(e.w) * 0.001 + 1e-3);
    expect(Math.abs(a.t - e.t)).toBeLessThan(HOUR);
    expect(Math.abs(a.last - e.last)).toBeLessThan(HOUR);
    expect(Math.abs(a.gm - e.gm)).toBeLessThanOrEqual(0.125);
    expect(Math.abs(Math.sqrt(a.gv) - Math.sqrt(e.gv))).toBeLessThanOrEqual(1 / 16);
  }
  for (const map of ['brands', 'categories', 'tags'] as const) {
    expect(Object.keys(actual[map]).sort()).toEqual(Object.keys(expected[map]).sort());
    for (const [k, e] of Object.entries(expected[map])) {
      expect(Math.abs(actual[map][k]!.w - e.w)).toBeLessThanOrEqual(Math.abs(e.w) * 0.001 + 1e-3);
      expect(Math.abs(actual[map][k]!.t - e.t)).toBeLessThan(HOUR);
    }
  }
  expect(actual.dietaryCounts).toEqual(expected.dietaryCounts);
  for (const k of ['orders', 'signals', 'dietaryBase', 'basketN'] as const) expect(actual[k]).toBe(expected[k]);
  expect(actual.basketMean).toBeCloseTo(expected.basketMean, 3);
  expect(Math.abs(actual.firstAt - expected.firstAt)).toBeLessThan(HOUR);
  expect(Math.abs(actual.updatedAt - expected.updatedAt)).toBeLessThan(HOUR);
}

describe('profile codec', () => {
  it('round-trips a typical profile within the documented precision', () => {
    const profile = typicalProfile(NOW);
    expectClose(decodeProfile(encodeProfile(profile)), profile);
  });

  it('is stable: decoding and re-encoding gives the same bytes', () => {
    const once = encodeProfile(typicalProfile(NOW, 7));
    expect(encodeProfile(decodeProfile(once)).equals(once)).toBe(true);
  });

  it('keeps a typical 50-product profile about ten times smaller than its JSON', () => {
    const profile = typicalProfile(NOW);
    const bytes = encodeProfile(profile).length;
    expect(bytes).toBeLessThan(JSON.stringify(profile).length / 8);
    expect(bytes).toBeLessThan(1150);
  });

  it('round-trips an empty profile and odd product ids exactly', () => {
    const profile = emptyProfile(NOW);
    const ids = ['0', '007', 'sku-9', 'sku-10', 'sku-10a', 'ean-4006381333931', 'x'.repeat(40) + '123', 'é-ü:1', '12345678901234567890'];
    ids.forEach((id, i) => (profile.products[id] = { n: i, q: 1, w: 1, t: NOW, last: 0, gn: 0, gm: 0, gv: 0, qn: i }));
    const decoded = decodeProfile(encodeProfile(profile));
    expect(Object.keys(decoded.products).sort()).toEqual([...ids].sort());
    expect(decodeProfile(encodeProfile(emptyProfile(NOW)))).toEqual({ ...emptyProfile(Math.floor(NOW / HOUR) * HOUR) });
  });

  it('carries fields it does not know as JSON instead of dropping them', () => {
    const profile = typicalProfile(NOW) as ShopperProfile & { household?: number };
    profile.household = 3;
    const firstId = Object.keys(profile.products)[0]!;
    (profile.products[firstId] as unknown as Record<string, unknown>).season = 'summer';
    const decoded = decodeProfile(encodeProfile(profile)) as ShopperProfile & { household?: number };
    expect(decoded.household).toBe(3);
    expect((decoded.products[firstId] as unknown as Record<string, unknown>).season).toBe('summer');
  });

  it('keeps negative weights and large counts', () => {
    const profile = emptyProfile(NOW);
    profile.orders = 123_456;
    profile.products.a = { n: 3, q: 2.5, w: -4.25, t: NOW - 1000 * HOUR, last: NOW - 2000 * HOUR, gn: 1, gm: 12.5, gv: 4, qn: 1, p: 0.99 };
    profile.brands.b = { w: -1.5, t: NOW };
    const decoded = decodeProfile(encodeProfile(profile));
    expect(decoded.orders).toBe(123_456);
    expect(decoded.products.a).toMatchObject({ n: 3, q: 2.5, w: -4.25, gn: 1, gm: 12.5, gv: 4, qn: 1, p: 0.99 });
    expect(decoded.brands.b!.w).toBe(-1.5);
  });

  it('converts half floats with about 3 significant digits and clamps overflow', () => {
    for (const v of [0, 1, -2, 0.5, 3.14159, 1000.7, 0.0001234]) {
      expect(Math.abs(fromHalf(toHalf(v)) - v)).toBeLessThanOrEqual(Math.abs(v) / 1024 + 1e-7);
    }
    expect(fromHalf(toHalf(1e9))).toBe(65504);
    expect(fromHalf(toHalf(Number.NaN))).toBe(0);
  });

  it('rejects bytes it did not write', () => {
    expect(() => decodeProfile(Buffer.from([9, 1, 2]))).toThrow(/unknown format/);
    expect(() => decodeProfile(Buffer.from([1, 0x80]))).toThrow(/truncated/);
  });
});
