import { defineConfig } from 'vitest/config';

// Two projects: unit tests are pure and fast; integration tests start real processes
// (backend, redis-server, prometheus) on loopback ports and get longer timeouts. The global
// setup runs once per run and installs the programs those tests start when they are missing;
// every test file first seeds fast-check (FC_SEED or a fixed seed) so property runs replay.
export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.int.test.ts'],
          testTimeout: 10_000,
          setupFiles: ['test/support/fast-check-seed.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          pool: 'forks',
          setupFiles: ['test/support/fast-check-seed.ts'],
        },
      },
    ],
  },
});
