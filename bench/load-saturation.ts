import autocannon from 'autocannon';
import { readJob, type LoadResult, type SaturationJob } from './load-types.js';

// Saturation load client (own process, so it never shares the target's event loop): autocannon
// with a fixed number of keep-alive connections, each sending its next request as soon as the
// previous answer arrived. Prints one JSON line (LoadResult).

const job = await readJob<SaturationJob>();
const result = await autocannon({
  url: job.url,
  connections: job.connections,
  duration: job.durationS,
  requests: job.requests.map((r) => ({ method: r.method ?? 'GET', path: r.path, headers: r.headers, ...(r.body !== undefined ? { body: r.body } : {}) })),
});
const out: LoadResult = {
  rps: result['2xx'] / result.duration,
  total: result['2xx'],
  p50: result.latency.p50,
  p99: result.latency.p99,
  max: result.latency.max,
  errors: result.errors + result.timeouts,
  non2xx: result.non2xx,
};
process.stdout.write(`${JSON.stringify(out)}\n`);
