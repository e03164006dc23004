import { describe, expect, it } from 'vitest';
import { LiveConfig } from '../../src/config/live-config.js';
import { parseConfig } from '../../src/config/load-config.js';
import type { RouteConfig } from '../../src/config/schema.js';
import { createAttribution } from '../../src/experiments/attribution.js';
import { buildExperimentReport, REPORT_METRIC_NAMES } from '../../src/experiments/experiment-report.js';
import { parsePrometheusText } from '../../src/experiments/prometheus-text.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import type { ShopperEvent } from '../../src/personalization/types.js';
import type { SearchServed, VariantAssignment } from '../../src/proxy/search-served.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);

function setup(attributionYaml = 'attribution: { windowMinutes: 30 }') {
  const config = parseConfig(
    `
upstream: { url: "http://127.0.0.1:9" }
routes: [{ path: /s, adapter: elasticsearch, experiment: ab }]
experiments: [{ name: ab, variants: [{ name: control, weight: 1, personalize: false }, { name: personalized, weight: 1 }] }]
${attributionYaml}
`,
    'x.yaml',
    {},
  );
  const live = new LiveConfig(config, 'x.yaml');
  const metrics = createMetrics({ processMetrics: false });
  const attribution = createAttribution({ live, metrics });
  const route = config.routes[0] as RouteConfig;
  const serve = (shopper: string, variant: string, now: number, hitIds?: string[]) => {
    const assignment: VariantAssignment = { experiment: 'ab', variant, personalize: variant !== 'control' };
    const served: SearchServed = {
      route,
      shopper: { id: shopper, source: 'header' },
      outcome: hitIds ? 'personalized' : 'passthrough',
      ...(hitIds ? { hitIds } : { reason: 'control-group' as const }),
      assignment,
      now,
    };
    attribution.onServed(served);
  };
  const report = async () =>
    buildExperimentReport(parsePrometheusText(await metrics.registry.metrics(), REPORT_METRIC_NAMES), { experiment: 'ab', type: 'purchase', baseline: 'control' });
  return { attribution, metrics, serve, report };
}

const purchase = (id: string, at: number, ...products: string[]): ShopperEvent => ({ id, type: 'purchase', at, items: products.map((p) => ({ id: p, quantity: 1 })) });

