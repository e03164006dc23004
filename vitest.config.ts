import { defineConfig } from 'vitest/config';

// Two projects: unit tests are pure and fast; integration tests start real processes
// (backend, redis-server, prometheus) on loopback ports and get longer timeouts. The global
// setup runs once per run and installs the programs those tests start when they are missing.
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
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
    ],
  },
});
