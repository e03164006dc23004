import { inject } from 'vitest';

// The programs the tests start besides node, and the Debian package that brings each. The global
// setup (global-setup.ts) installs the missing ones once per run; test files ask `toolSkipReason`
// whether they may use one.

export interface TestTool {
  command: string;
  debianPackage: string;
  usedBy: string;
}

export const TEST_TOOLS: readonly TestTool[] = [
  { command: 'redis-server', debianPackage: 'redis-server', usedBy: 'the Redis integration tests' },
  { command: 'redis-cli', debianPackage: 'redis-tools', usedBy: 'the Redis Cluster tests' },
  { command: 'promtool', debianPackage: 'prometheus', usedBy: 'the alert-rule, dashboard and scrape tests (test/deploy)' },
  { command: 'prometheus', debianPackage: 'prometheus', usedBy: 'the scrape test (test/deploy)' },
  { command: 'openssl', debianPackage: 'openssl', usedBy: 'the HTTPS upstream test (a private CA made per run; test/proxy/upstream-host-tls.int.test.ts)' },
  { command: 'chromium', debianPackage: 'chromium', usedBy: 'the browser storefront test (test/demo/storefront-browser.int.test.ts)' },
];

/** What the global setup provides: each tool it could not find nor install, with the reason. */
export type MissingTools = { command: string; reason: string }[];

declare module 'vitest' {
  export interface ProvidedContext {
    missingTestTools: MissingTools;
  }
}

/**
 * Undefined when every named tool is there; otherwise why not, printed loudly, so a test can
 * `skipIf` it without going silent. Under CI the global setup has already failed the run instead.
 */
export function toolSkipReason(...commands: string[]): string | undefined {
  const missing = inject('missingTestTools') ?? [];
  const reasons = missing.filter((m) => commands.includes(m.command)).map((m) => `${m.command}: ${m.reason}`);
  if (reasons.length === 0) return undefined;
  const reason = `SKIPPED, missing ${reasons.join('; ')}`;
  console.warn(`\n!!! ${reason}\n`);
  return reason;
}
