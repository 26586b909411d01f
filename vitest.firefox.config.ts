import { defineConfig } from 'vitest/config';

/**
 * The Firefox end-to-end suite (npm run test:firefox): e2e-firefox/, which the unit tests'
 * vitest.config.ts and Playwright (e2e/) leave out. One file at a time: each starts a Firefox,
 * a devnet and the demo sites, and the machine has 2 cores.
 */
export default defineConfig({
  test: {
    include: ['e2e-firefox/**/*.spec.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
