import type { ImportProgress, ImportSummary } from '../events/import-run.js';

/** Where progress goes: stderr in the CLI. `isTTY` decides between a live line and log lines. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressDisplay {
  update(progress: ImportProgress): void;
  /** Ends the live line (TTY) so the summary starts on a fresh line. */
  finish(): void;
}

/**
 * A terminal gets one line redrawn in place (at most ~10 times a second); a pipe or a log file
 * gets a plain line every `logEveryMs` (default 5 s), so CI logs stay readable.
 */
export function createProgressDisplay(stream: ProgressStream, label: string, options: { logEveryMs?: number } = {}): ProgressDisplay {
  const tty = stream.isTTY === true;
  const logEvery = options.logEveryMs ?? 5_000;
  let lastLog = Date.now();
  let drawn = false;
  return {
    update(progress) {
      if (tty) {
        stream.write(`\r\x1b[2K${label}: ${describeProgress(progress)}`);
        drawn = true;
        return;
      }
      const now = Date.now();
      if (now - lastLog < logEvery) return;
      lastLog = now;
      stream.write(`${label}: ${describeProgress(progress)}\n`);
    },
    finish() {
      if (tty && drawn) stream.write('\n');
      drawn = false;
    },
  };
}

const count = (n: number) => n.toLocaleString('en-US');

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

export function describeProgress(p: ImportProgress): string {
  const percent = p.bytesTotal > 0 ? Math.min(100, (100 * p.bytesDone) / p.bytesTotal) : 100;
  const seconds = p.elapsedMs / 1000;
  const rate = seconds > 0 ? Math.round(p.lines / seconds) : 0;
  const parts = [
    `${percent.toFixed(1)}% (${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)})`,
    `${count(p.lines)} lines`,
    `${count(p.events)} events (${count(p.applied)} new, ${count(p.duplicates)} already stored)`,
  ];
  if (p.rejected > 0) parts.push(`${count(p.rejected)} rejected`);
  if (rate > 0) parts.push(`${count(rate)} lines/s`);
  return parts.join(', ');
}

export function describeSummary(s: ImportSummary): string {
  const lines: string[] = [];
  const verdict = { complete: 'import complete', interrupted: 'import interrupted (rerun the same command to resume)', 'already-complete': 'already imported (nothing to do; --restart to import again)' }[s.outcome];
  lines.push(`${verdict}: ${s.file} (${s.format})`);
  if (s.resumedFrom && s.outcome !== 'already-complete') lines.push(`  resumed at line ${count(s.resumedFrom.lineNo + 1)} (byte ${count(s.resumedFrom.offset)})`);
  if (s.outcome !== 'already-complete') {
    lines.push(`  lines read        ${count(s.lines)}`);
    lines.push(`  events            ${count(s.events)}`);
    lines.push(`  stored (new)      ${count(s.applied)}`);
    lines.push(`  already stored    ${count(s.duplicates)}`);
    if (s.optedOut > 0) lines.push(`  opted out (kept)  0 of ${count(s.optedOut)}`);
    lines.push(`  shoppers          ${count(s.shoppers)}`);
    lines.push(`  rejected lines    ${count(s.rejected)}`);
    lines.push(`  time              ${(s.elapsedMs / 1000).toFixed(1)} s`);
  }
  for (const e of s.errors) lines.push(`  line ${e.lineNo}: ${e.message}`);
  if (s.rejected > s.errors.length) lines.push(`  ... and ${count(s.rejected - s.errors.length)} more rejected lines`);
  return lines.join('\n') + '\n';
}
