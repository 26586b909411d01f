import { test as base, chromium, type BrowserContext, type Page, type Worker } from '@playwright/test';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The built extension: dist/, or the folder SATNAV_DIST names (vite.config.ts builds there too). */
export const DIST = path.resolve(import.meta.dirname, '..', process.env.SATNAV_DIST || 'dist');
export const SHOTS = path.resolve(import.meta.dirname, 'screenshots');
export const CHROMIUM = process.env.SATNAV_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Launch Chromium with the built extension in a fresh profile (extensions need a persistent context). */
export async function launchWithExtension(profileDir: string, extraArgs: string[] = [], dist = DIST): Promise<BrowserContext> {
  if (!existsSync(path.join(dist, 'manifest.json'))) throw new Error(`e2e: extension not built, missing ${dist}/manifest.json (run npm run build)`);
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 360, height: 600 },
    args: [...CHROMIUM_ARGS, ...extraArgs, `--disable-extensions-except=${dist}`, `--load-extension=${dist}`],
  });
}

export async function serviceWorkerOf(context: BrowserContext): Promise<Worker> {
  return context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
}

type Fixtures = {
  context: BrowserContext;
  extensionId: string;
  sw: Worker;
  /** Open an extension page (popup by default) in a tab. */
  openExtensionPage: (page?: string) => Promise<Page>;
  shot: (page: Page, name: string) => Promise<void>;
};

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern
  context: async ({}, use) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'satnav-e2e-'));
    const context = await launchWithExtension(dir);
    await use(context);
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  },
  sw: async ({ context }, use) => {
    await use(await serviceWorkerOf(context));
  },
  extensionId: async ({ sw }, use) => {
    await use(new URL(sw.url()).host);
  },
  openExtensionPage: async ({ context, extensionId }, use) => {
    await use(async (page = 'extension/popup/index.html') => {
      const tab = await context.newPage();
      await tab.goto(`chrome-extension://${extensionId}/${page}`);
      return tab;
    });
  },
  // eslint-disable-next-line no-empty-pattern
  shot: async ({}, use) => {
    mkdirSync(SHOTS, { recursive: true });
    await use(async (page, name) => {
      await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
    });
  },
});

export const expect = test.expect;

/** Stop the MV3 service worker the way Chrome does when idle (see shared/EXTENSION-TESTING.md). */
export async function killServiceWorker(context: BrowserContext, page: Page): Promise<void> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await cdp.detach();
}
