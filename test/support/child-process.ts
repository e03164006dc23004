import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface RunningProcess {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** Starts `node --import tsx <script>` and waits for a stdout line that `ready` accepts. */
export async function startTsProcess(
  script: string,
  options: { env?: NodeJS.ProcessEnv; ready: (line: string) => boolean; timeoutMs?: number },
): Promise<RunningProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let resolveReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    output += text;
    for (const line of text.split('\n')) if (line && options.ready(line)) resolveReady();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = once(child, 'exit');
  const timeout = options.timeoutMs ?? 30_000;
  const outcome = await Promise.race([
    ready.then(() => 'ready' as const),
    exited.then(() => 'exited' as const),
    new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeout).unref()),
  ]);
  if (outcome !== 'ready') {
    child.kill('SIGKILL');
    const how = outcome === 'exited' ? `exited with code ${child.exitCode}` : outcome;
    throw new Error(`${script} did not start (${how}):\n${output}`);
  }
  return {
    child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}

export interface FixtureBackend extends RunningProcess {
  port: number;
  url: string;
}

export async function startFixtureBackend(): Promise<FixtureBackend> {
  let port = 0;
  const proc = await startTsProcess('test/support/fixture-backend.ts', {
    ready: (line) => {
      if (!line.startsWith('{"port"')) return false;
      port = (JSON.parse(line) as { port: number }).port;
      return true;
    },
  });
  return { ...proc, port, url: `http://127.0.0.1:${port}` };
}
