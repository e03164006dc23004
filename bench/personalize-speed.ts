import { cpus, loadavg } from 'node:os';
import { configSchema } from '../src/config/schema.js';
import { writeSection } from '../src/evaluation/results-file.js';
import { personalize, type PersonalizeInput } from '../src/personalization/personalize.js';
import { applyEvents, type ProfileState } from '../src/personalization/profile-update.js';
import type { ShopperEvent } from '../src/personalization/types.js';

// How many personalize() calls per second one core does for a search page of 100 hits and a full
// profile (60 products, brands, categories, tags, a dietary preference). `npx tsx bench/personalize-speed.ts`

const DAY = 86_400_000;
const config = configSchema.parse({}).personalization;
let state: ProfileState = { profile: null, session: null };
for (let o = 0; o < 30; o++) {
  const event: ShopperEvent = {
    id: `o${o}`,
    type: 'purchase',
    at: o * 7 * DAY,
    items: Array.from({ length: 10 }, (_, i) => ({ id: `p${(o * 3 + i) % 80}`, quantity: 1, brand: `b${i % 12}`, category: `c${i % 8}`, tags: i % 3 ? ['organic'] : ['vegan'], price: 2 + (i % 5) })),
  };
  state = applyEvents(state, [event], event.at, config);
}
const page = (length: number) => Array.from({ length }, (_, i) => ({ index: i, id: `p${i * 2}`, brand: `b${i % 20}`, category: `c${i % 10}`, tags: i % 4 ? ['organic'] : ['contains-meat'], price: 1 + (i % 9) }));
const input = (explain: boolean, hits = page(100)): PersonalizeInput => ({
  hits,
  record: { profile: state.profile, settings: { personalization: true, features: {}, dietary: ['vegetarian'], updatedAt: 0 }, session: null },
  strength: 0.5,
  config,
  now: 31 * 7 * DAY,
  explain,
});

function rate(explain: boolean, hits?: number): number {
  const args = input(explain, hits === undefined ? undefined : page(hits));
  for (let i = 0; i < 2_000; i++) personalize(args);
  const n = 20_000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) personalize(args);
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

const plain = rate(false);
const explained = rate(true);
const small = rate(false, 24);
const lines = [
  `Command: \`npx tsx bench/personalize-speed.ts\`. Machine: ${cpus()[0]?.model.trim()}, ${cpus().length} cores, Node ${process.version}; one core; load average at the end ${loadavg()[0]!.toFixed(1)} (a shared machine: runs vary about 2×).`,
  '',
  '| call | calls/s | µs per call |',
  '| --- | ---: | ---: |',
  `| personalize(), 100 hits, full profile, vegetarian | ${Math.round(plain)} | ${(1e6 / plain).toFixed(1)} |`,
  `| same with explain | ${Math.round(explained)} | ${(1e6 / explained).toFixed(1)} |`,
  `| personalize(), 24 hits (the search bench's page), same profile | ${Math.round(small)} | ${(1e6 / small).toFixed(1)} |`,
];
console.log(lines.join('\n'));
if (!process.argv.includes('--no-write')) writeSection('bench/RESULTS.md', 'personalize() speed', lines.join('\n'));
