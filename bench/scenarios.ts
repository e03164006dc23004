import { request } from 'undici';
import type { RedisServer } from '../test/support/redis-server.js';
import { cpuMicros, runClient, type SidecartProcess } from './bench-processes.js';
import type { FixedRateJob, FixedRateResult, LoadRequest, LoadResult, SaturationJob } from './load-types.js';
import { f0, fixedTable, ms, outcomeList, saturationTable, summarize, writeResultsSection, type PairRow, type PairRuns } from './report.js';
import { msearchRequest } from './fixture-pages.js';
import { bucketDelta, histogramBuckets, histogramQuantile } from './stats.js';

// The benchmark's scenarios: (floor, sidecart) pairs run alternately at saturation and at a fixed
// rate, sidecart's own overhead from its histogram, and a Redis that hangs mid-run.

export interface Targets {
  floorBuffer: string;
  floorStream: string;
  floorBufferPid: number;
  floorStreamPid: number;
  memory: SidecartProcess;
  redis: SidecartProcess;
  /** Redis with the default near cache (30 s). */
  redisNear: SidecartProcess;
  redisServer: RedisServer;
}

interface Pair {
  id: string;
  label: string;
  floorName: string;
  floorUrl: string;
  sidecartUrl: string;
  floorPid: number;
  sidecartPid: number;
  path: string;
  /** A POST body (the multi-query search); GET without one when unset. */
  body?: string;
  /** The floor's request when it differs (the rerank window: the floor fetches the window and cuts the page itself). */
  floorPath?: string;
  target: number;
}

export interface ScenarioOptions {
  targets: Targets;
  ids: string[];
  rounds: number;
  durationS: number;
  rate: number;
  connections: number;
  only: string[] | null;
  quick: boolean;
  /** Run the fixed-rate pairs too (off: saturation only, e.g. while profiling). */
  fixedRate: boolean;
  write: boolean;
  machine: string;
  command: string;
  sidecartBuild: string;
  loadAverage: number[];
  log: (line: string) => void;
}

const BUDGET_MS = 50;
const HUNG_STOP_AT_S = 3;
const SEARCH = (size: number) => `/products/_search?q=vegan&size=${size}`;
const MSEARCH = '/products/_msearch';
const MSEARCH_BODY = msearchRequest(24, 2);
const SATURATION = 'bench/load-saturation.ts';
const FIXED = 'bench/load-fixed-rate.ts';

function pairs(t: Targets): Pair[] {
  return [
    { id: 'passthrough', label: 'pass-through route (24-hit page, streamed)', floorName: 'undici streaming', floorUrl: t.floorStream, sidecartUrl: t.memory.url, floorPid: t.floorStreamPid, sidecartPid: t.memory.pid, path: '/products/_browse?size=24', target: 0.8 },
    { id: 'memory-24', label: 'search, memory store, 24 hits', floorName: 'buffer+parse+reorder', floorUrl: t.floorBuffer, sidecartUrl: t.memory.url, floorPid: t.floorBufferPid, sidecartPid: t.memory.pid, path: SEARCH(24), target: 0.85 },
    { id: 'redis-24', label: 'search, Redis store, 24 hits', floorName: 'buffer+parse+reorder', floorUrl: t.floorBuffer, sidecartUrl: t.redis.url, floorPid: t.floorBufferPid, sidecartPid: t.redis.pid, path: SEARCH(24), target: 0.75 },
    { id: 'redis-near-24', label: 'search, Redis store + default near cache, 24 hits', floorName: 'buffer+parse+reorder', floorUrl: t.floorBuffer, sidecartUrl: t.redisNear.url, floorPid: t.floorBufferPid, sidecartPid: t.redisNear.pid, path: SEARCH(24), target: 0.75 },
    { id: 'memory-100', label: 'search, memory store, 100 hits', floorName: 'buffer+parse+reorder', floorUrl: t.floorBuffer, sidecartUrl: t.memory.url, floorPid: t.floorBufferPid, sidecartPid: t.memory.pid, path: SEARCH(100), target: 0.85 },
    { id: 'memory-window-100', label: 'search, memory store, 24-hit page from a 100-hit rerank window', floorName: 'buffer+parse+reorder 100, cut 24', floorUrl: t.floorBuffer, sidecartUrl: t.memory.url, floorPid: t.floorBufferPid, sidecartPid: t.memory.pid, path: '/window/_search?q=vegan&size=24', floorPath: '/window/_search?q=vegan&size=100&floor-slice=24', target: 0.85 },
    { id: 'memory-msearch', label: 'multi-query search (_msearch), memory store, two 24-hit sub-queries', floorName: 'buffer+parse+reorder each', floorUrl: t.floorBuffer, sidecartUrl: t.memory.url, floorPid: t.floorBufferPid, sidecartPid: t.memory.pid, path: MSEARCH, body: MSEARCH_BODY, target: 0.85 },
    { id: 'redis-100', label: 'search, Redis store, 100 hits', floorName: 'buffer+parse+reorder', floorUrl: t.floorBuffer, sidecartUrl: t.redis.url, floorPid: t.floorBufferPid, sidecartPid: t.redis.pid, path: SEARCH(100), target: 0.75 },
  ];
}

