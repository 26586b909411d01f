import type { Page } from '@playwright/test';
import { expect, test } from './devnet-fixtures.ts';
import { answer, lastResult, nextPrompt, payFromPage } from './prompt.ts';
import { uiCall } from './wallet.ts';

/**
 * A site's allowance in dollars, enforced against BTC invoices on the devnet.
 * The devnet's RFQ desk quotes 1 BTC = 100,000 $, so 1 sat = $0.001 and the
 * $0.10 allowance holds 100 sat: amount + fee limit (10 sat for these sizes).
 */
type Amount = { sat: number } | { microUsd: number };
type SiteView = { origin: string; allowance: Amount; spentSat: number; heldSat: number; spent: Amount; held: Amount; remaining: Amount };
type Entry = { origin: string; status: string; amountSat: number; feeSat?: number; rail?: string };

const pay = (page: Page, amount: number) => payFromPage(page, amount, 'dollars');

const promptOpen = (page: Page) => page.context().pages().some((p) => p.url().includes('/extension/prompt/'));

test('a $0.10 daily allowance holds BTC invoices at the quote: 50 sat goes through unasked, the next 50 is refused; spend shows sats and dollars', async ({
  context,
  walletReady: popup,
  sites,
  shot,
}) => {
  const page = await context.newPage();
  await page.goto(`${sites.url}/webln-direct.html`);
  await page.getByRole('button', { name: 'Connect wallet' }).click();

  // The enable prompt takes the allowance in dollars.
  const enable = await nextPrompt(context);
  await enable.getByTestId('prompt-allowance-unit').selectOption('usd');
  await enable.getByTestId('prompt-allowance').fill('0.10');
  await shot(enable, '40-prompt-enable-dollars');
  await answer(enable, 'prompt-approve');
  expect(await lastResult(page, 'enable')).toEqual({ enabled: true });

  const origin = sites.url;
  const site = async () => (await uiCall<{ sites: SiteView[] }>(popup, { type: 'limits.get' })).sites.find((s) => s.origin === origin)!;
  expect((await site()).allowance).toEqual({ microUsd: 100_000 });

  // 50 sat + 10 sat fee limit = $0.06 at the quote: within the allowance and under the ceiling, no window.
  expect(await pay(page, 50)).toEqual({ ok: true });
  expect(promptOpen(page)).toBe(false);
  const after = await site();
  expect(after.heldSat).toBe(0);
  expect(after.spentSat).toBeGreaterThanOrEqual(50);
  expect(after.spentSat).toBeLessThanOrEqual(60);
  // The same payment counted in dollars at its own quote: 1,000 micro-dollars a sat.
  expect(after.spent).toEqual({ microUsd: after.spentSat * 1_000 });
  expect(after.remaining).toEqual({ microUsd: 100_000 - after.spentSat * 1_000 });

  // Another $0.06 would pass $0.10: the site chose it under the ceiling, so it is refused without a window.
  expect(await pay(page, 50)).toEqual({ ok: false, code: 'BUDGET_EXCEEDED', name: 'RejectionError' });
  expect(promptOpen(page)).toBe(false);
  expect((await site()).spentSat).toBe(after.spentSat);

  // The ledger has the one payment, in sats, paid over BTC.
  const { entries } = await uiCall<{ entries: Entry[] }>(popup, { type: 'activity.list', filter: { origin } });
  expect(entries.filter((e) => e.status === 'succeeded')).toHaveLength(1);
  expect(entries.find((e) => e.status === 'succeeded')).toMatchObject({ amountSat: 50, rail: 'btc' });

  // The limits screen shows the allowance and its use in dollars, in each language.
  await popup.reload();
  await popup.getByTestId('limits-button').click();
  const bar = popup.getByTestId(`site-budget-${origin}`);
  await expect(bar).toHaveAttribute('data-unit', 'usd');
  await expect(bar).toHaveAttribute('data-total-sat', '100000');
  await expect(bar).toContainText('$0.10');
  await expect(popup.getByTestId(`site-allowance-${origin}-unit`)).toHaveValue('usd');
  await expect(popup.getByTestId(`site-allowance-${origin}`)).toHaveValue('0.10');
  await shot(popup, '41-limits-global-en');
  await popup.getByTestId(`site-row-${origin}`).scrollIntoViewIfNeeded();
  await shot(popup, '41-limits-site-dollars-en');

  // Raising the allowance to $1 in the screen lets the next payment through.
  await popup.getByTestId(`site-allowance-${origin}`).fill('1');
  await popup.getByTestId(`site-save-${origin}`).click();
  await expect(bar).toHaveAttribute('data-total-sat', '1000000');
  expect(await pay(page, 50)).toEqual({ ok: true });

  // A site's pay-in choice, and the global cap in dollars with the slippage, saved from the screen.
  await popup.getByTestId(`site-pay-in-${origin}`).selectOption('btc');
  await expect.poll(async () => (await site()) as unknown as { payIn?: string }).toMatchObject({ payIn: 'btc' });
  await popup.getByTestId('limit-daily-cap-unit').selectOption('usd');
  await popup.getByTestId('limit-daily-cap').fill('20');
  await popup.getByTestId('limit-slippage').fill('2');
  await popup.getByTestId('limits-save-global').click();
  await expect(popup.getByTestId('limits-saved')).toBeVisible();
  const { global } = await uiCall<{ global: { dailyCap: Amount; maxSlippagePpm: number } }>(popup, { type: 'limits.get' });
  expect(global).toMatchObject({ dailyCap: { microUsd: 20_000_000 }, maxSlippagePpm: 20_000 });
  await expect(popup.getByTestId('limit-today')).toContainText('$20.00');
  await shot(popup, '42-limits-global-dollars-en');

  for (const lang of ['fr', 'de', 'zh_TW']) {
    await popup.getByTestId('back').click();
    await popup.getByTestId('settings-button').click();
    await popup.getByTestId('language-select').selectOption(lang);
    await popup.getByTestId('back').click();
    await popup.getByTestId('limits-button').click();
    await expect(bar).toHaveAttribute('data-unit', 'usd');
    await shot(popup, `43-limits-global-${lang}`);
    await popup.getByTestId(`site-row-${origin}`).scrollIntoViewIfNeeded();
    await shot(popup, `43-limits-site-dollars-${lang}`);
  }
});
