import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/child-process.js';
import { folderCycles, folderGraph } from './folder-graph.js';

// Imports between the top-level folders of src/ run one way: a folder that imports another is
// never imported back, directly or through a third. A cycle means two "rooms" can no longer be
// read, tested or changed apart.
describe('folder imports under src/', () => {
  it('form no cycle between top-level folders', () => {
    const graph = folderGraph(join(REPO_ROOT, 'src'));
    const cycles = folderCycles(graph);
    const explained = cycles.map((cycle) =>
      [cycle.join(' → '), ...cycle.slice(1).map((to, i) => `    ${graph.get(cycle[i]!)!.get(to)}`)].join('\n'),
    );
    expect(explained, `folder import cycles:\n${explained.join('\n')}`).toEqual([]);
  });

  it('finds a planted cycle and names its path', () => {
    const graph = new Map([
      ['config', new Map([['metrics', 'config/a.ts → ../metrics/m.js']])],
      ['metrics', new Map([['store', 'metrics/m.ts → ../store/s.js']])],
      ['store', new Map([['config', 'store/s.ts → ../config/c.js']])],
      ['proxy', new Map([['config', 'proxy/p.ts → ../config/c.js']])],
    ]);
    expect(folderCycles(graph)).toEqual([['config', 'metrics', 'store', 'config']]);
  });
});
