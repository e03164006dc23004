import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/child-process.js';

// The README's first command: the demo shows two shoppers getting different orders for the same
// query and an unknown shopper getting the backend's order.
describe('npm run demo', () => {
  it('prints two different personalized orders and the backend order for an unknown shopper', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/demo/run-demo.ts', '--once'], { cwd: REPO_ROOT, timeout: 60_000 });
    const blocks = stdout.split('\n\n').filter((b) => b.includes('X-Sidecart'));
    expect(blocks).toHaveLength(3);
    const top = (block: string) => block.split('\n').filter((l) => /^\s+\d\./.test(l));
    expect(blocks[0]).toContain('X-Sidecart: personalized');
    expect(blocks[1]).toContain('X-Sidecart: personalized');
    expect(blocks[2]).toContain('X-Sidecart: passthrough; reason=no-profile');
    expect(top(blocks[0]!)).not.toEqual(top(blocks[1]!));
    expect(top(blocks[0]!)).not.toEqual(top(blocks[2]!));
    expect(stdout).toContain("curl -s 'http://127.0.0.1:");
  });
});
