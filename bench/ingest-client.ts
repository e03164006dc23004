import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { readJob } from './load-types.js';

// One shopper sending event batches at a fixed rate, own process (the ingest-stall scenario's
// heavy shopper). Every call carries the same number of events and items, with fresh event ids,
// so nothing is a duplicate. Prints {"started":true} when it starts sending, then one JSON line
// (IngestResult) when done.

export interface IngestJob {
  url: string;
  shopper: string;
  /** Calls per second (sent evenly, whatever the answers). */
  rate: number;
  durationS: number;
  events: number;
  itemsPerEvent: number;
}

export interface IngestRunResult {
  sent: number;
  /** Answers by status code ("error" for a failed request). */
  statuses: Record<string, number>;
  /** Items in calls answered 2xx. */
  itemsAccepted: number;
  bodyBytes: number;
  /** Latency of the calls answered 2xx (ms). */
  acceptedP50: number;
  acceptedMax: number;
}

const job = await readJob<IngestJob>();
const pool = new Pool(job.url, { connections: 64, headersTimeout: 30_000, bodyTimeout: 30_000 });

function body(call: number): string {
  return JSON.stringify({
    events: Array.from({ length: job.events }, (_, e) => ({
      id: `ingest-${call}-${e}`,
      type: 'view',
      items: Array.from({ length: job.itemsPerEvent }, (_, i) => ({ id: `p${e}-${i}` })),
    })),
  });
}

const statuses: Record<string, number> = {};
const accepted: number[] = [];
let itemsAccepted = 0;
let sent = 0;
let inFlight = 0;
const bodyBytes = body(0).length;

// Built before sending starts: the client's own CPU must not compete with sidecart's during the run.
const total = Math.floor(job.durationS * job.rate);
const bodies = Array.from({ length: total }, (_, call) => body(call));

function fire(): void {
  const call = sent++;
  inFlight += 1;
  const started = performance.now();
  pool
    .request({ method: 'POST', path: '/sidecart/v1/events', headers: { 'content-type': 'application/json', 'x-user-id': job.shopper }, body: bodies[call] })
    .then(
      async (res) => {
        await res.body.dump();
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        if (res.statusCode >= 200 && res.statusCode < 300) {
          accepted.push(performance.now() - started);
          itemsAccepted += job.events * job.itemsPerEvent;
        }
      },
      () => {
        statuses.error = (statuses.error ?? 0) + 1;
      },
    )
    .finally(() => (inFlight -= 1));
}

process.stdout.write('{"started":true}\n');
const start = performance.now();
await new Promise<void>((resolve) => {
  const tick = () => {
    const due = Math.min(total, Math.floor(((performance.now() - start) * job.rate) / 1000) + 1);
    while (sent < due) fire();
    if (sent < total) setTimeout(tick, 5);
    else resolve();
  };
  tick();
});
const until = performance.now() + 30_000;
while (inFlight > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
await pool.destroy();

accepted.sort((a, b) => a - b);
const out: IngestRunResult = {
  sent,
  statuses,
  itemsAccepted,
  bodyBytes,
  acceptedP50: Math.round((accepted[Math.floor(accepted.length / 2)] ?? 0) * 10) / 10,
  acceptedMax: Math.round((accepted.at(-1) ?? 0) * 10) / 10,
};
process.stdout.write(`${JSON.stringify(out)}\n`);
