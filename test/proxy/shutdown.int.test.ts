import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startFixtureBackend, startTsProcess, type FixtureBackend } from '../support/child-process.js';

// sidecart as its own process: config errors exit 2; SIGTERM drains in-flight requests and exits 0.

let backend: FixtureBackend;
const dir = mkdtempSync(join(tmpdir(), 'sidecart-shutdown-'));

beforeAll(async () => {
  backend = await startFixtureBackend();
});
afterAll(async () => {
  await backend?.stop();
});

function writeConfig(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function startMain(configFile: string) {
  let ports = { port: 0, opsPort: 0 };
  const proc = await startTsProcess('src/main.ts', {
    env: { SIDECART_CONFIG: configFile, SIDECART_PORT: '0', SIDECART_OPS_PORT: '0', SIDECART_UPSTREAM_URL: backend.url },
    ready: (line) => {
      if (!line.includes('sidecart listening')) return false;
      const parsed = JSON.parse(line) as { port: number; opsPort: number };
      ports = { port: parsed.port, opsPort: parsed.opsPort };
      return true;
    },
  });
  return { proc, ...ports };
}

describe('process lifecycle', () => {
  it('SIGTERM: unready, finishes the request in flight, refuses new ones, exits 0', async () => {
    const file = writeConfig('ok.yaml', 'server: {host: 127.0.0.1, shutdownGraceMs: 5000}\nroutes: [{path: /products/_search, adapter: elasticsearch}]\n');
    const { proc, port, opsPort } = await startMain(file);
    expect((await request(`http://127.0.0.1:${opsPort}/readyz`)).statusCode).toBe(200);
    const inFlight = request(`http://127.0.0.1:${port}/slow/1500`).then(async (res) => ({ status: res.statusCode, body: await res.body.text() }));
    await new Promise((r) => setTimeout(r, 300));
    const exit = proc.stop('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    const ready = await request(`http://127.0.0.1:${opsPort}/readyz`).then((r) => r.statusCode).catch(() => 'closed');
    expect([503, 'closed']).toContain(ready);
    await expect(request(`http://127.0.0.1:${port}/echo/x`, { reset: true })).rejects.toThrow();
    const finished = await inFlight;
    expect(finished.status).toBe(200);
    expect(JSON.parse(finished.body)).toEqual({ slow: true });
    expect(await exit).toBe(0);
  });

  it('a bad config stops the start with exit 2, naming the file, the key and the value', async () => {
    const file = writeConfig('bad.yaml', 'store:\n  breaker:\n    timeoutMs: soon\nroutes: [{path: /x, adapter: lucene}]\n');
    const proc = await startTsProcess('src/main.ts', { env: { SIDECART_CONFIG: file }, ready: () => false, timeoutMs: 20_000 }).catch((err: Error) => err);
    expect(proc).toBeInstanceOf(Error);
    const message = (proc as Error).message;
    expect(message).toContain('exited with code 2');
    expect(message).toContain(file);
    expect(message).toContain('store.breaker.timeoutMs');
    expect(message).toContain('"soon"');
    expect(message).toContain('routes.0.adapter');
  });
});
