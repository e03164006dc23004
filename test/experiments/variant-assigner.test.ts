import { describe, expect, it } from 'vitest';
import { LiveConfig } from '../../src/config/live-config.js';
import { parseConfig } from '../../src/config/load-config.js';
import type { ExperimentConfig } from '../../src/config/schema.js';
import { baselineVariant, createVariantAssigner, experimentPosition, pickVariant } from '../../src/experiments/variant-assigner.js';

const experiment = (variants: { name: string; weight: number; personalize?: boolean; strength?: number }[]): ExperimentConfig => ({
  name: 'ranking-ab',
  variants: variants.map((v) => ({ personalize: true, ...v })),
});

const IDS = Array.from({ length: 100_000 }, (_, i) => `shopper-${i}`);

function shares(exp: ExperimentConfig): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of IDS) {
    const name = pickVariant(exp, id).name;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return new Map([...counts].map(([k, v]) => [k, v / IDS.length]));
}

describe('variant assignment', () => {
  it('is deterministic: the same shopper and experiment always give the same position (fixed values guard against a changed hash)', () => {
    expect(experimentPosition('ranking-ab', 'shopper-1')).toBe(experimentPosition('ranking-ab', 'shopper-1'));
    // Pinned: a replica built from another commit must put shoppers in the same variant.
    const pinned = ['shopper-1', 'shopper-2', 'u:42'].map((id) => experimentPosition('ranking-ab', id).toFixed(6));
    expect(pinned).toEqual(PINNED);
  });

  it('depends on the experiment name: another experiment reshuffles shoppers', () => {
    const a = IDS.slice(0, 2000).map((id) => experimentPosition('exp-a', id) < 0.5);
    const b = IDS.slice(0, 2000).map((id) => experimentPosition('exp-b', id) < 0.5);
    const agree = a.filter((x, i) => x === b[i]).length / a.length;
    expect(agree).toBeGreaterThan(0.45);
    expect(agree).toBeLessThan(0.55);
  });

  it('matches 10/90 weights within 0.5 points over 100k ids', () => {
    const s = shares(experiment([{ name: 'control', weight: 10, personalize: false }, { name: 'personalized', weight: 90 }]));
    expect(Math.abs(s.get('control')! - 0.1)).toBeLessThan(0.005);
    expect(Math.abs(s.get('personalized')! - 0.9)).toBeLessThan(0.005);
  });

  it('matches uneven three-way fractional weights within 0.5 points, and a weight of 0 gets nobody', () => {
    const s = shares(experiment([{ name: 'a', weight: 1.5 }, { name: 'off', weight: 0 }, { name: 'b', weight: 3 }, { name: 'c', weight: 5.5 }]));
    expect(Math.abs(s.get('a')! - 0.15)).toBeLessThan(0.005);
    expect(Math.abs(s.get('b')! - 0.3)).toBeLessThan(0.005);
    expect(Math.abs(s.get('c')! - 0.55)).toBeLessThan(0.005);
    expect(s.has('off')).toBe(false);
  });

  it('moves only shoppers near a changed boundary when weights change', () => {
    const before = experiment([{ name: 'control', weight: 50, personalize: false }, { name: 'personalized', weight: 50 }]);
    const after = experiment([{ name: 'control', weight: 40, personalize: false }, { name: 'personalized', weight: 60 }]);
    const moved = IDS.filter((id) => pickVariant(before, id).name !== pickVariant(after, id).name);
    expect(moved.every((id) => pickVariant(before, id).name === 'control')).toBe(true);
    expect(Math.abs(moved.length / IDS.length - 0.1)).toBeLessThan(0.005);
  });

  it('assigns per route from the live config, carries personalize and strength, and follows a reload', () => {
    const yaml = (controlWeight: number) => `
upstream: { url: "http://127.0.0.1:9" }
routes:
  - { path: /products/_search, adapter: elasticsearch, experiment: ranking-ab }
  - { path: /other/_search, adapter: elasticsearch }
experiments:
  - name: ranking-ab
    variants:
      - { name: control, weight: ${controlWeight}, personalize: false }
      - { name: gentle, weight: 1, strength: 0.2 }
`;
    const live = new LiveConfig(parseConfig(yaml(1), 'x.yaml', {}), 'x.yaml');
    const assign = createVariantAssigner(live);
    const [route, plain] = live.current().routes;
    expect(assign(plain!, { id: 'shopper-1', source: 'header' })).toBeNull();
    const seen = new Map(IDS.slice(0, 200).map((id) => [id, assign(route!, { id, source: 'header' })!]));
    for (const [id, a] of seen) {
      expect(a.experiment).toBe('ranking-ab');
      expect(a).toEqual(a.variant === 'control' ? { experiment: 'ranking-ab', variant: 'control', personalize: false } : { experiment: 'ranking-ab', variant: 'gentle', personalize: true, strength: 0.2 });
      expect(assign(route!, { id, source: 'header' })).toEqual(a);
    }
    expect(baselineVariant(live.current().experiments[0]!)).toBe('control');
    live.replace(parseConfig(yaml(0), 'x.yaml', {}));
    expect(IDS.slice(0, 200).every((id) => assign(live.current().routes[0]!, { id, source: 'header' })!.variant === 'gentle')).toBe(true);
  });
});

const PINNED = ['0.963720', '0.192932', '0.095428'];
