import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'sitekit/**/*.test.ts', 'extension/**/*.test.ts', 'devnet/**/*.test.ts', 'demo-sites/**/*.test.ts'],
    environment: 'node',
    pool: 'threads',
    maxWorkers: 2,
    testTimeout: 20_000,
  },
});
