import { describe, expect, it } from 'vitest';
import { createProgressDisplay, describeSummary } from '../../src/cli/progress-display.js';
import type { ImportProgress, ImportSummary } from '../../src/events/import-run.js';

const progress: ImportProgress = { bytesDone: 512 * 1024, bytesTotal: 1024 * 1024, lines: 2000, events: 300, applied: 250, duplicates: 50, optedOut: 0, rejected: 2, elapsedMs: 2000 };

function sink(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, write: (t: string) => writes.push(t) } };
}

describe('progress display', () => {
  it('redraws one line in place on a terminal', () => {
    const { writes, stream } = sink(true);
    const display = createProgressDisplay(stream, 'importing x.csv');
    display.update(progress);
    display.update({ ...progress, lines: 2100 });
    display.finish();
    expect(writes).toHaveLength(3);
    expect(writes[0]).toBe('\r\u001b[2Kimporting x.csv: 50.0% (512.0 KiB of 1.0 MiB), 2,000 lines, 300 events (250 new, 50 already stored), 2 rejected, 1,000 lines/s');
    expect(writes[2]).toBe('\n');
  });

  it('writes plain, spaced-out lines to a pipe', () => {
    const { writes, stream } = sink(false);
    const display = createProgressDisplay(stream, 'importing x.csv', { logEveryMs: 60_000 });
    for (let i = 0; i < 100; i++) display.update(progress);
    display.finish();
    // Within the first minute: nothing (a short import is not noisy), and never a carriage return.
    expect(writes).toEqual([]);
    const eager = sink(false);
    const every = createProgressDisplay(eager.stream, 'importing x.csv', { logEveryMs: 0 });
    every.update(progress);
    expect(eager.writes[0]).toMatch(/^importing x\.csv: 50\.0% .*\n$/);
    expect(eager.writes[0]).not.toContain('\r');
  });

  it('summarizes the run, with the rejected lines', () => {
    const summary: ImportSummary = { ...progress, file: 'x.csv', format: 'csv', outcome: 'interrupted', resumedFrom: { offset: 100, lineNo: 9 }, shoppers: 12, errors: [{ lineNo: 4, message: 'at: bad' }] };
    const text = describeSummary(summary);
    expect(text).toContain('import interrupted (rerun the same command to resume): x.csv (csv)');
    expect(text).toContain('resumed at line 10 (byte 100)');
    expect(text).toMatch(/stored \(new\)\s+250/);
    expect(text).toContain('line 4: at: bad');
    expect(text).toContain('... and 1 more rejected lines');
  });
});
