import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

// Puts one section (`## <heading>` up to the next `## `) into a markdown file, replacing an older
// copy of that section and leaving every other section (other benchmarks) as it was.

export function replaceSection(markdown: string, heading: string, body: string): string {
  const block = `## ${heading}\n\n${body.trim()}\n`;
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.trim() === `## ${heading}`);
  if (start < 0) {
    const base = markdown.trim() === '' ? '# Benchmark results\n' : markdown.replace(/\n*$/, '\n');
    return `${base}\n${block}`;
  }
  let end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  if (end < 0) end = lines.length;
  const before = lines.slice(0, start).join('\n');
  const after = lines.slice(end).join('\n');
  return `${before}${before ? '\n' : ''}${block}${after ? `\n${after}` : ''}`;
}

export function writeSection(file: string, heading: string, body: string): void {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, replaceSection(current, heading, body));
}
