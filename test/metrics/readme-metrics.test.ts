import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/metrics.js';
import { REPO_ROOT } from '../support/child-process.js';

// The README's metric list is part of the contract with ops: it must name every metric sidecart
// defines, and nothing it does not.
describe('README metrics list', () => {
  it('lists every sidecart metric and no stale one', async () => {
    const readme = readFileSync(`${REPO_ROOT}/README.md`, 'utf8');
    const section = readme.slice(readme.indexOf('## Metrics'), readme.indexOf('## Troubleshooting'));
    const defined = (await createMetrics({ processMetrics: false }).registry.getMetricsAsJSON()).map((m) => m.name).sort();
    const listed = [...section.matchAll(/^\| `(sidecart_[a-z_]+)` \|/gm)].map((m) => m[1]!).sort();
    expect(listed).toEqual(defined);
  });
});
