import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { FixedRateResult, LoadResult } from './load-types.js';
import { median } from './stats.js';

// Turning the runs into tables: medians over rounds, sidecart/floor ratios, and the generated
// parts of bench/RESULTS.md (between markers, so hand-written notes around them stay).

export interface PairRuns<T extends LoadResult> {
  floor: T[];
  sidecart: T[];
}

export interface PairSummary {
  floorRps: number;
  sidecartRps: number;
  /** Median over rounds of sidecart/floor in the same round. */
  ratio: number;
  floor: { p50: number; p99: number; max: number; failed: number; cpuMicros: number };
  sidecart: { p50: number; p99: number; max: number; failed: number; cpuMicros: number };
}

export function summarize<T extends LoadResult>(runs: PairRuns<T>): PairSummary {
  const side = (list: T[]) => ({
    p50: median(list.map((r) => r.p50)),
    p99: median(list.map((r) => r.p99)),
    max: median(list.map((r) => r.max)),
    failed: list.reduce((sum, r) => sum + r.errors + r.non2xx, 0),
    cpuMicros: median(list.map((r) => r.cpuMicrosPerRequest ?? NaN)),
  });
  const ratios = runs.sidecart.map((s, i) => s.rps / (runs.floor[i]?.rps ?? NaN));
  return {
    floorRps: median(runs.floor.map((r) => r.rps)),
    sidecartRps: median(runs.sidecart.map((r) => r.rps)),
    ratio: median(ratios),
    floor: side(runs.floor),
    sidecart: side(runs.sidecart),
  };
}

const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '–');
const ms = (n: number) => (Number.isFinite(n) ? (n >= 10 ? n.toFixed(0) : n.toFixed(2)) : '–');

export interface PairRow {
  label: string;
  floorName: string;
  target: number;
  saturation: PairSummary | null;
  fixed: PairSummary | null;
}

export function saturationTable(rows: PairRow[]): string {
  const lines = [
    '| mode | floor | floor req/s | sidecart req/s | ratio (target) | floor p50 / p99 / max ms | sidecart p50 / p99 / max ms | CPU µs/req floor / sidecart | failed |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const s = row.saturation;
    if (!s) continue;
    const verdict = s.ratio >= row.target ? 'met' : 'missed';
    lines.push(
      `| ${row.label} | ${row.floorName} | ${f0(s.floorRps)} | ${f0(s.sidecartRps)} | **${f2(s.ratio)}** (≥ ${row.target}, ${verdict}) | ${ms(s.floor.p50)} / ${ms(s.floor.p99)} / ${ms(s.floor.max)} | ${ms(s.sidecart.p50)} / ${ms(s.sidecart.p99)} / ${ms(s.sidecart.max)} | ${f0(s.floor.cpuMicros)} / ${f0(s.sidecart.cpuMicros)} | ${s.floor.failed} / ${s.sidecart.failed} |`,
    );
  }
  return lines.join('\n');
}

export function fixedTable(rows: PairRow[], rate: number): string {
  const lines = [
    `| mode (${f0(rate)} req/s) | floor p50 / p99 / max ms | sidecart p50 / p99 / max ms | p99 ratio | failed (floor / sidecart) |`,
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const s = row.fixed;
    if (!s) continue;
    lines.push(
      `| ${row.label} | ${ms(s.floor.p50)} / ${ms(s.floor.p99)} / ${ms(s.floor.max)} | ${ms(s.sidecart.p50)} / ${ms(s.sidecart.p99)} / ${ms(s.sidecart.max)} | ${f2(s.sidecart.p99 / s.floor.p99)} | ${s.floor.failed} / ${s.sidecart.failed} |`,
    );
  }
  return lines.join('\n');
}

export function outcomeList(results: FixedRateResult[]): string {
  const total: Record<string, number> = {};
  for (const r of results) for (const [k, v] of Object.entries(r.outcomes)) total[k] = (total[k] ?? 0) + v;
  return Object.entries(total)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `\`${k}\` × ${v}`)
    .join(', ');
}

export { f0, f2, ms };

/** Replaces the text between `<!-- bench:<id>:start -->` and its end marker in RESULTS.md (creating the section if needed). */
export function writeResultsSection(file: string, id: string, body: string): void {
  const start = `<!-- bench:${id}:start -->`;
  const end = `<!-- bench:${id}:end -->`;
  const block = `${start}\n${body.trim()}\n${end}`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from !== -1 && to > from) {
    text = text.slice(0, from) + block + text.slice(to + end.length);
  } else {
    const heading = '## Throughput and latency';
    if (!text.includes(heading)) text = `${text.trimEnd()}\n\n${heading}\n`;
    // New blocks go at the end of the section (before the next "## " heading, if any).
    const sectionStart = text.indexOf(heading);
    const next = text.indexOf('\n## ', sectionStart + heading.length);
    const at = next === -1 ? text.length : next;
    text = `${text.slice(0, at).trimEnd()}\n\n${block}\n${next === -1 ? '' : '\n'}${text.slice(at).replace(/^\n+/, '')}`;
  }
  writeFileSync(file, text.endsWith('\n') ? text : `${text}\n`);
}
