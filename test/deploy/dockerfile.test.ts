import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Checked statically, on every machine (test/deploy/container.int.test.ts builds and runs the
// image where a Docker daemon can start), for the properties that matter: multi-stage,
// production dependencies only in the final image, files owned by root, a numeric non-root
// user, the documented ports, and a CMD that starts the built entry point with node as PID 1.

const ROOT = resolve(import.meta.dirname, '../..');
const dockerfile = readFileSync(resolve(ROOT, 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(resolve(ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name?: string;
  body: Instruction[];
}

/** Instructions (continuation lines joined, comments dropped) grouped by stage. */
function stages(text: string): Stage[] {
  const joined = text
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const out: Stage[] = [];
  for (const line of joined.split('\n')) {
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const op = m[1]!.toUpperCase();
    const args = m[2]!.trim();
    if (op === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(args)!;
      out.push({ from: from[1]!, name: from[2], body: [] });
    } else if (out.length > 0) out[out.length - 1]!.body.push({ op, args });
  }
  return out;
}

const all = stages(dockerfile);
const final = all[all.length - 1]!;
const finalOps = (op: string) => final.body.filter((i) => i.op === op).map((i) => i.args);

describe('Dockerfile', () => {
  it('is multi-stage: a build stage with npm run build, a final stage without a compiler run', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    const build = all.find((s) => s.body.some((i) => i.op === 'RUN' && /npm run build/.test(i.args)));
    expect(build).toBeDefined();
    expect(build).not.toBe(final);
    expect(finalOps('RUN').join('\n')).not.toMatch(/npm (ci|install|run build)/);
  });

  it('ships only production dependencies (npm ci --omit=dev), copied from their own stage', () => {
    const prod = all.find((s) => s.body.some((i) => i.op === 'RUN' && /npm ci\b.*--omit=dev/.test(i.args)));
    expect(prod?.name).toBeDefined();
    const copies = finalOps('COPY');
    expect(copies.some((c) => c.includes(`--from=${prod!.name}`) && c.includes('node_modules'))).toBe(true);
    // The build stage's node_modules holds dev dependencies: it must never reach the final image.
    const buildName = all.find((s) => s.body.some((i) => /npm run build/.test(i.args)))!.name;
    expect(copies.some((c) => c.includes(`--from=${buildName}`) && c.includes('node_modules'))).toBe(false);
  });

  it('copies what the entry point needs: dist/, config/ and package.json (for "type": "module")', () => {
    const copies = finalOps('COPY')
      .map((c) => c.replace(/--\S+\s+/g, ''))
      .join('\n');
    expect(copies).toMatch(/\/app\/dist\b/);
    expect(copies).toMatch(/^config\s/m);
    expect(copies).toMatch(/^package\.json\s/m);
  });

  it('runs as the numeric non-root user 10001 that the Kubernetes manifests expect', () => {
    const users = finalOps('USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users[users.length - 1]!;
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(user.split(':')[0])).toBe(10001);
  });

  it('copies every file into the final stage owned by root, whatever uids the build left on them', () => {
    const copies = finalOps('COPY');
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) expect(copy, copy).toMatch(/(^|\s)--chown=0:0\s/);
  });

  it('names no BuildKit frontend (a `# syntax=` line makes BuildKit fetch one from a registry)', () => {
    expect(dockerfile).not.toMatch(/^#\s*syntax\s*=/im);
  });

  it('exposes the traffic and ops ports', () => {
    expect(finalOps('EXPOSE').join(' ').split(/\s+/).sort()).toEqual(['8080', '8081']);
  });

  it('starts the built entry point in exec form (node is PID 1 and receives SIGTERM itself)', () => {
    const cmd = finalOps('CMD');
    expect(cmd).toHaveLength(1);
    const argv = JSON.parse(cmd[0]!) as string[];
    expect(argv).toEqual(['node', 'dist/src/main.js']);
    expect(pkg.scripts.start).toBe(`node ${argv[1]}`);
    expect(finalOps('ENTRYPOINT')).toEqual([]);
    expect(finalOps('STOPSIGNAL')).toEqual(['SIGTERM']);
  });

  it('keeps node_modules, dist, .git and env files out of the build context', () => {
    for (const entry of ['node_modules', 'dist', '.git', '.env']) expect(dockerignore).toContain(entry);
    // and does not exclude what the build needs
    for (const needed of ['src', 'config', 'package.json', 'package-lock.json', 'tsconfig.json']) {
      expect(dockerignore).not.toContain(needed);
    }
  });
});
