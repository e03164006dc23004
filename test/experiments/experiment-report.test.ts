import { describe, expect, it } from 'vitest';
import { buildExperimentReport, twoProportionInterval } from '../../src/experiments/experiment-report.js';
import { renderExperimentReport } from '../../src/experiments/experiment-report-text.js';
import { parsePrometheusText, sumSamples } from '../../src/experiments/prometheus-text.js';

const SCRAPE = `# HELP sidecart_experiment_shoppers_total Distinct shoppers
# TYPE sidecart_experiment_shoppers_total counter
sidecart_experiment_shoppers_total{experiment="ab",variant="control"} 1000
sidecart_experiment_shoppers_total{experiment="ab",variant="personalized"} 1000
sidecart_experiment_shoppers_total{experiment="other",variant="control"} 7
sidecart_experiment_converted_shoppers_total{experiment="ab",variant="control",type="purchase"} 100
sidecart_experiment_converted_shoppers_total{experiment="ab",variant="personalized",type="purchase"} 130
sidecart_experiment_converted_shoppers_total{experiment="ab",variant="personalized",type="add_to_cart"} 400
sidecart_experiment_conversions_total{experiment="ab",variant="personalized",type="purchase",influenced="true"} 90
sidecart_experiment_conversions_total{experiment="ab",variant="personalized",type="purchase",influenced="false"} 60
sidecart_experiment_conversions_total{experiment="ab",variant="control",type="purchase",influenced="false"} 110
sidecart_experiment_exposures_total{experiment="ab",variant="control"} 5000 1732536000000
sidecart_search_requests_total{route="/s",outcome="personalized",reason=""} 12
`;

describe('prometheus text', () => {
  it('reads names, escaped label values, values and ignores timestamps and comments', () => {
    const samples = parsePrometheusText('# c\nm_total{a="x\\"y\\\\z",b="line\\nbreak"} 3.5 1700000000\nm2 +Inf\nm3 Nan\n');
    expect(samples[0]).toEqual({ name: 'm_total', labels: { a: 'x"y\\z', b: 'line\nbreak' }, value: 3.5 });
    expect(samples[1]!.value).toBe(Infinity);
    expect(Number.isNaN(samples[2]!.value)).toBe(true);
    expect(() => parsePrometheusText('m{a="1} 2')).toThrow(/labels/);
    expect(() => parsePrometheusText('m{a="1"} zz')).toThrow(/not a number/);
  });

  it('sums the same series across scrapes (replicas)', () => {
    const one = parsePrometheusText(SCRAPE);
    const total = sumSamples([one, one]);
    expect(total.find((s) => s.labels.variant === 'control' && s.name === 'sidecart_experiment_shoppers_total' && s.labels.experiment === 'ab')!.value).toBe(2000);
    expect(total).toHaveLength(one.length);
  });
});

describe('experiment report', () => {
  it('computes rates, the difference and the 95% interval from the counters', () => {
    const r = buildExperimentReport(parsePrometheusText(SCRAPE), { experiment: 'ab', type: 'purchase' });
    expect(r.baseline).toBe('control');
    expect(r.variants.find((v) => v.variant === 'control')).toEqual({ variant: 'control', shoppers: 1000, convertedShoppers: 100, rate: 0.1, conversions: 110, influencedConversions: 0, exposures: 5000 });
    expect(r.variants.find((v) => v.variant === 'personalized')).toMatchObject({ shoppers: 1000, convertedShoppers: 130, rate: 0.13, conversions: 150, influencedConversions: 90 });
    const [c] = r.comparisons;
    // p1=.13, p0=.10: se = sqrt(.13*.87/1000 + .1*.9/1000) = 0.014251; 1.96*se = 0.027932
    expect(c!.difference).toBeCloseTo(0.03, 10);
    expect(c!.ci95![0]).toBeCloseTo(0.03 - 1.959964 * Math.sqrt(0.1131 / 1000 + 0.09 / 1000), 10);
    expect(c!.ci95![0]).toBeCloseTo(0.00207, 4);
    expect(c!.ci95![1]).toBeCloseTo(0.05793, 4);
    expect(c!.significant).toBe(true);
    expect(c!.caution).toBeUndefined();
  });

  it('uses another type and baseline on request, lists configured variants without counts, and says when the interval is unreliable', () => {
    const r = buildExperimentReport(parsePrometheusText(SCRAPE), { experiment: 'ab', type: 'add_to_cart', baseline: 'personalized', variants: ['control', 'personalized', 'new-one'] });
    expect(r.variants.map((v) => v.variant)).toEqual(['control', 'personalized', 'new-one']);
    expect(r.variants.find((v) => v.variant === 'personalized')!.rate).toBe(0.4);
    expect(r.comparisons.find((c) => c.variant === 'new-one')).toMatchObject({ difference: null, ci95: null, significant: false });
    const control = r.comparisons.find((c) => c.variant === 'control')!;
    expect(control.difference).toBeCloseTo(-0.4, 10);
    expect(control.caution).toMatch(/unreliable/);
  });

  it('the 95% interval covers the true difference about 95% of the time (simulated A/B tests, fixed seed)', () => {
    let x = 0x2545f491;
    const random = () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) / 0x1_0000_0000;
    };
    const binomial = (n: number, p: number) => {
      let k = 0;
      for (let i = 0; i < n; i++) if (random() < p) k++;
      return k;
    };
    const runs = 1000;
    let covered = 0;
    for (let r = 0; r < runs; r++) {
      const i = twoProportionInterval(binomial(800, 0.12), 800, binomial(800, 0.1), 800)!;
      if (i.ci95[0] <= 0.02 && 0.02 <= i.ci95[1]) covered++;
    }
    expect(covered / runs).toBeGreaterThan(0.93);
    expect(covered / runs).toBeLessThan(0.97);
  });

  it('an interval that includes 0 is not significant', () => {
    const i = twoProportionInterval(11, 100, 10, 100)!;
    expect(i.ci95[0]).toBeLessThan(0);
    expect(i.ci95[1]).toBeGreaterThan(0);
    expect(twoProportionInterval(1, 0, 1, 10)).toBeNull();
  });

  it('renders rates, the difference in points and the interval, and names the method', () => {
    const text = renderExperimentReport(buildExperimentReport(parsePrometheusText(SCRAPE), { experiment: 'ab', type: 'purchase' }));
    expect(text).toMatch(/control \(baseline\)\s+1000\s+100\s+10\.00%/);
    expect(text).toMatch(/personalized\s+1000\s+130\s+13\.00%\s+150\s+90/);
    expect(text).toContain('personalized vs control: +3.00 pts, 95% CI [+0.21 pts, +5.79 pts] — higher (95% CI excludes 0)');
    expect(text).toMatch(/normal approximation/);
  });
});
