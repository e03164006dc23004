import type { ExperimentReport } from './experiment-report.js';

// The report as a few lines a store owner can read in a terminal.

const percent = (p: number | null, digits = 2) => (p === null ? '—' : `${(p * 100).toFixed(digits)}%`);
const points = (d: number) => `${d >= 0 ? '+' : ''}${(d * 100).toFixed(2)} pts`;

export function renderExperimentReport(report: ExperimentReport): string {
  const lines: string[] = [];
  lines.push(`experiment ${report.experiment} — ${report.type} conversion by variant`);
  lines.push('');
  const header = ['variant', 'shoppers', 'converted', 'rate', 'conversions', 'influenced', 'searches'];
  const rows = report.variants.map((v) => [
    v.variant + (v.variant === report.baseline ? ' (baseline)' : ''),
    String(v.shoppers),
    String(v.convertedShoppers),
    percent(v.rate),
    String(v.conversions),
    String(v.influencedConversions),
    String(v.exposures),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const format = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  lines.push(format(header));
  for (const row of rows) lines.push(format(row));
  lines.push('');
  if (report.variants.length === 0) lines.push('no counts for this experiment yet');
  for (const c of report.comparisons) {
    if (c.difference === null || c.ci95 === null) {
      lines.push(`${c.variant} vs ${c.baseline}: no comparison yet (${c.caution ?? 'no data'})`);
      continue;
    }
    const verdict = c.significant ? (c.difference > 0 ? 'higher' : 'lower') + ' (95% CI excludes 0)' : 'no significant difference (95% CI includes 0)';
    lines.push(`${c.variant} vs ${c.baseline}: ${points(c.difference)}, 95% CI [${points(c.ci95[0])}, ${points(c.ci95[1])}] — ${verdict}`);
    if (c.caution) lines.push(`  caution: ${c.caution}`);
  }
  lines.push('');
  lines.push(`rate: ${report.definition}`);
  lines.push(`interval: ${report.method}`);
  return lines.join('\n') + '\n';
}
