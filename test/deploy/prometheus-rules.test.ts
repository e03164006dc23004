import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { toolSkipReason } from '../support/global-setup-tools.js';
import { exposedSeriesNames, referencedMetrics } from './metric-names.js';

// The alert rules are checked by promtool itself (Debian's prometheus package; the test run's
// global setup installs it) and against the metric names the code really exports.

const noPromtool = toolSkipReason('promtool');

const DIR = resolve(import.meta.dirname, '../../deploy/prometheus');
const RULE_FILE = resolve(DIR, 'alerts.yaml');
const TEST_FILE = resolve(DIR, 'alerts.test.yaml');
const OPERATOR_RULE = resolve(import.meta.dirname, '../../deploy/kubernetes/base/prometheusrule.yaml');

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const groups = (parse(readFileSync(RULE_FILE, 'utf8')) as { groups: { name: string; rules: Rule[] }[] }).groups;
const rules = groups.flatMap((g) => g.rules);

function promtool(...args: string[]) {
  const run = spawnSync('promtool', args, { cwd: DIR, encoding: 'utf8', timeout: 60_000 });
  if (run.error) throw new Error(`promtool could not run (${run.error.message}); install Debian's prometheus package`);
  return run;
}

describe('deploy/prometheus/alerts.yaml', () => {
  let names: Set<string>;
  beforeAll(async () => {
    names = await exposedSeriesNames();
  });

  it.skipIf(noPromtool)('passes promtool check rules', () => {
    const run = promtool('check', 'rules', RULE_FILE);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`SUCCESS: ${rules.length} rules found`));
  });

  it.skipIf(noPromtool)('passes its promtool unit tests (alerts.test.yaml)', () => {
    const run = promtool('test', 'rules', TEST_FILE);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/SUCCESS/);
  });

  it('has the alerts ops asked for, Redis trouble at info only', () => {
    const byName = new Map(rules.map((r) => [r.alert, r]));
    for (const alert of [
      'SidecartRedisFallbackActive',
      'SidecartBreakerOpen',
      'SidecartBudgetPassthroughHigh',
      'SidecartOverheadP99High',
      'SidecartMemoryStoreNearCapacity',
      'SidecartJournalDropping',
      'SidecartUpstreamErrors',
    ]) {
      expect(byName.has(alert), alert).toBe(true);
    }
    expect(byName.get('SidecartRedisFallbackActive')?.labels?.severity).toBe('info');
    expect(byName.get('SidecartOverheadP99High')?.expr).toMatch(/sidecart_personalization_duration_seconds_bucket/);
    for (const r of rules) {
      expect(['info', 'warning', 'critical'], r.alert).toContain(r.labels?.severity);
      expect(r.annotations?.summary, r.alert).toBeTruthy();
    }
  });

  it('uses only metric names that src/metrics/metrics.ts exports', () => {
    for (const r of rules) {
      const used = referencedMetrics(r.expr);
      expect(used.length, `${r.alert} uses a sidecart metric`).toBeGreaterThan(0);
      expect(used.filter((n) => !names.has(n)), `${r.alert}: unknown metrics`).toEqual([]);
    }
  });

  it('has a promtool test in which each alert fires', () => {
    const tests = (parse(readFileSync(TEST_FILE, 'utf8')) as {
      tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
    }).tests;
    const firing = new Set(tests.flatMap((t) => (t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname)));
    expect(rules.map((r) => r.alert).filter((a) => !firing.has(a))).toEqual([]);
  });

  it('is the same set of groups as the PrometheusRule in the kustomize base', () => {
    const operator = parse(readFileSync(OPERATOR_RULE, 'utf8')) as { spec: { groups: unknown } };
    expect(operator.spec.groups).toEqual(groups);
  });
});
