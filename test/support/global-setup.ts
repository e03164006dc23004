import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { TEST_TOOLS, type MissingTools, type TestTool } from './global-setup-tools.js';

// Runs once per `vitest run`, before any test file: makes sure the programs the tests start
// (redis-server, promtool, prometheus) are on PATH, installing Debian's packages for the missing
// ones when this user may (root, or passwordless sudo). `npm test` on a fresh machine then needs
// no step of its own. What cannot be installed is reported loudly and the tests that need it
// skip; under CI (CI=true) the run fails instead, so a green CI never hides a skipped test.

const LOCK = '/tmp/sidecart-test-tools.lock';
const INSTALL_TIMEOUT_MS = 10 * 60_000;

function onPath(command: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

const succeeds = (command: string, args: string[]) => spawnSync(command, args, { stdio: 'ignore', timeout: 10_000 }).status === 0;

/** How this user may run apt-get as root, or why it may not. */
function rootPrefix(): { prefix: string[] } | { reason: string } {
  if (!onPath('apt-get')) return { reason: 'no apt-get on this machine (not Debian/Ubuntu)' };
  if (process.getuid?.() === 0) return { prefix: [] };
  if (onPath('sudo') && succeeds('sudo', ['-n', 'true'])) return { prefix: ['sudo', '-n'] };
  return { reason: 'not root and no passwordless sudo' };
}

/**
 * apt-get install, with `apt-get update` only when the install fails on stale or empty package
 * lists. Under a lock, re-checking first, so two test runs at once install once.
 */
function install(tools: TestTool[], prefix: string[]): { ok: boolean; output: string } {
  const packages = [...new Set(tools.map((t) => t.debianPackage))].join(' ');
  const commands = tools.map((t) => t.command).join(' ');
  const script = [
    'export DEBIAN_FRONTEND=noninteractive',
    `missing=0; for c in ${commands}; do command -v "$c" >/dev/null 2>&1 || missing=1; done`,
    '[ "$missing" = 0 ] && exit 0',
    `apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends ${packages} && exit 0`,
    'echo "apt-get install failed; running apt-get update once and trying again"',
    `apt-get -o DPkg::Lock::Timeout=300 update -q && apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends ${packages}`,
  ].join('\n');
  const shell = onPath('flock') ? ['flock', LOCK, 'sh', '-c', script] : ['sh', '-c', script];
  const argv = [...prefix, ...shell];
  const run = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? `\n${run.error.message}` : ''}`;
  return { ok: run.status === 0, output };
}

const underCi = () => !['', '0', 'false'].includes((process.env.CI ?? '').toLowerCase());

function banner(lines: string[]): void {
  const rule = '!'.repeat(78);
  console.warn(['', rule, ...lines.map((l) => `!!! ${l}`), rule, ''].join('\n'));
}

export default function setup(project: TestProject): void {
  let missing = TEST_TOOLS.filter((t) => !onPath(t.command));
  const unavailable: MissingTools = [];
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((t) => t.debianPackage))];
    const how = rootPrefix();
    if ('reason' in how) {
      for (const t of missing) unavailable.push({ command: t.command, reason: `not installed, and cannot install Debian's ${t.debianPackage}: ${how.reason}` });
    } else {
      console.log(`[test tools] missing ${missing.map((t) => t.command).join(', ')}: installing Debian package(s) ${packages.join(', ')} with apt-get${how.prefix.length ? ' (sudo)' : ''}…`);
      const started = Date.now();
      const result = install(missing, how.prefix);
      missing = missing.filter((t) => !onPath(t.command));
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      if (missing.length === 0) {
        console.log(`[test tools] installed ${packages.join(', ')} in ${seconds} s`);
      } else {
        const tail = result.output.trim().split('\n').slice(-15).join('\n');
        console.warn(`[test tools] apt-get did not bring ${missing.map((t) => t.command).join(', ')} (${seconds} s); its last lines:\n${tail}`);
        for (const t of missing) unavailable.push({ command: t.command, reason: `apt-get install ${t.debianPackage} failed (no network or no package lists?)` });
      }
    }
  }
  if (unavailable.length > 0) {
    const lines = unavailable.map((u) => `${u.command}: ${u.reason}; needed by ${TEST_TOOLS.find((t) => t.command === u.command)?.usedBy}`);
    if (underCi()) {
      banner(['CI: the tests need programs that are missing and could not be installed:', ...lines]);
      throw new Error(`test tools missing under CI: ${unavailable.map((u) => u.command).join(', ')}`);
    }
    const packages = [...new Set(unavailable.map((u) => TEST_TOOLS.find((t) => t.command === u.command)?.debianPackage))];
    banner(['The tests that need these programs are SKIPPED (under CI=true the run would fail):', ...lines, `Install them as root with: apt-get install -y ${packages.join(' ')}`]);
  }
  project.provide('missingTestTools', unavailable);
}
