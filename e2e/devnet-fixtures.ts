import type { Page, Worker } from '@playwright/test';
import { startDemoSites, type DemoSites } from '../demo-sites/server.ts';
import { startDevnet, type Devnet } from '../devnet/index.ts';
import { test as base } from './fixtures.ts';
import { createWallet, uiCall } from './wallet.ts';

/** The devnet and demo sites, one per test worker (state carries between tests; budgets live in each fresh profile). */
export const test = base.extend<{ walletReady: Page }, { devnet: Devnet; sites: DemoSites }>({
  devnet: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const devnet = await startDevnet({ basePort: 0, validate: true });
      await use(devnet);
      await devnet.stop();
    },
    { scope: 'worker' },
  ],
  sites: [
    async ({ devnet }, use) => {
      const sites = await startDemoSites({ port: 0, devnet: devnet.control });
      await use(sites);
      await sites.stop();
    },
    { scope: 'worker' },
  ],
  /** A popup with a new wallet connected to the devnet's alice node. */
  walletReady: async ({ openExtensionPage, devnet, sw }, use) => {
    const popup = await openExtensionPage();
    await createWallet(popup);
    await pointAtDevnet(sw, devnet);
    await uiCall(popup, { type: 'devnet.connect' });
    await popup.reload();
    await use(popup);
  },
});

export const expect = test.expect;

/** The worker looks for the devnet's control API at a fixed port by default; tests use random ports. */
export async function pointAtDevnet(sw: Worker, devnet: Devnet): Promise<void> {
  await sw.evaluate((url) => chrome.storage.local.set({ 'devnet.controlUrl': url }), devnet.controlUrl);
}
