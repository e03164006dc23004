import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLines, type FileLine } from '../../src/events/line-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'sidecart-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function all(file: string, from?: { offset: number; lineNo: number }): Promise<FileLine[]> {
  const lines: FileLine[] = [];
  for await (const line of readLines(file, from)) lines.push(line);
  return lines;
}

describe('readLines', () => {
  it('tracks exact byte offsets across CRLF, multi-byte text and a last line without newline', async () => {
    const file = join(dir, 'a.txt');
    const content = 'first\r\nsmørbrød €\n\nlast';
    writeFileSync(file, content);
    const lines = await all(file);
    expect(lines.map((l) => l.text)).toEqual(['first', 'smørbrød €', '', 'last']);
    expect(lines.map((l) => l.lineNo)).toEqual([1, 2, 3, 4]);
    const bytes = Buffer.from(content);
    for (const line of lines) expect(bytes.subarray(line.start, line.end).toString().replace(/\r?\n$/, '')).toBe(line.text);
    expect(lines.at(-1)!.end).toBe(bytes.length);
  });

  it('resumes from an offset with the right line numbers', async () => {
    const file = join(dir, 'b.txt');
    writeFileSync(file, 'a\nbb\nccc\n');
    const lines = await all(file);
    const resumed = await all(file, { offset: lines[0]!.end, lineNo: 1 });
    expect(resumed).toEqual(lines.slice(1));
  });

  it('reads lines that span the read buffer', async () => {
    const file = join(dir, 'c.txt');
    const long = 'x'.repeat(300 * 1024);
    writeFileSync(file, `${long}\nshort\n${long}y\n`);
    const lines = await all(file);
    expect(lines.map((l) => l.text.length)).toEqual([long.length, 5, long.length + 1]);
    expect(lines[2]!.start).toBe(long.length + 1 + 6);
  });
});
