import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { REPO_ROOT } from '../test/support/child-process.js';
import { startRedis, type RedisServer } from '../test/support/redis-server.js';
import { profileArgs, startSidecartProcess, startTsScript, type BenchProcess, type SidecartProcess } from './bench-processes.js';
import { buildPage } from './fixture-pages.js';
import { runIngestStall } from './ingest-stall.js';
import { runScenarios, type Targets } from './scenarios.js';
import { runSoak } from './soak.js';
import { seedShoppers, shopperIds } from './shoppers.js';

// `npm run bench`: the side-by-side benchmark, floors and sidecart in their own processes; results
// go to bench/RESULTS.md, section "Throughput and latency".
//   --quick            one short round, nothing written to RESULTS.md (for building and debugging)
//   --rounds N         rounds of alternating (floor, sidecart) pairs; medians are reported (3)
//   --duration S       seconds per saturation and fixed-rate run (10)
//   --rate R           the fixed rate in req/s (1000)
//   --connections C    autocannon connections at saturation (32)
//   --only a,b         only these (passthrough, memory-24, redis-24, redis-near-24, memory-100, memory-window-100, memory-msearch, redis-100, overhead, hung,
//                      ingest-stall: searches while one shopper sends the largest batches; alone, it starts only its own sidecarts)
//   --no-fixed         saturation pairs only (no fixed-rate pairs)
//   --soak S           only the soak: S seconds at the fixed rate against sidecart with Redis
//   --profile          sidecart writes V8 CPU profiles to bench/out/profiles
//   --tsx              run sidecart from src through tsx instead of the compiled build
//   --no-build         use the existing dist/ build
//   --dist DIR         run sidecart from another compiled tree (an A/B copy; implies --no-build)
//   --write / --no-write  update bench/RESULTS.md (default: yes unless --quick)

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    rate: { type: 'string', default: '1000' },
    connections: { type: 'string', default: '32' },
    only: { type: 'string' },
    soak: { type: 'string' },
    profile: { type: 'boolean', default: false },
    tsx: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    dist: { type: 'string' },
    'no-fixed': { type: 'boolean', default: false },
    write: { type: 'boolean' },
    'no-write': { type: 'boolean', default: false },
    shoppers: { type: 'string', default: '200' },
  },
  strict: true,
});

const quick = args.quick;
const compiled = !args.tsx;
const write = args['no-write'] ? false : (args.write ?? !quick);
const profileDir = args.profile ? join(REPO_ROOT, 'bench/out/profiles') : undefined;
if (profileDir) mkdirSync(profileDir, { recursive: true });

const log = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

function machine(): string {
  const model = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const nproc = execFileSync('nproc').toString().trim();
  const mem = /MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1];
  return `${model}, nproc ${nproc}, ${mem ? (Number(mem) / 1024 / 1024).toFixed(1) : '?'} GiB, Node ${process.version}`;
}

const distDir = args.dist ?? 'dist';
if (compiled && !args['no-build'] && !args.dist) {
  log('building (npm run build) …');
  try {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    // tsc still emits when another engineer's work-in-progress file fails typecheck.
    log(`npm run build reported errors (output still emitted): ${String((error as { stderr?: Buffer }).stderr ?? error).slice(0, 400)}`);
  }
  if (!existsSync(join(REPO_ROOT, 'dist/src/main.js'))) throw new Error('dist/src/main.js missing after the build');
}

const started: BenchProcess[] = [];
let redis: RedisServer | null = null;
const stopAll = async () => {
  await Promise.all(started.map((p) => p.stop().catch(() => undefined)));
  await redis?.stop().catch(() => undefined);
};
process.once('SIGINT', () => void stopAll().finally(() => process.exit(130)));

