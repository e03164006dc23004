import { cpus, loadavg } from 'node:os';
import { request } from 'undici';
import { cpuMicros, runClient, startSidecartProcess, type SidecartProcess } from './bench-processes.js';
import type { IngestJob, IngestRunResult } from './ingest-client.js';
import type { FixedRateJob, FixedRateResult } from './load-types.js';
import { f0, ms, writeResultsSection } from './report.js';
import { seedShoppers } from './shoppers.js';

// Scenario `ingest-stall`: other shoppers' searches at a fixed rate, once quiet and once while
// one shopper sends the largest batches the events API accepts, as fast as its call limit
// allows. Target: p99 while ingesting ≤ 2 × p99 quiet. Each variant is its own sidecart
// process with its own `events` config, on the memory store: the profile update runs in
// sidecart's process with either store, and without Redis round trips between slices nothing
// but the slicing gives searches a turn (a Redis breaker opening on a loaded machine would
// also make the run measure something else).

const SEARCH = '/products/_search?q=vegan&size=24';
const FIXED = 'bench/load-fixed-rate.ts';
const INGEST = 'bench/ingest-client.ts';
const TARGET_RATIO = 2;

interface Variant {
  id: string;
  label: string;
  events: Record<string, unknown>;
  /** The batch the heavy shopper sends: the largest the variant's limits accept. */
  batch: { events: number; itemsPerEvent: number };
  callsPerSecond: number;
}

/** As shipped, and with the item budget off (what the slicing alone holds). */
const VARIANTS: Variant[] = [
  {
    id: 'defaults',
    label: 'default limits (2,000 items per call, 200 items/s per shopper, 20 calls/s)',
    events: {},
    batch: { events: 100, itemsPerEvent: 20 },
    callsPerSecond: 20,
  },
  {
    id: 'slices-only',
    label: 'item budget off (itemRateLimitPerSecond: 0): every batch of 2,000 items applied, 20 calls/s',
    events: { itemRateLimitPerSecond: 0 },
    batch: { events: 100, itemsPerEvent: 20 },
    callsPerSecond: 20,
  },
];

export interface IngestStallOptions {
  backendUrl: string;
  ids: string[];
  compiled: boolean;
  distDir: string;
  durationS: number;
  rounds: number;
  /** Searches per second (other shoppers). */
  rate: number;
  write: boolean;
  machine: string;
  command: string;
  log: (line: string) => void;
}

interface Pair {
  quiet: FixedRateResult;
  loaded: FixedRateResult;
  ingest: IngestRunResult;
  /** sidecart's CPU time per second of the run (ms): a figure the machine's other load does not move much. */
  cpuQuiet: number;
  cpuLoaded: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

export async function runIngestStall(o: IngestStallOptions): Promise<void> {
  const started = new Date();
  const load = loadavg();
  const results = new Map<string, Pair[]>();
  for (const variant of VARIANTS) {
    const sidecart = await startSidecartProcess({ name: `ingest-${variant.id}`, upstreamUrl: o.backendUrl, compiled: o.compiled, distDir: o.distDir, events: variant.events });
    try {
      await seedShoppers(sidecart.url, o.ids);
      results.set(variant.id, await runVariant(o, sidecart, variant));
    } finally {
      await sidecart.stop();
    }
  }
  const text = report(o, results, started, load);
  process.stdout.write(`\n${text}\n`);
  if (o.write) {
    writeResultsSection(new URL('./RESULTS.md', import.meta.url).pathname, 'ingest-stall', text);
    o.log('bench/RESULTS.md updated (block "ingest-stall")');
  }
}

async function runVariant(o: IngestStallOptions, sidecart: SidecartProcess, variant: Variant): Promise<Pair[]> {
  const searches = (onStarted?: () => void) =>
    runClient<FixedRateResult>(FIXED, { url: sidecart.url, rate: o.rate, durationS: o.durationS, requests: o.ids.map((id) => ({ path: SEARCH, headers: { 'x-user-id': id } })) } satisfies FixedRateJob, onStarted);
  const ingest = (shopper: string) =>
    runClient<IngestRunResult>(INGEST, { url: sidecart.url, shopper, rate: variant.callsPerSecond, durationS: o.durationS + 1, events: variant.batch.events, itemsPerEvent: variant.batch.itemsPerEvent } satisfies IngestJob);
  // Warm-up (JIT, sockets) of both paths, unmeasured.
  await Promise.all([searches(), ingest('warm-up-shopper')]);
  const pairs: Pair[] = [];
  for (let round = 0; round < o.rounds; round++) {
    // A fresh heavy shopper per round: a full item bucket at the start, as an attacker's new id would have.
    const heavy = `heavy-${variant.id}-${round}`;
    const cpu = (run: () => Promise<FixedRateResult>) => async () => {
      const before = cpuMicros(sidecart.pid);
      const result = await run();
      return { result, cpuPerSecond: (cpuMicros(sidecart.pid) - before) / 1000 / (o.durationS + 1) };
    };
    const quiet = await cpu(searches)();
    // The ingest client starts first and runs a second longer, so it covers the whole measured run.
    const ingesting = ingest(heavy);
    const loaded = await cpu(searches)();
    const ingestResult = await ingesting;
    pairs.push({ quiet: quiet.result, loaded: loaded.result, ingest: ingestResult, cpuQuiet: quiet.cpuPerSecond, cpuLoaded: loaded.cpuPerSecond });
    o.log(`ingest-stall ${variant.id} r${round + 1}: p99 quiet ${ms(quiet.result.p99)} ms, ingesting ${ms(loaded.result.p99)} ms (×${(loaded.result.p99 / quiet.result.p99).toFixed(2)}); sidecart CPU ${f0(quiet.cpuPerSecond)} → ${f0(loaded.cpuPerSecond)} ms/s; calls ${JSON.stringify(ingestResult.statuses)}, ${ingestResult.itemsAccepted} items accepted`);
  }
  await scrapeLagMax(sidecart).then((lag) => o.log(`ingest-stall ${variant.id}: event loop max delay since the last scrape ${ms(lag)} ms`));
  return pairs;
}

async function scrapeLagMax(sidecart: SidecartProcess): Promise<number> {
  const text = await (await request(`${sidecart.opsUrl}/metrics`)).body.text();
  return Number(/^sidecart_nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text)?.[1] ?? NaN) * 1000;
}

