import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * Sizes of the built extension's entry points, each with every chunk it
 * imports statically (what the browser really loads for it).
 */
export interface EntrySize {
  entry: string;
  files: string[];
  bytes: number;
  gzip: number;
}

const IMPORT_RE = /(?:import|export)\s*(?:[^'"]*?from\s*)?["']([^"']+\.js)["']/g;

function closure(dist: string, file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const code = readFileSync(path.join(dist, file), 'utf8');
  for (const m of code.matchAll(IMPORT_RE)) {
    const spec = m[1]!;
    const target = spec.startsWith('/') ? spec.slice(1) : path.posix.join(path.posix.dirname(file), spec);
    if (existsSync(path.join(dist, target))) closure(dist, target, seen);
  }
  return seen;
}

function measure(dist: string, entry: string, roots: string[]): EntrySize {
  const files = new Set<string>();
  for (const r of roots) for (const f of closure(dist, r)) files.add(f);
  const all = [...files];
  const buf = Buffer.concat(all.map((f) => readFileSync(path.join(dist, f))));
  return { entry, files: all, bytes: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
}

function htmlScripts(dist: string, html: string): string[] {
  const text = readFileSync(path.join(dist, html), 'utf8');
  return [...text.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]!.replace(/^\//, ''));
}

interface BuiltManifest {
  background: { service_worker: string };
  content_scripts: Array<{ js: string[]; world?: string }>;
  action: { default_popup: string };
}

export function bundleSizes(dist: string): Record<'provider' | 'bridge' | 'worker' | 'popup', EntrySize> {
  const manifest = JSON.parse(readFileSync(path.join(dist, 'manifest.json'), 'utf8')) as BuiltManifest;
  const main = manifest.content_scripts.find((c) => c.world === 'MAIN');
  const isolated = manifest.content_scripts.find((c) => c.world !== 'MAIN');
  if (!main || !isolated) throw new Error('bench: content scripts missing from built manifest');
  return {
    provider: measure(dist, 'provider', main.js),
    bridge: measure(dist, 'bridge', isolated.js),
    worker: measure(dist, 'worker', [manifest.background.service_worker]),
    popup: measure(dist, 'popup', htmlScripts(dist, manifest.action.default_popup)),
  };
}

/**
 * The page provider's ceiling (e2e/bundle-budget.spec.ts): 1,336 B measured. The goal is 1 KB; the XHR 402 retry
 * alone is ~480 B of it, and it must be in every page from its first XHR on (a script added later can't hold back
 * events an XHR already made has fired).
 */
export const PROVIDER_GZIP_BUDGET = 1400;

/** What the built entry points must stay under (e2e/bundle-budget.spec.ts): the worker as measured plus room to grow (520 KB), the popup its goal (96 KB). */
export const BUNDLE_BUDGETS = { worker: { bytes: 560 * 1024 }, popup: { gzip: 100 * 1024 } } as const;

/** The goals (issue 13), printed beside the figures by `npm run bench`. */
export const BUNDLE_GOALS = { provider: { gzip: 1024 }, worker: { bytes: 200 * 1024 }, popup: { gzip: 100 * 1024 } } as const;
