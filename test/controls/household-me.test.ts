import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { describeShopper, STORE_WIDE_NOTE } from '../../src/controls/describe-shopper.js';
import { emptyProfile, type ShopperProfile, type ShopperRecord } from '../../src/personalization/types.js';

// GET /sidecart/v1/me shows the household estimate with its confidence, so a shopper can see
// what sidecart guessed about their household and how sure it is.

const config = configSchema.parse({});
const NOW = Date.UTC(2026, 2, 1);

/** A family: 10 orders of 15 lines, two staples coming back every 3.5 days. */
function family(): ShopperProfile {
  const p = emptyProfile(Date.UTC(2026, 0, 1));
  p.orders = 10;
  p.signals = 150;
  p.basketN = 10;
  p.basketMean = 15;
  p.products['milk'] = { n: 10, q: 2, w: 5, t: NOW, last: NOW, gn: 9, gm: 3.5, gv: 0.5, qn: 10 };
  p.products['bread'] = { n: 10, q: 1, w: 5, t: NOW, last: NOW, gn: 9, gm: 3.5, gv: 0.5, qn: 10 };
  return p;
}

const recordOf = (profile: ShopperProfile | null, features: Record<string, boolean> = {}): ShopperRecord => ({
  profile,
  settings: { personalization: true, features, dietary: [], updatedAt: 0 },
  session: null,
});

describe('GET /me: household', () => {
  it('shows the estimate with its confidence and how it is made', () => {
    const d = describeShopper('u-1', recordOf(family()), config, NOW);
    expect(d.household.on).toBe(true);
    expect(d.household.estimate).toEqual({ size: 4, confidence: 0.7, stapleCycleDays: 3.5 });
    expect(d.household.how).toMatch(/basket sizes/);
  });

  it('too little data: on, but no estimate (fewer than 3 orders, or no profile)', () => {
    const young = family();
    young.orders = 2;
    expect(describeShopper('u-1', recordOf(young), config, NOW).household).toMatchObject({ on: true, estimate: null });
    expect(describeShopper('u-1', recordOf(null), config, NOW).household).toMatchObject({ on: true, estimate: null });
  });

  it('switched off by the shopper: no estimate is shown or made', () => {
    expect(describeShopper('u-1', recordOf(family(), { household: false }), config, NOW).household).toMatchObject({ on: false, estimate: null });
  });
});

describe('GET /me: store-wide complementary', () => {
  it('tells the shopper their purchases feed anonymous counts only when the store keeps them', () => {
    const storeWide = configSchema.parse({ personalization: { complementaryStoreWide: true } });
    const on = describeShopper('u-1', recordOf(null), storeWide, NOW).features.find((f) => f.name === 'complementary')!;
    expect(on.what).toContain(STORE_WIDE_NOTE);
    const off = describeShopper('u-1', recordOf(null), config, NOW).features.find((f) => f.name === 'complementary')!;
    expect(off.what).not.toContain('anonymous counts');
  });
});
