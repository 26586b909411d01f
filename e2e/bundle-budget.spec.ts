import { test, expect } from '@playwright/test';
import { bundleSizes, PROVIDER_GZIP_BUDGET } from '../bench/bundle.ts';
import { DIST } from './fixtures.ts';

// Sizes are deterministic for a given build, unlike timings, so they can be asserted.
test('the page provider stays within its 8 KB gzip budget and is one synchronous script', () => {
  const sizes = bundleSizes(DIST);
  expect(sizes.provider.gzip).toBeGreaterThan(500);
  expect(sizes.provider.gzip).toBeLessThanOrEqual(PROVIDER_GZIP_BUDGET);
  // A MAIN-world script that imports chunks would run late (after the page's inline scripts).
  expect(sizes.provider.files).toHaveLength(1);
});
