import { createMetrics } from '../../src/metrics/metrics.js';

// The series names sidecart can expose, read from the real registry (src/metrics/metrics.ts plus
// prom-client's default process metrics), so alerts and dashboards are checked against the code.

export async function exposedSeriesNames(): Promise<Set<string>> {
  const { registry } = createMetrics();
  const names = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) {
    // At run time `type` is the text-format name ('histogram'), whatever the .d.ts enum says.
    const type = String(metric.type);
    if (type === 'histogram') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
    } else if (type === 'summary') {
      for (const suffix of ['', '_sum', '_count']) names.add(metric.name + suffix);
    } else names.add(metric.name);
  }
  return names;
}

/** Metric names an expression refers to: every `sidecart_…` identifier not followed by `(`. */
export function referencedMetrics(expr: string): string[] {
  return [...expr.matchAll(/\b(sidecart_[a-zA-Z0-9_]+)\b(?!\s*\()/g)].map((m) => m[1]!);
}
