import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startTsProcess, type RunningProcess } from '../support/child-process.js';

// sidecart as its own process (src/main.ts), so a request that could take it down shows up as an
// exit, and whatever it does to the process's prototypes stays out of the test runner.

export interface SidecartProcess {
  proc: RunningProcess;
  url: string;
  opsUrl: string;
  /** True while the process has not exited. */
  alive(): boolean;
}

export async function startSidecartProcess(config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Promise<SidecartProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'sidecart-security-'));
  const file = join(dir, 'sidecart.yaml');
  writeFileSync(file, stringify({ ...config, server: { host: '127.0.0.1', port: 0, opsPort: 0, ...((config.server as object | undefined) ?? {}) } }));
  let ports = { port: 0, opsPort: 0 };
  const proc = await startTsProcess('src/main.ts', {
    env: { SIDECART_CONFIG: file, SIDECART_PORT: '0', SIDECART_OPS_PORT: '0', ...env },
    ready: (line) => {
      if (!line.includes('sidecart listening')) return false;
      ports = JSON.parse(line) as { port: number; opsPort: number };
      return true;
    },
  });
  return {
    proc,
    url: `http://127.0.0.1:${ports.port}`,
    opsUrl: `http://127.0.0.1:${ports.opsPort}`,
    alive: () => proc.child.exitCode === null && proc.child.signalCode === null,
  };
}