try {
  const backend = await startTsScript('bench/fixture-backend.ts');
  started.push(backend);
  const backendUrl = `http://127.0.0.1:${String(backend.info.port)}`;
  log(`fixture backend ${backendUrl} (24 hits: ${String(backend.info.page24Bytes)} B, 100 hits: ${String(backend.info.page100Bytes)} B)`);
  redis = await startRedis();
  log(`redis-server ${redis.url}`);
  const ids = shopperIds(Number(args.shoppers));

  const startSidecart = async (name: string, redisUrl?: string, nearCache = false): Promise<SidecartProcess> => {
    const sidecart = await startSidecartProcess({ name, upstreamUrl: backendUrl, compiled, distDir, profileDir, nearCache, ...(redisUrl ? { redisUrl } : {}) });
    started.push(sidecart);
    await seedShoppers(sidecart.url, ids);
    await sanityCheck(sidecart, name, ids[0]!);
    log(`sidecart (${name}) ${sidecart.url}, ${ids.length} shoppers seeded, sanity ok`);
    return sidecart;
  };

  const only = args.only?.split(',') ?? null;
  const ingestStall = () =>
    runIngestStall({
      backendUrl,
      ids,
      compiled,
      distDir,
      durationS: Number(args.duration ?? (quick ? 3 : 10)),
      rounds: Number(args.rounds ?? (quick ? 1 : 3)),
      rate: Number(args.rate),
      write,
      machine: machine(),
      command: `npm run bench${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      log,
    });
  if (args.soak) {
    const sidecart = await startSidecart('redis', redis.url);
    await runSoak({ sidecart, seconds: Number(args.soak), rate: Number(args.rate), ids, machine: machine(), write, log });
  } else if (only?.length === 1 && only[0] === 'ingest-stall') {
    await ingestStall();
  } else {
    const floorArgs = (name: string) => (profileDir ? profileArgs(profileDir, name) : []);
    const floorBuffer = await startTsScript('bench/floor-proxy.ts', { UPSTREAM_URL: backendUrl, FLOOR_MODE: 'buffer' }, floorArgs('floor-buffer'));
    const floorStream = await startTsScript('bench/floor-proxy.ts', { UPSTREAM_URL: backendUrl, FLOOR_MODE: 'stream' }, floorArgs('floor-stream'));
    started.push(floorBuffer, floorStream);
    const memory = await startSidecart('memory');
    const withRedis = await startSidecart('redis', redis.url);
    const withNearCache = await startSidecart('redis-near', redis.url, true);
    const targets: Targets = {
      floorBuffer: `http://127.0.0.1:${String(floorBuffer.info.port)}`,
      floorStream: `http://127.0.0.1:${String(floorStream.info.port)}`,
      floorBufferPid: floorBuffer.child.pid!,
      floorStreamPid: floorStream.child.pid!,
      memory,
      redis: withRedis,
      redisNear: withNearCache,
      redisServer: redis,
    };
    await runScenarios({
      targets,
      ids,
      rounds: Number(args.rounds ?? (quick ? 1 : 3)),
      durationS: Number(args.duration ?? (quick ? 3 : 10)),
      rate: Number(args.rate),
      connections: Number(args.connections),
      only: args.only?.split(',') ?? null,
      quick,
      fixedRate: !args['no-fixed'],
      write,
      machine: machine(),
      command: `npm run bench${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      sidecartBuild: compiled ? `compiled (npm run build → node ${distDir}/src/main.js)` : 'from source (node --import tsx src/main.ts)',
      loadAverage: loadavg(),
      log,
    });
    if (only === null || only.includes('ingest-stall')) await ingestStall();
  }
} finally {
  await stopAll();
  if (profileDir) log(`CPU profiles in ${profileDir}`);
}

/** A search answered personalized, and the pass-through route gives the backend's exact bytes. */
async function sanityCheck(sidecart: SidecartProcess, name: string, shopper: string): Promise<void> {
  // A cold process on a busy machine may miss the budget on its first searches, or have opened
  // its breaker while seeding (the journal then replays): retry for a while before giving up.
  const deadline = Date.now() + 20_000;
  for (;;) {
    const search = await request(`${sidecart.url}/products/_search?q=vegan&size=24`, { headers: { 'x-user-id': shopper } });
    const body = (await search.body.json()) as { _personalization?: { enabled?: boolean } };
    if (search.headers['x-sidecart'] === 'personalized' && body._personalization) break;
    if (Date.now() > deadline) throw new Error(`sidecart (${name}): a seeded shopper's search was not personalized (X-Sidecart: ${String(search.headers['x-sidecart'])})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const through = await request(`${sidecart.url}/products/_browse?size=24`, { headers: { 'x-user-id': shopper } });
  const bytes = Buffer.from(await through.body.arrayBuffer());
  if (through.statusCode !== 200 || !bytes.equals(buildPage(24))) throw new Error(`sidecart (${name}): the pass-through route changed the backend's bytes`);
}
