import { createHash } from 'node:crypto';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDepositSite } from '../demo-sites/deposit/sites.ts';
import { startDemoSites, type DemoSites } from '../demo-sites/server.ts';
import { startDevnet, type Devnet } from '../devnet/index.ts';
import { answer, click, createWallet, EXTENSION_ORIGIN, fill, FirefoxWithSatnav, PASSWORD, rootAttribute, text, uiCall, waitFor } from './firefox.ts';

/**
 * Satnav's core path in Firefox ESR, built from the same sources (dist-firefox/, npm run
 * build:firefox:devnet), against the in-process devnet and the demo sites. One browser and one
 * wallet for the whole file, so the tests run in order and each builds on the one before: the
 * wallet made in the first is the one that pays in the next ones, as a person would go on.
 */
type Entry = { origin: string; kind: string; source?: string; status: string; amountSat: number; paymentHash: string };
type PayResult = { preimage: string; paymentHash: string; error?: string };

const sha256hex = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');

let firefox: FirefoxWithSatnav;
let devnet: Devnet;
let sites: DemoSites;
let popup: Page;

beforeAll(async () => {
  [firefox, devnet] = await Promise.all([FirefoxWithSatnav.launch(), startDevnet({ basePort: 0 })]);
  sites = await startDemoSites({ port: 0, devnet: devnet.control });
});

afterAll(async () => {
  await firefox?.close();
  await sites?.stop();
  await devnet?.stop();
});

async function entries(): Promise<Entry[]> {
  return (await uiCall<{ entries: Entry[] }>(popup, { type: 'activity.list' })).entries;
}

/** The last result the demo shop printed (demo-sites/public/shop.js). */
async function lastResult<T>(page: Page, label: string): Promise<T> {
  await expect.poll(() => page.evaluate(() => (window as unknown as { lastResult?: { label: string } }).lastResult?.label), { timeout: 15_000 }).toBe(label);
  return page.evaluate(() => (window as unknown as { lastResult: { value: T } }).lastResult.value);
}

/** L402 invoices the demo paywall's node has settled so far. */
async function settled(): Promise<number> {
  return ((await (await fetch(`${sites.url}/paywall/stats`)).json()) as { l402: { invoicesSettled: number } }).l402.invoicesSettled;
}

async function buy(shop: Page, amountSat: number): Promise<PayResult> {
  await shop.evaluate(() => void ((window as unknown as { lastResult?: unknown }).lastResult = undefined));
  await shop.locator('#amount').fill(String(amountSat));
  await shop.locator('#buy').click();
  return lastResult<PayResult>(shop, 'buy');
}

