import { cpus, loadavg } from 'node:os';
import { elasticsearchAdapter } from '../src/adapters/elasticsearch-adapter.js';
import { configSchema } from '../src/config/schema.js';
import { applyEvents, type ProfileState } from '../src/personalization/profile-update.js';
import type { ShopperEvent } from '../src/personalization/types.js';
import { personalizeBody } from '../src/proxy/personalize-body.js';
import { buildPage } from './fixture-pages.js';
import { purchaseEvents, shopperIds } from './shoppers.js';

// The body work of one search, in one process, without sockets: sidecart's personalizeBody()
// (parse, adapt, personalize, section, serialize) against the floor's parse + sort by a Map +
// serialize, on the bench's own pages and shoppers. Pairs alternate; medians of µs per call.
// What it isolates: the part of the throughput gap that is sidecart's work on the body, apart
// from HTTP, the store and the event loop.   npx tsx bench/body-work.ts [--rounds 5]

const config = configSchema.parse({});
const now = Date.now();
const ids = shopperIds(200);
const records = ids.map((id, index) => {
  let state: ProfileState = { profile: null, session: null };
  state = applyEvents(state, purchaseEvents(id, index, now) as ShopperEvent[], now, config.personalization);
  return { profile: state.profile, settings: null, session: state.session };
});

interface Hit {
  _id: string;
}
const score = new Map<string, number>();
const scoreOf = (id: string) => {
  let s = score.get(id);
  if (s === undefined) score.set(id, (s = score.size % 2 === 0 ? score.size : 0));
  return s;
};

function floorWork(page: Buffer): number {
  const doc = JSON.parse(page.toString('utf8')) as { hits: { hits: Hit[] } };
  doc.hits.hits.sort((a, b) => scoreOf(b._id) - scoreOf(a._id));
  return Buffer.byteLength(JSON.stringify(doc));
}

function sidecartWork(page: Buffer, i: number): number {
  const outcome = personalizeBody({
    body: page,
    adapter: elasticsearchAdapter,
    record: records[i % records.length]!,
    strength: 0.6,
    config: config.personalization,
    sectionKey: config.search.sectionKey,
    explain: false,
    now: now + i,
    overBudget: () => false,
  });
  if (!outcome.ok) throw new Error(`not personalized: ${outcome.reason}`);
  return outcome.bodyBytes;
}

function usPerCall(work: (page: Buffer, i: number) => number, page: Buffer, n: number): number {
  let bytes = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) bytes += work(page, i);
  if (bytes === 0) throw new Error('no output');
  return Number(process.hrtime.bigint() - start) / 1e3 / n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 5;
console.log(`Command: \`npx tsx bench/body-work.ts --rounds ${rounds}\`. Machine: ${cpus()[0]?.model.trim()}, ${cpus().length} cores, Node ${process.version}; load average ${loadavg()[0]!.toFixed(1)}.`);
console.log('| page | floor µs | sidecart µs | sidecart / floor | output bytes floor / sidecart |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const size of [24, 100]) {
  const page = buildPage(size);
  const n = size === 24 ? 4_000 : 1_000;
  usPerCall(floorWork, page, n);
  usPerCall(sidecartWork, page, n);
  const floor: number[] = [];
  const sidecart: number[] = [];
  for (let r = 0; r < rounds; r++) {
    floor.push(usPerCall(floorWork, page, n));
    sidecart.push(usPerCall(sidecartWork, page, n));
  }
  console.log(`| ${size} hits (${page.length} B) | ${median(floor).toFixed(1)} | ${median(sidecart).toFixed(1)} | ${(median(sidecart) / median(floor)).toFixed(2)} | ${floorWork(page)} / ${sidecartWork(page, 0)} |`);
}
