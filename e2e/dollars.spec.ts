/**
 * Paying and receiving in dollars on the devnet, in real Chromium: alice (the wallet's node) pays
 * carol's sat invoices from her USDT channel with bob at an RFQ quote, and receives asset invoices.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './devnet-fixtures.ts';
import type { Devnet } from '../devnet/index.ts';
import { answer, approveEnable, clearResult, lastResult, nextPrompt } from './prompt.ts';
import { uiCall } from './wallet.ts';

type Entry = { kind: string; status: string; rail: string; amountSat: number; paymentHash: string; asset?: { quoteId: string; units: string; maxUnits: string } };
const DESK = { coefficient: '10000000000000', scale: 2 };

async function aliceUnits(devnet: Devnet): Promise<number> {
  const b = await devnet.control.balances('alice');
  return b.channels.find((c) => c.peer === 'bob' && c.localAssetUnits + c.remoteAssetUnits > 0)!.localAssetUnits;
}
const carolSat = async (devnet: Devnet) => (await devnet.control.balances('carol')).channels.reduce((n, c) => n + c.localSat, 0);

async function entryFor(popup: Page, hash: string): Promise<Entry> {
  const { entries } = await uiCall<{ entries: Entry[] }>(popup, { type: 'activity.list', filter: { limit: 50 } });
  return entries.find((e) => e.paymentHash === hash)!;
}

async function buy(page: Page, amount: number): Promise<void> {
  await clearResult(page);
  await page.locator('#amount').fill(String(amount));
  await page.getByRole('button', { name: 'Buy book' }).click();
}

test.afterEach(async ({ devnet }) => {
  devnet.control.setRfq({ rate: DESK, quoteSeconds: 600, reject: null });
});

test('Pay in dollars: a WebLN invoice paid from the USD channel at a quote; carol gets sats; the ledger records both', async ({ context, walletReady: popup, sites, devnet, shot }) => {
  // The Home switch is the global choice the pipeline reads.
  await popup.getByTestId('pay-currency-usd').click();
  await expect.poll(async () => (await uiCall<{ global: { payIn: string } }>(popup, { type: 'limits.get' })).global.payIn).toBe('usd');
  await expect(popup.getByTestId('asset-spendable')).toHaveAttribute('data-units', String(1_000_000_000));
  await shot(popup, 'dollars-home');
  const page = await context.newPage();
  await page.goto(`${sites.url}/webln-client.html`);
  await page.getByRole('button', { name: 'Connect wallet' }).click();
  await approveEnable(context, 1000);
  const [units, carol] = [await aliceUnits(devnet), await carolSat(devnet)];
  await buy(page, 200);
  const paid = await lastResult<{ preimage: string; paymentHash: string }>(page, 'buy');
  expect(paid.preimage).toMatch(/^[0-9a-f]{64}$/);
  const entry = await entryFor(popup, paid.paymentHash);
  expect(entry).toMatchObject({ rail: 'asset', status: 'succeeded', amountSat: 200, asset: { units: '200000' } });
  expect(units - (await aliceUnits(devnet))).toBeGreaterThanOrEqual(200_000);
  expect((await carolSat(devnet)) - carol).toBe(200);
});

test('the prompt shows dollars, sats, rate, worst case and the quote expiry in four languages; a quote that expired meanwhile is re-quoted before paying', async ({ context, walletReady: popup, sites, devnet, shot }) => {
  await uiCall(popup, { type: 'limits.updateGlobal', patch: { payIn: 'usd' } });
  const page = await context.newPage();
  await page.goto(`${sites.url}/webln-client.html`);
  await page.getByRole('button', { name: 'Connect wallet' }).click();
  await approveEnable(context, 1000);
  for (const language of ['de', 'fr', 'zh_TW', 'en'] as const) {
    await uiCall(popup, { type: 'settings.update', patch: { language } });
    // The last one's quote lapses while the person looks (6 s, less the wallet's 5 s margin).
    if (language === 'en') devnet.control.setRfq({ quoteSeconds: 6 });
    await buy(page, 2_000);
    const prompt = await nextPrompt(context);
    await expect(prompt.getByTestId('prompt-dollars-amount')).toHaveAttribute('data-units', '2000000');
    await expect(prompt.getByTestId('prompt-pay-in')).toHaveAttribute('data-pay-in', 'usd');
    await expect(prompt.getByTestId('prompt-dollars-worst')).toHaveAttribute('data-units', /^2\d{6}$/);
    await expect(prompt.getByTestId('prompt-amount')).toHaveAttribute('data-amount-sat', '2000');
    await shot(prompt, `dollars-prompt-${language}`);
    // Approved each time: declining over and over makes the wallet stop asking for the site.
    const shown = await prompt.getByTestId('prompt-dollars').getAttribute('data-quote-id');
    if (language === 'en') await prompt.waitForTimeout(1_500);
    await answer(prompt, 'prompt-approve');
    const paid = await lastResult<{ paymentHash: string }>(page, 'buy');
    const entry = await entryFor(popup, paid.paymentHash);
    expect(entry).toMatchObject({ rail: 'asset', status: 'succeeded' });
    // Paid at the quote shown, unless it lapsed: then at a fresh one.
    if (language === 'en') expect(entry.asset!.quoteId).not.toBe(shown);
    else expect(entry.asset!.quoteId).toBe(shown);
  }
});

test('makeInvoice in dollars: an asset invoice paid by another devnet node settles into the USD channel', async ({ context, walletReady: popup, sites, devnet }) => {
  await uiCall(popup, { type: 'limits.updateGlobal', patch: { payIn: 'usd' } });
  const page = await context.newPage();
  await page.goto(`${sites.url}/webln-client.html`);
  await page.getByRole('button', { name: 'Connect wallet' }).click();
  await approveEnable(context, 1000);
  const inv = await page.evaluate(async () => (await (window as unknown as { webln: { makeInvoice(a: unknown): Promise<{ paymentRequest: string; paymentHash: string }> } }).webln.makeInvoice({ amount: 700, defaultMemo: 'tip' })));
  const before = await aliceUnits(devnet);
  const paid = await devnet.control.payInvoice('dave', inv.paymentRequest);
  expect(paid.status).toBe('SUCCEEDED');
  expect((await devnet.control.lookupInvoice('alice', inv.paymentHash)).state).toBe('SETTLED');
  expect((await aliceUnits(devnet)) - before).toBe(700_000);
});
