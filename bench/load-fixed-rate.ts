import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { readJob, type FixedRateJob, type FixedRateResult } from './load-types.js';

// Fixed-rate (open-loop) load client, own process. autocannon's rate limit lets each connection
// send its whole per-second quota back to back at the start of every second and records whole
// milliseconds, so a "1,000 req/s" autocannon run is a burst each second; this client spreads
// the sends evenly (every ~1 ms, however slow the answers) over many connections and keeps
// latencies in microseconds. It also reads each response's X-Sidecart and Server-Timing headers.
// Prints one JSON line (FixedRateResult).

const job = await readJob<FixedRateJob>();
const pool = new Pool(job.url, { connections: 512, pipelining: 1, headersTimeout: 10_000, bodyTimeout: 10_000 });

const latencies: number[] = [];
const timings: number[] = [];
const outcomes: Record<string, number> = {};
const slowest: [number, number][] = [];
/** Timeline mode: the slowest latency among requests sent in each second of the run. */
const perSecondMax: number[] = [];
let sent = 0;
let errors = 0;
let non2xx = 0;
let slow = 0;
let inFlight = 0;

function record(sentAt: number, start: number, ms: number): void {
  latencies.push(ms);
  if (job.slowMs !== undefined && ms > job.slowMs) slow += 1;
  if (!job.timeline) return;
  if (ms > 5) slowest.push([Math.round(sentAt - start), Math.round(ms * 10) / 10]);
  const second = Math.floor((sentAt - start) / 1000);
  perSecondMax[second] = Math.max(perSecondMax[second] ?? 0, Math.round(ms));
}

let recording = true;

function fire(start: number): void {
  const request = job.requests[sent % job.requests.length]!;
  sent += 1;
  inFlight += 1;
  const sentAt = performance.now();
  const counted = recording;
  pool.request({ method: request.method ?? 'GET', path: request.path, headers: request.headers, body: request.body }).then(
    async (res) => {
      await res.body.dump();
      if (!counted) {
        // Warm-up: latency not recorded, but a failure still counts.
        inFlight -= 1;
        if (res.statusCode < 200 || res.statusCode >= 300) non2xx += 1;
        return;
      }
      const ms = performance.now() - sentAt;
      inFlight -= 1;
      if (res.statusCode < 200 || res.statusCode >= 300) non2xx += 1;
      else record(sentAt, start, ms);
      const outcome = String(res.headers['x-sidecart'] ?? 'none');
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      const timing = /sidecart;dur=([\d.]+)/.exec(String(res.headers['server-timing'] ?? ''));
      if (timing) timings.push(Number(timing[1]));
    },
    () => {
      inFlight -= 1;
      errors += 1;
    },
  );
}

/** Sends `durationS` seconds of load at the job's rate, evenly spread. */
function sendFor(durationS: number, onStart?: () => void): Promise<void> {
  const start = performance.now();
  const end = start + durationS * 1000;
  const first = sent;
  return new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = first + Math.min(Math.floor(((now - start) * job.rate) / 1000), Math.floor(durationS * job.rate));
      while (sent < due) fire(start);
      if (now < end) setTimeout(tick, 1);
      else resolve();
    };
    onStart?.();
    tick();
  });
}

async function drain(limitMs: number): Promise<void> {
  const until = performance.now() + limitMs;
  while (inFlight > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
}

// Warm-up: the same load, answers read and dropped, then a pause for the last ones to come in.
const warmupS = job.warmupS ?? 1;
if (warmupS > 0) {
  recording = false;
  await sendFor(warmupS);
  await drain(5_000);
  sent = 0;
  recording = true;
}
await sendFor(job.durationS, () => process.stdout.write('{"started":true}\n'));
// Let the last answers come in (bounded).
await drain(12_000);
errors += inFlight;
await pool.destroy();

const quantile = (sorted: number[], q: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);
const round = (n: number) => Math.round(n * 1000) / 1000;
latencies.sort((a, b) => a - b);
timings.sort((a, b) => a - b);
slowest.sort((a, b) => b[1] - a[1]);
const out: FixedRateResult = {
  rps: latencies.length / job.durationS,
  total: latencies.length,
  sent,
  p50: round(quantile(latencies, 0.5)),
  p99: round(quantile(latencies, 0.99)),
  p999: round(quantile(latencies, 0.999)),
  max: round(latencies.at(-1) ?? 0),
  errors,
  non2xx,
  slow,
  serverTiming: timings.length ? { count: timings.length, p50: quantile(timings, 0.5), p99: quantile(timings, 0.99), max: timings.at(-1)! } : null,
  outcomes,
  ...(job.timeline ? { slowest: slowest.slice(0, 20), perSecondMax: Array.from(perSecondMax, (v) => v ?? 0) } : {}),
};
process.stdout.write(`${JSON.stringify(out)}\n`);