function report(o: IngestStallOptions, results: Map<string, Pair[]>, started: Date, load: number[]): string {
  const lines: string[] = [];
  lines.push('### Searches while one shopper sends the largest batches (scenario `ingest-stall`)');
  lines.push('');
  lines.push(`Command: \`${o.command}\`. Date: ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC. Machine: ${o.machine}; load average at start ${load.map((l) => l.toFixed(2)).join(' / ')} (the machine is shared).`);
  lines.push(`Searches by ${o.ids.length} seeded shoppers at ${f0(o.rate)} req/s (memory store, 24 hits), ${o.durationS} s per run, quiet and ingesting back to back, ${o.rounds} round(s); medians of the rounds. The heavy shopper (a fresh id per round) sends batches of 100 events × 20 items (the largest call the defaults accept) at its call limit of 20/s, from its own process.`);
  lines.push('');
  lines.push('| variant | p50 quiet / ingesting (ms) | p99 quiet / ingesting (ms) | p99 ratio | max quiet / ingesting (ms) | sidecart CPU quiet / ingesting (ms per s) | heavy shopper\'s calls | items applied | target p99 ≤ 2× |');
  lines.push('|---|---|---|---|---|---|---|---|---|');
  for (const variant of VARIANTS) {
    const pairs = results.get(variant.id) ?? [];
    if (pairs.length === 0) continue;
    const m = (pick: (p: Pair) => number) => median(pairs.map(pick));
    const ratio = m((p) => p.loaded.p99 / p.quiet.p99);
    const calls = new Map<string, number>();
    for (const p of pairs) for (const [status, n] of Object.entries(p.ingest.statuses)) calls.set(status, (calls.get(status) ?? 0) + n);
    const callText = [...calls].map(([status, n]) => `${n} × ${status}`).join(', ');
    const failed = pairs.reduce((n, p) => n + p.loaded.errors + p.loaded.non2xx + p.quiet.errors + p.quiet.non2xx, 0);
    lines.push(
      `| ${variant.label} | ${ms(m((p) => p.quiet.p50))} / ${ms(m((p) => p.loaded.p50))} | ${ms(m((p) => p.quiet.p99))} / ${ms(m((p) => p.loaded.p99))} | **×${ratio.toFixed(2)}** | ${ms(m((p) => p.quiet.max))} / ${ms(m((p) => p.loaded.max))} | ${f0(m((p) => p.cpuQuiet))} / ${f0(m((p) => p.cpuLoaded))} | ${callText} | ${m((p) => p.ingest.itemsAccepted)} per run | ${ratio <= TARGET_RATIO ? 'met' : 'missed'}${failed ? ` (${failed} searches failed)` : ''} |`,
    );
  }
  lines.push('');
  lines.push(`sidecart CPU: its process's CPU time per second of the run (from /proc), quiet and while the heavy shopper sends: what the ingestion costs, a figure the machine's other load moves far less than latency. With the load average above the machine's ${cpus().length} CPUs, sidecart gets a fraction of a core and its latencies queue behind other processes, so a ratio measured then says more about the machine than about ingestion; the quiet-machine figure is the one to hold against the target.`);
  return lines.join('\n');
}
