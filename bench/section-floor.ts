import { parseArgs } from 'node:util';
import { request } from 'undici';
import { cpuMicros, runClient, startSidecartProcess, startTsScript, type BenchProcess } from './bench-processes.js';
import type { LoadResult, SaturationJob } from './load-types.js';
import { seedShoppers, shopperIds } from './shoppers.js';
import { median } from './stats.js';

// What the contract's section costs any proxy, apart from ranking: the buffer floor against the
// same floor that also adds the section sidecart sent for a bench shopper (a fixed object,
// serialized with each response, no ranking), and sidecart (memory store) beside them.
// The ratio section-floor / floor is the ceiling for a personalizing proxy that must send the
// section; sidecart / section-floor is how close sidecart is to that ceiling.
//
//   npx tsx bench/section-floor.ts [--rounds 3] [--duration 5]   (sidecart from dist/: npm run build first)

const args = parseArgs({ options: { rounds: { type: 'string', default: '3' }, duration: { type: 'string', default: '5' } } }).values;
const rounds = Number(args.rounds);
const durationS = Number(args.duration);
const SEARCH = '/products/_search?q=vegan&size=24';
const log = (line: string) => process.stderr.write(`[section-floor ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

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
    { name: 'sidecart (memory)', url: sidecart.url, pid: sidecart.pid },
  ];
  const requests = ids.map((id) => ({ path: SEARCH, headers: { 'x-user-id': id } }));
  const saturate = (url: string, seconds: number) => runClient<LoadResult>('bench/load-saturation.ts', { url, connections: 32, durationS: seconds, requests } satisfies SaturationJob);
  for (const side of sides) await saturate(side.url, 3); // warm-up (JIT)

  const results = new Map(sides.map((s) => [s.name, [] as { rps: number; cpu: number }[]]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      const before = cpuMicros(side.pid);
      const result = await saturate(side.url, durationS);
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
  console.log(`\nfloor + section / floor: ${ratio('floor + section', 'floor').toFixed(2)}; sidecart / floor: ${ratio('sidecart (memory)', 'floor').toFixed(2)}; sidecart / (floor + section): ${ratio('sidecart (memory)', 'floor + section').toFixed(2)} (medians of per-round ratios, ${rounds} rounds of ${durationS} s)`);
} finally {
  await Promise.all(started.map((p) => p.stop().catch(() => undefined)));
}
