import { parseArgs } from 'node:util';
import { request } from 'undici';
import { cpuMicros, runClient, startSidecartProcess, startTsScript, type BenchProcess } from './bench-processes.js';
import type { LoadResult, SaturationJob } from './load-types.js';
import { seedShoppers, shopperIds } from './shoppers.js';
import { median } from './stats.js';

// Where a personalized search's CPU goes, by taking parts away, each side in its own process,
// same backend, same client, rounds alternating:
//   floor                 the buffer floor (parse, sort, serialize)
//   floor + section       the same, plus the section sidecart sent for a bench shopper (a fixed
//                         object serialized with each response, no ranking): what the contract's
//                         bytes cost any proxy; its ratio to the floor is the ceiling for one
//                         that must send them
//   sidecart, no identity sidecart's search route without a shopper (reason=no-identity): the
//                         upstream request, buffering, headers and the original bytes sent, no
//                         JSON work: sidecart's HTTP machinery
//   sidecart (memory)     the personalized search
//
//   npx tsx bench/cost-breakdown.ts [--rounds 3] [--duration 5]   (sidecart from dist/: npm run build first)

const args = parseArgs({ options: { rounds: { type: 'string', default: '3' }, duration: { type: 'string', default: '5' } } }).values;
const rounds = Number(args.rounds);
const durationS = Number(args.duration);
const SEARCH = '/products/_search?q=vegan&size=24';
const log = (line: string) => process.stderr.write(`[cost-breakdown ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

const started: BenchProcess[] = [];
try {
  const backend = await startTsScript('bench/fixture-backend.ts');
  started.push(backend);
  const backendUrl = `http://127.0.0.1:${String(backend.info.port)}`;
  const ids = shopperIds(200);
  const sidecart = await startSidecartProcess({ name: 'memory', upstreamUrl: backendUrl, compiled: true });
  started.push(sidecart);
  await seedShoppers(sidecart.url, ids);
  // The section sidecart really sends for the first shopper.
  const sample = await request(`${sidecart.url}${SEARCH}`, { headers: { 'x-user-id': ids[0]! } });
  const text = await sample.body.text();
  const sectionJson = JSON.stringify((JSON.parse(text) as { _personalization: unknown })._personalization);
  log(`sidecart's section for ${ids[0]}: ${Buffer.byteLength(sectionJson)} bytes of a ${Buffer.byteLength(text)}-byte response`);

  const floor = await startTsScript('bench/floor-proxy.ts', { UPSTREAM_URL: backendUrl, FLOOR_MODE: 'buffer' });
  const sectionFloor = await startTsScript('bench/floor-proxy.ts', { UPSTREAM_URL: backendUrl, FLOOR_MODE: 'section', FLOOR_SECTION: sectionJson });
  started.push(floor, sectionFloor);
  const sides = [
    { name: 'floor', url: `http://127.0.0.1:${String(floor.info.port)}`, pid: floor.child.pid! },
    { name: 'floor + section', url: `http://127.0.0.1:${String(sectionFloor.info.port)}`, pid: sectionFloor.child.pid! },
    { name: 'sidecart, no identity', url: sidecart.url, pid: sidecart.pid, anonymous: true },
    { name: 'sidecart (memory)', url: sidecart.url, pid: sidecart.pid },
  ];
  const shoppers = ids.map((id) => ({ path: SEARCH, headers: { 'x-user-id': id } }));
  const anonymous = [{ path: SEARCH, headers: {} }];
  const saturate = (side: (typeof sides)[number], seconds: number) =>
    runClient<LoadResult>('bench/load-saturation.ts', { url: side.url, connections: 32, durationS: seconds, requests: 'anonymous' in side ? anonymous : shoppers } satisfies SaturationJob);
  for (const side of sides) await saturate(side, 3); // warm-up (JIT)

  const results = new Map(sides.map((s) => [s.name, [] as { rps: number; cpu: number }[]]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      const before = cpuMicros(side.pid);
      const result = await saturate(side, durationS);
      const cpu = (cpuMicros(side.pid) - before) / Math.max(1, result.total);
      results.get(side.name)!.push({ rps: result.rps, cpu });
      log(`r${round + 1} ${side.name}: ${result.rps.toFixed(0)} req/s, ${cpu.toFixed(0)} µs CPU/req, failed ${result.errors + result.non2xx}`);
    }
  }
  const rps = (name: string, r: number) => results.get(name)![r]!.rps;
  const ratio = (a: string, b: string) => median(Array.from({ length: rounds }, (_, r) => rps(a, r) / rps(b, r)));
  console.log(`| proxy | req/s | CPU µs/req |\n| --- | ---: | ---: |`);
  for (const side of sides) {
    const runs = results.get(side.name)!;
    console.log(`| ${side.name} | ${median(runs.map((x) => x.rps)).toFixed(0)} | ${median(runs.map((x) => x.cpu)).toFixed(0)} |`);
  }
  console.log(`\nthroughput ratios to the floor (medians of per-round ratios, ${rounds} rounds of ${durationS} s): floor + section ${ratio('floor + section', 'floor').toFixed(2)}; sidecart, no identity ${ratio('sidecart, no identity', 'floor').toFixed(2)}; sidecart ${ratio('sidecart (memory)', 'floor').toFixed(2)}; sidecart / (floor + section) ${ratio('sidecart (memory)', 'floor + section').toFixed(2)}`);
} finally {
  await Promise.all(started.map((p) => p.stop().catch(() => undefined)));
}
