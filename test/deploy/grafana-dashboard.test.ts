import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/metrics.js';
import { toolSkipReason } from '../support/global-setup-tools.js';
import { exposedSeriesNames, referencedMetrics } from './metric-names.js';

const noPromtool = toolSkipReason('promtool');
const FILE = resolve(import.meta.dirname, '../../deploy/grafana/sidecart-dashboard.json');

interface Target {
  expr?: string;
  refId: string;
  datasource?: { uid?: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { uid?: string };
  targets?: Target[];
  panels?: Panel[];
}
const dashboard = JSON.parse(readFileSync(FILE, 'utf8')) as { uid: string; title: string; panels: Panel[]; templating: { list: { name: string }[] } };
const all = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const graphs = all.filter((p) => p.type !== 'row');
const exprs = graphs.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr ?? '' })));

/** Grafana's variables replaced by values Prometheus accepts, so promtool can parse the query. */
function concrete(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '5m')
    .replaceAll('$__range', '1h')
    .replaceAll('$namespace', '.*')
    .replaceAll('$pod', '.*');
}

describe('deploy/grafana/sidecart-dashboard.json', () => {
  let names: Set<string>;
  beforeAll(async () => {
    names = await exposedSeriesNames();
  });

  it('is a dashboard with unique panel ids, each panel inside the 24-column grid', () => {
    expect(dashboard.uid).toBeTruthy();
    expect(graphs.length).toBeGreaterThan(10);
    const ids = all.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of all) expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(expect.arrayContaining(['datasource', 'namespace', 'pod']));
  });

  it('every panel queries the chosen Prometheus data source', () => {
    for (const p of graphs) {
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      expect(p.datasource?.uid, p.title).toBe('${datasource}');
      for (const t of p.targets ?? []) expect(t.expr, `${p.title} ${t.refId}`).toBeTruthy();
    }
  });

  it('every expression uses only metrics that src/metrics/metrics.ts exports', () => {
    for (const { panel, expr } of exprs) {
      const used = referencedMetrics(expr);
      expect(used.length, `${panel} uses a sidecart metric`).toBeGreaterThan(0);
      expect(used.filter((n) => !names.has(n)), `${panel}: unknown metrics`).toEqual([]);
    }
  });

  it("shows every one of sidecart's own metrics somewhere", async () => {
    const own = await createMetrics({ processMetrics: false }).registry.getMetricsAsJSON();
    const used = new Set(exprs.flatMap(({ expr }) => referencedMetrics(expr)));
    const missing = own
      .map((m) => m.name)
      .filter((name) => ![name, `${name}_bucket`, `${name}_sum`, `${name}_count`].some((n) => used.has(n)));
    expect(missing).toEqual([]);
  });

  it.skipIf(noPromtool)('every expression is valid PromQL (promtool parses it as a recording rule)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sidecart-dashboard-'));
    try {
      const rules = exprs.map(({ expr }, i) => ({ record: `dashboard:expr_${i}`, expr: concrete(expr) }));
      const file = join(dir, 'dashboard-exprs.yaml');
      writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
      const run = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8', timeout: 60_000 });
      if (run.error) throw new Error(`promtool could not run (${run.error.message}); install Debian's prometheus package`);
      expect(run.status, run.stdout + run.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
