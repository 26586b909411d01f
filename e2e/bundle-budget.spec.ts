import { test, expect } from '@playwright/test';
import { BUNDLE_BUDGETS, bundleSizes, PROVIDER_GZIP_BUDGET } from '../bench/bundle.ts';
import { DIST } from './fixtures.ts';

// Sizes are deterministic for a given build, unlike timings, so they can be asserted.
test('the page provider stays within its 2 KB gzip budget and is one synchronous script', () => {
  const sizes = bundleSizes(DIST);
  expect(sizes.provider.gzip).toBeGreaterThan(500);
  expect(sizes.provider.gzip).toBeLessThanOrEqual(PROVIDER_GZIP_BUDGET);
  // A MAIN-world script that imports chunks would run late (after the page's inline scripts).
  expect(sizes.provider.files).toHaveLength(1);
});

// The popup once loaded the worker's shared chunks (the Public Suffix List, the engine) through a barrel import: 314 KB gzip.
test('the worker and the popup stay within their budgets', () => {
  const sizes = bundleSizes(DIST);
  expect(sizes.worker.bytes).toBeLessThanOrEqual(BUNDLE_BUDGETS.worker.bytes);
  expect(sizes.popup.gzip).toBeLessThanOrEqual(BUNDLE_BUDGETS.popup.gzip);
});