describe('attribution', () => {
  it('counts a purchase once, however often its event id is replayed (API and tap alike)', async () => {
    const { attribution, serve, report } = setup();
    serve('s1', 'personalized', T0, ['p1', 'p2']);
    const event = purchase('order-1', T0 + MINUTE, 'p1');
    attribution.onEventsAccepted('s1', [event], 'api', T0 + MINUTE);
    attribution.onEventsAccepted('s1', [event], 'api', T0 + 2 * MINUTE);
    attribution.onEventsAccepted('s1', [event, event], 'tap', T0 + 3 * MINUTE);
    const r = await report();
    const v = r.variants.find((x) => x.variant === 'personalized')!;
    expect(v).toMatchObject({ shoppers: 1, convertedShoppers: 1, conversions: 1, influencedConversions: 1 });
    // The same event id from another shopper is another purchase.
    serve('s2', 'personalized', T0);
    attribution.onEventsAccepted('s2', [event], 'api', T0 + MINUTE);
    expect((await report()).variants.find((x) => x.variant === 'personalized')).toMatchObject({ shoppers: 2, convertedShoppers: 2, conversions: 2, influencedConversions: 1 });
  });

  it('influenced only when the product was in a personalized result within the window', async () => {
    const { attribution, serve, metrics } = setup();
    serve('s1', 'personalized', T0, ['p1', 'p2']);
    attribution.onEventsAccepted('s1', [purchase('e1', T0 + 10 * MINUTE, 'p2')], 'api', T0 + 10 * MINUTE);
    attribution.onEventsAccepted('s1', [purchase('e2', T0 + 31 * MINUTE, 'p1')], 'api', T0 + 31 * MINUTE);
    attribution.onEventsAccepted('s1', [purchase('e3', T0 + 5 * MINUTE, 'never-shown')], 'api', T0 + 5 * MINUTE);
    attribution.onEventsAccepted('s1', [{ ...purchase('e4', T0 + 5 * MINUTE, 'p1'), type: 'add_to_cart' }], 'tap', T0 + 5 * MINUTE);
    const values = (await metrics.experimentConversions.get()).values.map((v) => [v.labels.type, v.labels.influenced, v.value]);
    expect(values).toEqual(
      expect.arrayContaining([
        ['purchase', 'true', 1],
        ['purchase', 'false', 2],
        ['add_to_cart', 'true', 1],
      ]),
    );
    const converted = (await metrics.experimentConvertedShoppers.get()).values.map((v) => [v.labels.type, v.value]);
    expect(converted).toEqual(expect.arrayContaining([['purchase', 1], ['add_to_cart', 1]]));
  });

  it('a control shopper converts for control, never influenced; views and backfilled old purchases do not count; unknown shoppers are not attributed', async () => {
    const { attribution, serve, report, metrics } = setup();
    serve('c1', 'control', T0);
    attribution.onEventsAccepted('c1', [{ id: 'v1', type: 'view', at: T0, items: [{ id: 'p1', quantity: 1 }] }], 'api', T0);
    attribution.onEventsAccepted('c1', [purchase('old', T0 - 24 * 60 * MINUTE, 'p1')], 'import', T0);
    attribution.onEventsAccepted('nobody', [purchase('x', T0, 'p1')], 'api', T0);
    expect((await metrics.experimentConversions.get()).values).toEqual([]);
    attribution.onEventsAccepted('c1', [purchase('c-order', T0 + MINUTE, 'p1')], 'api', T0 + MINUTE);
    const r = await report();
    expect(r.variants.find((x) => x.variant === 'control')).toMatchObject({ shoppers: 1, convertedShoppers: 1, conversions: 1, influencedConversions: 0 });
  });

  it('counts an exposed shopper once per variant, and again only when a weight change moves them', async () => {
    const { serve, metrics } = setup();
    serve('s1', 'control', T0);
    serve('s1', 'control', T0 + MINUTE);
    serve('s1', 'personalized', T0 + 2 * MINUTE, ['p1']);
    const values = (await metrics.experimentShoppers.get()).values.map((v) => [v.labels.variant, v.value]);
    expect(values).toEqual(expect.arrayContaining([['control', 1], ['personalized', 1]]));
  });

  it('stays bounded: shoppers, remembered products and event ids', async () => {
    const { attribution, serve, metrics } = setup('attribution: { maxShoppers: 3, maxProductsPerShopper: 2, maxEventIds: 4 }');
    for (let i = 0; i < 10; i++) serve(`s${i}`, 'personalized', T0, ['a', 'b', 'c', 'd']);
    expect(attribution.size().shoppers).toBeLessThanOrEqual(3);
    // s0 was evicted (least recently served): its purchase is not attributed here.
    attribution.onEventsAccepted('s0', [purchase('evicted', T0 + MINUTE, 'a')], 'api', T0 + MINUTE);
    // Only the top two hits are remembered: c was shown but is not kept, so not influenced.
    attribution.onEventsAccepted('s9', [purchase('e-c', T0 + MINUTE, 'c')], 'api', T0 + MINUTE);
    for (let i = 0; i < 10; i++) attribution.onEventsAccepted('s9', [purchase(`e${i}`, T0 + MINUTE, 'a')], 'api', T0 + MINUTE);
    expect(attribution.size().eventIds).toBeLessThanOrEqual(4);
    const byInfluence = Object.fromEntries((await metrics.experimentConversions.get()).values.map((v) => [String(v.labels.influenced), v.value]));
    expect(byInfluence).toEqual({ false: 1, true: 10 });
  });

  it('never throws into the caller', () => {
    const { attribution } = setup();
    expect(() => attribution.onEventsAccepted('s1', null as unknown as ShopperEvent[], 'api', T0)).not.toThrow();
  });
});
