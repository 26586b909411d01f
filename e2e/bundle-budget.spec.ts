import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BUNDLE_BUDGETS, bundleSizes, PROVIDER_GZIP_BUDGET } from '../bench/bundle.ts';
import { DIST } from './fixtures.ts';

// Sizes are deterministic for a given build, unlike timings, so they can be asserted.
test('the page provider stays within its gzip budget (bench/bundle.ts) and is one synchronous script', () => {
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

// src/ is built as free of import side effects; src/base/zod.ts's setting of zod's English messages is the one
// exception, and once went missing from the bundle: every refusal then read "Invalid input".
test("the worker carries zod's English messages", () => {
  const { worker } = bundleSizes(DIST);
  const code = worker.files.map((f) => readFileSync(path.join(DIST, f), 'utf8')).join('\n');
  expect(code).toContain('Too big: expected');
});
