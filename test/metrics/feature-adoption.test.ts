import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/metrics.js';
import { FeatureAdoption } from '../../src/metrics/feature-adoption.js';

async function gauge(metrics: ReturnType<typeof createMetrics>) {
  const { values } = await metrics.featureAdoption.get();
  return Object.fromEntries(values.map((v) => [v.labels.feature, v.value]));
}

describe('FeatureAdoption', () => {
  it('counts distinct shoppers per feature, follows a shopper’s changes, forgets after the window', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const adoption = new FeatureAdoption(metrics.featureAdoption, 1000, 10);
    adoption.observe('a', ['smart_ranking', 'usual'], 0);
    adoption.observe('b', ['smart_ranking'], 10);
    adoption.observe('a', ['smart_ranking', 'usual'], 20);
    expect(await gauge(metrics)).toMatchObject({ smart_ranking: 2, usual: 1, reorder: 0 });
    adoption.observe('a', ['reorder'], 30);
    expect(await gauge(metrics)).toMatchObject({ smart_ranking: 1, usual: 0, reorder: 1 });
    adoption.observe('c', ['usual'], 1015);
    // b (seen at 10) is past the 1000 ms window; a (30) is not.
    expect(await gauge(metrics)).toMatchObject({ smart_ranking: 0, usual: 1, reorder: 1 });
  });

  it('stays bounded by maxShoppers', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const adoption = new FeatureAdoption(metrics.featureAdoption, 1e9, 3);
    for (let i = 0; i < 10; i++) adoption.observe(`s${i}`, ['dietary'], i);
    expect((await gauge(metrics)).dietary).toBe(3);
  });
});
