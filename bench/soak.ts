import { request } from 'undici';
import { rssBytes, runClient, type SidecartProcess } from './bench-processes.js';
import type { FixedRateJob, FixedRateResult } from './load-types.js';
import { ms, outcomeList, writeResultsSection } from './report.js';

// The soak: sidecart with Redis at a fixed rate for a long time; RSS and heap sampled every
// 10 s. Flat memory (no growth after warm-up) is what it checks.

export interface SoakOptions {
  sidecart: SidecartProcess;
  seconds: number;
  rate: number;
  ids: string[];
  machine: string;
  write: boolean;
  log: (line: string) => void;
}

const MiB = 1024 * 1024;

async function heapUsed(sidecart: SidecartProcess): Promise<number> {
  const text = await (await request(`${sidecart.opsUrl}/metrics`)).body.text();
  return Number(/^sidecart_nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1] ?? NaN);
}

export async function runSoak(o: SoakOptions): Promise<void> {
  const path = '/products/_search?q=vegan&size=24';
  const requests = o.ids.map((id) => ({ path, headers: { 'x-user-id': id } }));
  o.log('soak warm-up (15 s) …');
  await runClient<FixedRateResult>('bench/load-fixed-rate.ts', { url: o.sidecart.url, rate: o.rate, durationS: 15, requests } satisfies FixedRateJob);
  const samples: { at: number; rss: number; heap: number }[] = [];
  const sample = async (at: number) => samples.push({ at, rss: await rssBytes(o.sidecart.pid), heap: await heapUsed(o.sidecart) });
  const date = new Date();
  let sampler: NodeJS.Timeout | null = null;
  const startedAt = Date.now();
  const run = await runClient<FixedRateResult>('bench/load-fixed-rate.ts', { url: o.sidecart.url, rate: o.rate, durationS: o.seconds, requests } satisfies FixedRateJob, () => {
    void sample(0);
    sampler = setInterval(() => void sample(Math.round((Date.now() - startedAt) / 1000)), 10_000);
  });
  if (sampler) clearInterval(sampler);
  await sample(Math.round((Date.now() - startedAt) / 1000));
  const first = samples[0]!;
  const last = samples.at(-1)!;
  const peak = Math.max(...samples.map((s) => s.rss));
  const mib = (b: number) => (b / MiB).toFixed(1);
  const lines = [
    `### Soak (${o.seconds} s at ${o.rate} req/s, Redis store, 24 hits)`,
    '',
    `Command: \`npm run bench -- --soak ${o.seconds}\`. Date: ${date.toISOString().slice(0, 16).replace('T', ' ')} UTC. Machine: ${o.machine}.`,
    '',
    `- RSS at start **${mib(first.rss)} MiB**, at end **${mib(last.rss)} MiB** (peak ${mib(peak)} MiB); heap used ${mib(first.heap)} → ${mib(last.heap)} MiB; ${samples.length} samples every 10 s`,
    `- RSS samples (MiB): ${samples.map((s) => mib(s.rss)).join(', ')}`,
    `- ${run.total} responses, failed ${run.errors + run.non2xx}; latency p50 / p99 / max ${ms(run.p50)} / ${ms(run.p99)} / ${ms(run.max)} ms; answers: ${outcomeList([run])}`,
  ];
  const text = lines.join('\n');
  process.stdout.write(`\n${text}\n`);
  if (o.write) writeResultsSection(new URL('./RESULTS.md', import.meta.url).pathname, 'soak', text);
}
