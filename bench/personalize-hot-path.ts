import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildPage } from './fixture-pages.js';
import { purchaseEvents, shopperIds } from './shoppers.js';

// The personalized body's CPU in one process, no sockets: personalizeBody() of two source trees
// (a base copy, e.g. `git archive <commit> src | tar -x -C bench/out/base`, and this tree)
// called alternately in batches on the bench's own 24- and 100-hit pages for 200 seeded bench
// shoppers, CPU µs per call from process.cpuUsage (user + system). Each tree builds its own
// config and profiles, so its caches see what a running sidecart sees: the same profile object
// search after search until the shopper changes.
//   npx tsx bench/personalize-hot-path.ts --base bench/out/base [--rounds 7] [--batch 2000] [--only new] [--explain]
// Without --base both sides are this tree (an A/A run shows the noise).

interface Tree {
  name: string;
  work: (page: Buffer, i: number) => number;
}

const arg = (name: string): string | undefined => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const rounds = Number(arg('--rounds')) || 7;
const only = arg('--only');
const explain = process.argv.includes('--explain');
const now = Date.UTC(2026, 11, 6, 12, 0, 0);
const SHOPPERS = 200;

async function loadTree(name: string, root: string): Promise<Tree> {
  const from = (path: string) => import(pathToFileURL(resolve(root, path)).href);
  const { configSchema } = await from('src/config/schema.ts');
  const { applyEvents } = await from('src/personalization/profile-update.ts');
  const { personalizeBody } = await from('src/proxy/personalize-body.ts');
  const { elasticsearchAdapter } = await from('src/adapters/elasticsearch-adapter.ts');
  const config = configSchema.parse({});
  const records = shopperIds(SHOPPERS).map((id, index) => {
    const state = applyEvents({ profile: null, session: null }, purchaseEvents(id, index, now), now, config.personalization);
    return { profile: state.profile, settings: null, session: state.session };
  });
  const work = (page: Buffer, i: number): number => {
    const outcome = personalizeBody({
      body: page,
      adapter: elasticsearchAdapter,
      record: records[i % records.length],
      strength: 0.6,
      config: config.personalization,
      sectionKey: config.search.sectionKey,
      explain,
      now,
      overBudget: () => false,
    });
    if (!outcome.ok) throw new Error(`${name}: not personalized: ${outcome.reason}`);
    return outcome.bodyBytes;
  };
  return { name, work };
}

function cpuUsPerCall(tree: Tree, page: Buffer, n: number): number {
  let bytes = 0;
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) bytes += tree.work(page, i);
  const used = process.cpuUsage(start);
  if (bytes === 0) throw new Error('no output');
  return (used.user + used.system) / n;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const batch = Number(arg('--batch')) || 0;

async function main(): Promise<void> {
  const here = resolve(import.meta.dirname, '..');
  const base = arg('--base');
  const trees = [await loadTree('base', base ? resolve(base) : here), await loadTree('new', here)].filter((t) => !only || t.name === only);
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`Command: \`npx tsx bench/personalize-hot-path.ts ${process.argv.slice(2).join(' ')}\`. Machine: ${cpus()[0]?.model.trim()}, ${cpus().length} cores, Node ${process.version}; load average at start ${load}.`);
  console.log(`| page | ${trees.map((t) => `${t.name} CPU µs/call (median / min; runs)`).join(' | ')} |${trees.length === 2 ? ' new / base |' : ''}`);
  console.log(`| --- |${trees.map(() => ' ---: |').join('')}${trees.length === 2 ? ' ---: |' : ''}`);
  for (const size of [24, 100]) {
    const page = buildPage(size);
    const n = batch > 0 ? (size === 24 ? batch : Math.ceil(batch / 4)) : size === 24 ? 2_000 : 600;
    if (trees.length === 2) {
      const a = trees[0]!.work(page, 7);
      const b = trees[1]!.work(page, 7);
      if (a !== b) console.log(`(output lengths differ: ${a} vs ${b})`);
    }
    for (const tree of trees) for (let w = 0; w < 3; w++) cpuUsPerCall(tree, page, n);
    const runs = trees.map(() => [] as number[]);
    for (let r = 0; r < rounds; r++) {
      // Alternate which tree goes first, so a drift in load does not favour one side.
      const orderOfTrees = r % 2 === 0 ? trees.map((_, k) => k) : trees.map((_, k) => k).reverse();
      for (const k of orderOfTrees) runs[k]!.push(cpuUsPerCall(trees[k]!, page, n));
    }
    // The minimum is the run least disturbed by other load on a shared machine.
    const cells = runs.map((xs) => `${median(xs).toFixed(1)} / ${Math.min(...xs).toFixed(1)}${xs.length <= 15 ? ` (${xs.map((x) => x.toFixed(0)).join(' ')})` : ''}`);
    const ratio = trees.length === 2 ? ` ${(median(runs[1]!) / median(runs[0]!)).toFixed(2)} / ${(Math.min(...runs[1]!) / Math.min(...runs[0]!)).toFixed(2)} |` : '';
    console.log(`| ${size} hits (${page.length} B) | ${cells.join(' | ')} |${ratio}`);
  }
  console.log(`Load average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}.`);
}

await main();