/** Every request names a seeded shopper (cycled), floors included, so both sides get the same bytes. */
const requestsFor = (path: string, ids: string[], body?: string): LoadRequest[] =>
  ids.map((id): LoadRequest => (body === undefined ? { path, headers: { 'x-user-id': id } } : { path, method: 'POST', body, headers: { 'x-user-id': id, 'content-type': 'application/x-ndjson' } }));

async function scrape(sidecart: SidecartProcess): Promise<string> {
  const res = await request(`${sidecart.opsUrl}/metrics`);
  return res.body.text();
}

/** sidecart_breaker_events_total by event, from a scrape. */
function breakerEvents(metricsText: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of metricsText.matchAll(/^sidecart_breaker_events_total\{event="([^"]+)"\} (\S+)$/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

export async function runScenarios(o: ScenarioOptions): Promise<void> {
  const wanted = (id: string) => o.only === null || o.only.includes(id);
  const selected = pairs(o.targets).filter((p) => wanted(p.id));
  const saturation = new Map<string, PairRuns<LoadResult>>();
  const fixed = new Map<string, PairRuns<FixedRateResult>>();
  const started = new Date();

  const saturate = (url: string, path: string, durationS: number, body?: string) =>
    runClient<LoadResult>(SATURATION, { url, connections: o.connections, durationS, requests: requestsFor(path, o.ids, body) } satisfies SaturationJob);
  const steady = (url: string, path: string, durationS: number, extra: Partial<FixedRateJob> = {}, onStarted?: () => void, body?: string) =>
    runClient<FixedRateResult>(FIXED, { url, rate: o.rate, durationS, requests: requestsFor(path, o.ids, body), ...extra } satisfies FixedRateJob, onStarted);

  o.log('warm-up (JIT) of every target …');
  for (const pair of selected) {
    await saturate(pair.floorUrl, pair.floorPath ?? pair.path, o.quick ? 1 : 3, pair.body);
    await saturate(pair.sidecartUrl, pair.path, o.quick ? 1 : 3, pair.body);
  }

  for (let round = 0; round < o.rounds; round++) {
    for (const pair of selected) {
      const runs = saturation.get(pair.id) ?? { floor: [], sidecart: [] };
      saturation.set(pair.id, runs);
      // Alternate which side goes first, so a slow drift of the machine's load hits both.
      for (const side of round % 2 === 0 ? (['floor', 'sidecart'] as const) : (['sidecart', 'floor'] as const)) {
        // The proxy's own CPU per request: robust to a noisy machine, unlike req/s.
        const pid = side === 'floor' ? pair.floorPid : pair.sidecartPid;
        const cpuBefore = cpuMicros(pid);
        const result = await saturate(side === 'floor' ? pair.floorUrl : pair.sidecartUrl, side === 'floor' ? (pair.floorPath ?? pair.path) : pair.path, o.durationS, pair.body);
        result.cpuMicrosPerRequest = (cpuMicros(pid) - cpuBefore) / Math.max(1, result.total);
        runs[side].push(result);
        o.log(`saturation r${round + 1} ${pair.id} ${side}: ${f0(result.rps)} req/s p99 ${ms(result.p99)} ms, ${f0(result.cpuMicrosPerRequest)} µs CPU/req, failed ${result.errors + result.non2xx}`);
      }
    }
  }
  for (let round = 0; round < (o.fixedRate ? o.rounds : 0); round++) {
    for (const pair of selected) {
      const runs = fixed.get(pair.id) ?? { floor: [], sidecart: [] };
      fixed.set(pair.id, runs);
      for (const side of round % 2 === 0 ? (['floor', 'sidecart'] as const) : (['sidecart', 'floor'] as const)) {
        const result = await steady(side === 'floor' ? pair.floorUrl : pair.sidecartUrl, side === 'floor' ? (pair.floorPath ?? pair.path) : pair.path, o.durationS, { timeline: true }, undefined, pair.body);
        runs[side].push(result);
        o.log(`fixed ${o.rate}/s r${round + 1} ${pair.id} ${side}: p50 ${ms(result.p50)} p99 ${ms(result.p99)} max ${ms(result.max)} ms failed ${result.errors + result.non2xx}; slowest per second: ${result.perSecondMax?.join(', ') ?? '-'}`);
      }
    }
  }

  // sidecart's own overhead at the fixed rate with Redis: its histogram (scraped before and after) and its Server-Timing.
  let overhead: { histogramP99Ms: number; bucketMs: number; count: number; serverTiming: FixedRateResult['serverTiming']; run: FixedRateResult } | null = null;
  if (wanted('overhead') || wanted('hung')) {
    // Unmeasured warm-up at the fixed rate (JIT, sockets), so neither run starts cold.
    await steady(o.targets.redis.url, SEARCH(24), o.quick ? 2 : 5);
  }
  if (wanted('overhead')) {
    const before = histogramBuckets(await scrape(o.targets.redis), 'sidecart_personalization_duration_seconds');
    const run = await steady(o.targets.redis.url, SEARCH(24), o.quick ? 5 : o.durationS * 2);
    const after = histogramBuckets(await scrape(o.targets.redis), 'sidecart_personalization_duration_seconds');
    const p99 = histogramQuantile(bucketDelta(before, after), 0.99);
    overhead = { histogramP99Ms: p99.value * 1000, bucketMs: p99.upperBound * 1000, count: p99.count, serverTiming: run.serverTiming, run };
    o.log(`overhead at ${o.rate}/s with Redis: histogram p99 ${ms(overhead.histogramP99Ms)} ms (bucket ≤ ${ms(overhead.bucketMs)}), Server-Timing p99 ${ms(run.serverTiming?.p99 ?? NaN)} ms`);
  }

  // Redis hung: SIGSTOP a few seconds into a fixed-rate run, SIGCONT a few seconds before its end.
  let hung: { run: FixedRateResult; stoppedS: number; durationS: number; breaker: Record<string, number>; lagMaxMs: number; longGcs: number } | null = null;
  if (wanted('hung')) {
    const durationS = o.quick ? 10 : 20;
    const stopAt = HUNG_STOP_AT_S;
    const resumeAt = durationS - 4;
    const timers: NodeJS.Timeout[] = [];
    // This scrape also resets prom-client's event-loop-delay histogram, so the next max is this run's.
    const beforeText = await scrape(o.targets.redis);
    const before = breakerEvents(beforeText);
    const run = await steady(o.targets.redis.url, SEARCH(24), durationS, { slowMs: BUDGET_MS + 10, timeline: true }, () => {
      timers.push(setTimeout(() => o.targets.redisServer.pause(), stopAt * 1000));
      timers.push(setTimeout(() => o.targets.redisServer.resume(), resumeAt * 1000));
    });
    timers.forEach(clearTimeout);
    o.targets.redisServer.resume();
    const afterText = await scrape(o.targets.redis);
    const after = breakerEvents(afterText);
    const lagMaxMs = Number(/^sidecart_nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(afterText)?.[1] ?? NaN) * 1000;
    const gcs = bucketDelta(histogramBuckets(beforeText, 'sidecart_nodejs_gc_duration_seconds'), histogramBuckets(afterText, 'sidecart_nodejs_gc_duration_seconds'));
    const longGcs = (gcs.get(Infinity) ?? 0) - (gcs.get(0.01) ?? 0);
    const breaker = Object.fromEntries(Object.entries(after).map(([event, n]) => [event, n - (before[event] ?? 0)]));
    hung = { run, stoppedS: resumeAt - stopAt, durationS, breaker, lagMaxMs, longGcs };
    o.log(`redis hung ${resumeAt - stopAt} s at ${o.rate}/s: max ${ms(run.max)} ms, slower than ${BUDGET_MS + 10} ms: ${run.slow}, failed ${run.errors + run.non2xx}`);
  }

  const rows: PairRow[] = selected.map((pair) => ({
    label: pair.label,
    floorName: pair.floorName,
    target: pair.target,
    saturation: saturation.has(pair.id) ? summarize(saturation.get(pair.id)!) : null,
    fixed: fixed.has(pair.id) ? summarize(fixed.get(pair.id)!) : null,
  }));
  const sidecartOutcomes = outcomeList(selected.filter((p) => p.id !== 'passthrough').flatMap((p) => fixed.get(p.id)?.sidecart ?? []));

  const lines: string[] = [];
  lines.push(`Command: \`${o.command}\`. Date: ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC. Machine: ${o.machine}; load average at start ${o.loadAverage.map((l) => l.toFixed(2)).join(' / ')} (the machine is shared).`);
  lines.push(`sidecart: ${o.sidecartBuild}, logging at warn, its own process; every other part in its own process on loopback: fixture backend, floors, redis-server, and the load client. ${o.ids.length} seeded shoppers (profiles posted through the events API), cycled per request. "Redis store" has the near cache off (\`nearCacheTtlMs: 0\`): every search reads Redis; "+ default near cache" keeps the default 30 s near cache (a hot shopper reads Redis at most every 30 s).`);
  lines.push(`Each figure is the median of ${o.rounds} round(s) of ${o.durationS} s per side; in each round the floor and sidecart run back to back (order alternating), and the ratio is the median of the per-round ratios.`);
  lines.push('');
  lines.push(`### Saturation (autocannon, ${o.connections} connections)`);
  lines.push('');
  lines.push(saturationTable(rows));
  lines.push('');
  lines.push(`### Fixed rate (${f0(o.rate)} req/s, open loop: bench/load-fixed-rate.ts)`);
  lines.push('');
  lines.push(fixedTable(rows, o.rate));
  lines.push('');
  if (sidecartOutcomes) lines.push(`sidecart's search answers in these runs: ${sidecartOutcomes}.`);
  lines.push('');
  if (overhead) {
    const st = overhead.serverTiming;
    const met = Math.max(overhead.histogramP99Ms, st?.p99 ?? 0) <= 2 ? 'met' : 'missed';
    lines.push(`### sidecart's own overhead (${f0(o.rate)} req/s, Redis, 24 hits, ${overhead.run.total} responses)`);
    lines.push('');
    lines.push(`- \`sidecart_personalization_duration_seconds\` p99: **${ms(overhead.histogramP99Ms)} ms** (interpolated in the ${ms(overhead.bucketMs)} ms bucket; ${overhead.count} observations between two scrapes)`);
    if (st) lines.push(`- Server-Timing \`sidecart;dur\` p50 / p99 / max: ${ms(st.p50)} / **${ms(st.p99)}** / ${ms(st.max)} ms`);
    lines.push(`- end-to-end at the client: p50 / p99 / max ${ms(overhead.run.p50)} / ${ms(overhead.run.p99)} / ${ms(overhead.run.max)} ms; target p99 ≤ 2 ms: ${met}`);
    lines.push('');
  }
  if (hung) {
    const r = hung.run;
    const ok = r.slow === 0 && r.errors + r.non2xx === 0 ? 'met' : 'missed';
    lines.push(`### Redis hung (SIGSTOP for ${hung.stoppedS} s of a ${hung.durationS} s run at ${f0(o.rate)} req/s, Redis store, 24 hits)`);
    lines.push('');
    lines.push(`- max latency **${ms(r.max)} ms** (budget ${BUDGET_MS} ms + 10 ms = ${BUDGET_MS + 10} ms); responses slower than that: **${r.slow}**; failed: **${r.errors + r.non2xx}** of ${r.sent}; target: ${ok}`);
    lines.push(`- p50 / p99 / p99.9: ${ms(r.p50)} / ${ms(r.p99)} / ${ms(r.p999)} ms; answers: ${outcomeList([r])}`);
    lines.push(`- breaker during the run: ${Object.entries(hung.breaker).filter(([, n]) => n > 0).map(([event, n]) => `${event} × ${n}`).join(', ') || 'no events'}`);
    lines.push(`- sidecart's event loop during the run: max delay ${ms(hung.lagMaxMs)} ms; GC pauses over 10 ms: ${hung.longGcs}`);
    if (r.perSecondMax?.length) lines.push(`- slowest answer per second of the run (ms; Redis stopped in seconds ${HUNG_STOP_AT_S}–${hung.durationS - 4}): ${r.perSecondMax.join(', ')}`);
    if (r.slowest?.length) lines.push(`- slowest (sent at ms → latency ms): ${r.slowest.slice(0, 8).map(([at, l]) => `${at}→${l}`).join(', ')}`);
    lines.push('');
  }
  const text = lines.join('\n');
  process.stdout.write(`\n${text}\n`);
  if (o.write) {
    writeResultsSection(new URL('./RESULTS.md', import.meta.url).pathname, 'throughput', text);
    o.log('bench/RESULTS.md updated (section "Throughput and latency")');
  }
}
