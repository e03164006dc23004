import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

// Summarizes a V8 .cpuprofile (from `npm run bench -- --profile`): the functions with the most
// self time, and the most inclusive time, so an optimization starts from what the profile says.
//   npx tsx bench/profile-summary.ts bench/out/profiles/sidecart-memory [top=30] [filter]
// (a directory: its largest .cpuprofile, the main thread's)

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg, filter] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top] [filter]');
const path = statSync(file).isDirectory()
  ? join(file, readdirSync(file).filter((f) => f.endsWith('.cpuprofile')).sort((a, b) => statSync(join(file, b)).size - statSync(join(file, a)).size)[0] ?? '')
  : file;
const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
process.stdout.on('error', () => process.exit(0));
const top = Number(topArg ?? 30);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const label = (n: ProfileNode) => {
  const url = n.callFrame.url.replace(/^file:\/\/.*?\/(node_modules|dist|src)\//, '$1/');
  return `${n.callFrame.functionName || '(anonymous)'} ${url ? `${url}:${n.callFrame.lineNumber + 1}` : ''}`.trim();
};

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  total += dt;
  const node = byId.get(id)!;
  self.set(label(node), (self.get(label(node)) ?? 0) + dt);
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const name = label(byId.get(at)!);
    if (seen.has(name)) continue;
    seen.add(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + dt);
  }
});

const idle = (self.get('(idle)') ?? 0) + (self.get('(program)') ?? 0);
const print = (title: string, map: Map<string, number>) => {
  console.log(`\n${title}`);
  [...map.entries()]
    .filter(([name]) => !filter || name.includes(filter))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .forEach(([name, us]) => console.log(`${((100 * us) / (total - idle)).toFixed(1).padStart(5)}% ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`));
};
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled, ${((100 * idle) / total).toFixed(0)}% idle/program; percentages of busy time`);
print('self time', self);
print('inclusive time', inclusive);