describe('Satnav in Firefox', () => {
  it('loads as an MV3 add-on with an event page; the popup creates a wallet', async () => {
    popup = await firefox.openExtensionPage();
    const manifest = await popup.evaluate(() => (globalThis as unknown as { browser: { runtime: { getManifest(): Record<string, unknown> } } }).browser.runtime.getManifest());
    expect(manifest).toMatchObject({ manifest_version: 3, name: 'Satnav', background: { scripts: [expect.any(String)] } });
    // Firefox ESR 140 can't say (no privileged scripts over BiDi): the event page's restart test is skipped there too.
    if (await firefox.systemAccess()) expect(await firefox.backgroundState()).toBe('running');

    const words = await createWallet(popup);
    expect(new Set(words).size).toBeGreaterThan(1);
    expect(await uiCall(popup, { type: 'vault.status' })).toMatchObject({ unlocked: true });
  });

  it('connects to the devnet node and shows its balance', async () => {
    // The worker looks for the devnet's control API at a fixed port by default; the test's is random.
    await popup.evaluate(
      (url) => (globalThis as unknown as { browser: { storage: { local: { set(o: object): Promise<void> } } } }).browser.storage.local.set({ 'devnet.controlUrl': url }),
      devnet.controlUrl,
    );
    await uiCall(popup, { type: 'devnet.connect' });
    await popup.close();
    popup = await firefox.openExtensionPage();
    const lnd = await (await fetch(`${devnet.nodes.alice.lndRestUrl}/v1/balance/channels`, { headers: { 'Grpc-Metadata-macaroon': devnet.nodes.alice.adminMacaroonHex } })).json();
    await expect.poll(() => text(popup, '[data-testid="balance-btc"]'), { timeout: 15_000 }).toContain(Number(lnd.local_balance.sat).toLocaleString('en-US'));
  });

  it('a site asks to connect: the prompt opens in a window of its own; then pays within its allowance without asking', async () => {
    const shop = await firefox.browser.newPage();
    await shop.goto(`${sites.url}/webln-client.html`);
    await shop.locator('#enable').click();
    const prompt = await firefox.waitForPage(`${EXTENSION_ORIGIN}/extension/prompt/`);
    expect(await text(prompt, '[data-testid="prompt-origin"]')).toContain('127.0.0.1');
    // Firefox has no favicon cache for extensions: the prompt shows the site's name without an icon.
    expect(await prompt.evaluate(() => document.querySelector('[data-testid="prompt-icon"]') === null)).toBe(true);
    await fill(prompt, 'prompt-allowance', '1000');
    await answer(firefox, prompt, 'prompt-approve');
    expect(await lastResult(shop, 'enable')).toEqual({ enabled: true });

    const paid = await buy(shop, 100);
    expect(sha256hex(paid.preimage)).toBe(paid.paymentHash);
    expect(await firefox.hasPage(`${EXTENSION_ORIGIN}/extension/prompt/`)).toBe(false);
    expect(await entries()).toEqual([expect.objectContaining({ origin: sites.url, status: 'succeeded', amountSat: 100, paymentHash: paid.paymentHash })]);
    const { sites: budgets } = await uiCall<{ sites: Array<{ origin: string; spentSat: number }> }>(popup, { type: 'limits.get' });
    expect(budgets.find((s) => s.origin === sites.url)?.spentSat).toBeGreaterThanOrEqual(100);
    await shop.close();
  });

  it('the event page stopped and started again: still unlocked, the ledger intact, the next payment goes through', async (ctx) => {
    if (!(await firefox.systemAccess())) {
      console.warn('skipped: this Firefox gives no privileged scripts over WebDriver BiDi (ESR 140), the only way to stop the event page on demand');
      return ctx.skip();
    }
    const before = await entries();
    await firefox.terminateBackground();

    // A message from the popup is the event that starts it again.
    expect(await uiCall(popup, { type: 'vault.status' })).toMatchObject({ unlocked: true });
    expect(await firefox.backgroundState()).toBe('running');
    expect(await entries()).toEqual(before);

    const shop = await firefox.browser.newPage();
    await shop.goto(`${sites.url}/webln-client.html`);
    const paid = await buy(shop, 150);
    expect(sha256hex(paid.preimage)).toBe(paid.paymentHash);
    expect((await entries()).map((e) => e.amountSat).sort()).toEqual([100, 150]);
    await shop.close();
  });

  it('a navigation to a 402 article (L402): paid once, the article appears', async () => {
    await uiCall(popup, { type: 'limits.updateSite', origin: sites.url, patch: { enabled: true, remember: true, l402AutoPay: true, allowance: { sat: 1000 } } });
    const before = await settled();
    const page = await firefox.browser.newPage();
    await page.goto(`${sites.url}/paywall/l402/article.html`);
    // The 402 page first, then the wallet pays, adds the header rule and reloads the tab.
    await expect.poll(() => rootAttribute(page, 'data-paywall'), { timeout: 20_000 }).toBe('paid');
    expect(await text(page, 'h1')).toContain('Why routing fees fell');
    expect((await settled()) - before).toBe(1);
    expect((await entries()).filter((e) => e.source === 'l402')).toEqual([expect.objectContaining({ origin: sites.url, status: 'succeeded' })]);
    await page.close();
  });

  it("a page's fetch meets a 402 (L402): the worker pays, the page gets the data, not the wall", async () => {
    const before = await settled();
    const page = await firefox.browser.newPage();
    await page.goto(`${sites.url}/`);
    const fetched = await page.evaluate(async () => {
      const res = await fetch('/paywall/l402/data.json');
      return { status: res.status, title: res.ok ? ((await res.json()) as { title: string }).title : null };
    });
    expect(fetched).toEqual({ status: 200, title: 'Lightning Ledger market data' });
    expect((await settled()) - before).toBe(1);
    await page.close();
  });

  it('a deposit wall: held without a click, the page opens; closing the tab brings the deposit back whole', async () => {
    const site = await startDepositSite({ devnet: devnet.control, sweepSeconds: 0 });
    try {
      const deposits = async () => (await uiCall<{ items: Array<{ paymentHash: string; state: string }> }>(popup, { type: 'deposits.list' })).items;
      const page = await firefox.browser.newPage();
      await page.goto(`${site.url}/deposit/article.html`);
      await expect.poll(() => rootAttribute(page, 'data-deposit'), { timeout: 20_000 }).toBe('held');
      const hash = await text(page, '#deposit-hash');
      expect(await deposits()).toEqual([expect.objectContaining({ paymentHash: hash, state: 'held' })]);
      expect((await devnet.control.lookupInvoice('carol', hash)).state).toBe('ACCEPTED');

      await page.close();
      await expect.poll(async () => (await deposits())[0]?.state, { timeout: 15_000, interval: 200 }).toBe('refunded');
      expect((await devnet.control.lookupInvoice('carol', hash)).state).toBe('CANCELED');
    } finally {
      await site.stop();
    }
  });

  it('payment links: a click by the page’s script opens nothing; the person’s click on a reward link claims it in one click', async () => {
    // A tab of the main window in front first: Firefox ESR 140 opens no new tab while the last window it knew was a closed one.
    await popup.bringToFront();
    const page = await firefox.browser.newPage();
    await page.goto(`${sites.url}/links.html`);
    await page.locator('body[data-ready="true"]').wait();
    await page.locator('#scripted').click();
    await expect.poll(() => page.evaluate(() => (window as unknown as { lastResult?: { label: string } }).lastResult?.label)).toBe('scripted');
    // Had a scripted click got through, its prompt (the invoice, first on the page) would hold this tab's one link.
    await page.locator('#link-reward').click();
    const prompt = await firefox.waitForPage(`${EXTENSION_ORIGIN}/extension/prompt/`);
    await waitFor(prompt, '[data-kind="lnurlWithdraw"]');
    await answer(firefox, prompt, 'prompt-approve');
    await expect.poll(async () => (await entries()).filter((e) => e.kind === 'reward').map((e) => [e.status, e.amountSat]), { timeout: 15_000 }).toEqual([['succeeded', 500]]);
    expect((await entries()).some((e) => e.source === 'link')).toBe(false);
    await page.close();
  });

  it('locks and unlocks with the password', async () => {
    // Firefox pauses animation frames in a background tab, and puppeteer waits for one before a click.
    await popup.bringToFront();
    await click(popup, 'lock-button');
    await fill(popup, 'unlock-password', PASSWORD);
    await click(popup, 'unlock-submit');
    await waitFor(popup, '[data-testid="home"]');
    expect(await uiCall(popup, { type: 'vault.status' })).toMatchObject({ unlocked: true });
  });
});
