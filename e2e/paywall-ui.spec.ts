import type { Page, Worker } from '@playwright/test';
import { expect, test } from './devnet-fixtures.ts';
import { answer, nextPrompt } from './prompt.ts';
import { uiCall } from './wallet.ts';

/**
 * The person's side of 402 walls, in Chromium with the built extension: the
 * Limits switches (global and per site) persist; the first wall of a site
 * asks with the payment-wall wording; what was bought shows on the Paid access
 * screen, and revoking it there takes the browser's header rule away (the next
 * request meets the wall again).
 */
type L402 = { autoPay: boolean; overBudget: 'ask' | 'show402' };
type Limits = { global: { l402: L402 }; sites: Array<{ origin: string; l402AutoPay: boolean }> };
type Item = { id: string; server: string; paths: string[]; scheme: string; paidBy: string; reusable: boolean };

async function openLimits(popup: Page): Promise<void> {
  await popup.reload();
  await popup.getByTestId('limits-button').click();
  await expect(popup.getByTestId('limits-paywall')).toBeVisible();
}

async function sessionRules(sw: Worker): Promise<string[]> {
  return sw.evaluate(async () => {
    const dnr = (globalThis as unknown as { chrome: { declarativeNetRequest: { getSessionRules(): Promise<Array<{ condition: { regexFilter?: string } }>> } } }).chrome
      .declarativeNetRequest;
    return (await dnr.getSessionRules()).map((r) => r.condition.regexFilter ?? '');
  });
}

async function l402Issued(base: string): Promise<number> {
  return ((await (await fetch(`${base}/paywall/stats`)).json()) as { l402: { invoicesIssued: number } }).l402.invoicesIssued;
}

test('Limits: the 402 switches and the above-the-limits choice persist, globally and per site', async ({ walletReady: popup, sites, shot }) => {
  const origin = sites.url;
  await uiCall(popup, { type: 'limits.updateSite', origin, patch: { enabled: true, remember: true, allowance: { sat: 500 } } });
  await openLimits(popup);

  const autoPay = popup.getByTestId('limit-l402-auto-pay');
  const overBudget = popup.getByTestId('limit-l402-over-budget');
  const site = popup.getByTestId(`site-l402-${origin}`);
  // Defaults: walls paid, above the limits ask; a site enabled through WebLN doesn't pay walls until switched on.
  await expect(autoPay).toBeChecked();
  await expect(overBudget).toHaveValue('ask');
  await expect(site).not.toBeChecked();

  await overBudget.selectOption('show402');
  await expect(overBudget).toHaveValue('show402');
  await site.click();
  await expect(site).toBeChecked();
  await popup.getByTestId('limits-paywall').scrollIntoViewIfNeeded();
  await shot(popup, '50-limits-402');
  await autoPay.click();
  await expect(autoPay).not.toBeChecked();
  // Nothing is paid with the switch off, so the choice above the limits has nothing to decide.
  await expect(overBudget).toBeDisabled();

  await openLimits(popup);
  await expect(autoPay).not.toBeChecked();
  await expect(overBudget).toHaveValue('show402');
  await expect(site).toBeChecked();
  const stored = await uiCall<Limits>(popup, { type: 'limits.get' });
  expect(stored.global.l402).toEqual({ autoPay: false, overBudget: 'show402' });
  expect(stored.sites.find((s) => s.origin === origin)?.l402AutoPay).toBe(true);

  await autoPay.click();
  await overBudget.selectOption('ask');
  await site.click();
  await expect(site).not.toBeChecked();
  await openLimits(popup);
  await expect(autoPay).toBeChecked();
  await expect(overBudget).toHaveValue('ask');
  await expect(site).not.toBeChecked();
  expect((await uiCall<Limits>(popup, { type: 'limits.get' })).global.l402).toEqual({ autoPay: true, overBudget: 'ask' });

  // German words are the longest: the card still reads.
  await uiCall(popup, { type: 'settings.update', patch: { language: 'de' } });
  await openLimits(popup);
  await expect(popup.getByTestId('limits-paywall')).toContainText('402-Bezahlschranken automatisch bezahlen');
  await popup.getByTestId('limits-paywall').scrollIntoViewIfNeeded();
  await shot(popup, '57-limits-402-de');
  await uiCall(popup, { type: 'settings.update', patch: { language: 'en' } });

  // The options page shows the same limits side by side.
  const options = await popup.context().newPage();
  await options.setViewportSize({ width: 1100, height: 900 });
  await options.goto(popup.url().replace('extension/popup/index.html', 'extension/options/index.html'));
  await options.getByTestId('limits-button').click();
  await expect(options.getByTestId('limits-paywall')).toBeVisible();
  await shot(options, '51-limits-402-options');
  await options.close();
});

test('Paid access: empty; a payment wall asks to connect in its own words; what it bought is listed; revoking one or all takes its header away', async ({
  context,
  walletReady: popup,
  sw,
  sites,
  shot,
}) => {
  const origin = sites.url;
  await openLimits(popup);
  await popup.getByTestId('paid-access-button').click();
  await expect(popup.getByTestId('paid-empty')).toBeVisible();
  await shot(popup, '52-paid-access-empty');
  // Back goes the way it came: Paid access → Limits → Home.
  await popup.getByTestId('back').click();
  await expect(popup.getByTestId('limits-screen')).toBeVisible();
  await popup.getByTestId('back').click();
  await expect(popup.getByTestId('home')).toBeVisible();

  // The demo page's walls: the site was never enabled, so its first wall asks, saying why.
  const page = await context.newPage();
  await page.setViewportSize({ width: 900, height: 1500 });
  await page.goto(`${origin}/paywall.html`);
  const prompt = await nextPrompt(context);
  await expect(prompt.getByTestId('prompt-paywall-text')).toContainText('behind a payment wall');
  await expect(prompt.locator('.bar-title')).toHaveText('Pay this site’s 402 wall?');
  await prompt.getByTestId('prompt-allowance').fill('1000');
  await shot(prompt, '53-prompt-enable-paywall');
  await answer(prompt, 'prompt-approve');
  await expect(page.locator('#data-status')).toHaveAttribute('data-status', '200');
  await expect(page.locator('#frame-status')).toHaveAttribute('data-status', '200');

  // The L402 tokens stay (one per service); one-shot Payment and x402 proofs are gone once used.
  await expect.poll(async () => (await uiCall<{ credentials: Item[] }>(popup, { type: 'paywall.list' })).credentials.filter((c) => c.reusable).length).toBe(2);
  const held = (await uiCall<{ credentials: Item[] }>(popup, { type: 'paywall.list' })).credentials;
  expect(JSON.stringify(held)).not.toMatch(/L402 |macaroon|header/i);
  expect(held.every((c) => c.paidBy === origin && c.server === origin)).toBe(true);
  const data = held.find((c) => c.paths.includes('/paywall/l402/data.json'))!;
  expect(data.scheme).toBe('l402');

  await openLimits(popup);
  await expect(popup.getByTestId(`site-l402-${origin}`)).toBeChecked();
  await popup.getByTestId('paid-access-button').click();
  const card = popup.getByTestId(`paid-site-${origin}`);
  await expect(card.getByTestId('paid-item')).toHaveCount(held.length);
  await expect(card.locator(`[data-id="${data.id}"]`).getByTestId('paid-scheme')).toHaveText('L402');
  await expect(card.locator(`[data-id="${data.id}"]`).getByTestId('paid-server')).toHaveText(new URL(origin).host);
  await shot(popup, '54-paid-access-items');
  await popup.getByTestId(`paid-revoke-all-${origin}`).scrollIntoViewIfNeeded();
  await shot(popup, '54-paid-access-items-end');
  await uiCall(popup, { type: 'settings.update', patch: { language: 'fr' } });
  await openLimits(popup);
  await popup.getByTestId('paid-access-button').click();
  await expect(card.getByTestId('paid-item').first()).toContainText('Acheté');
  await shot(popup, '58-paid-access-fr');
  await uiCall(popup, { type: 'settings.update', patch: { language: 'en' } });
  await openLimits(popup);
  await popup.getByTestId('paid-access-button').click();

  // Revoke the data token: listed no more, its header rule goes, and the next fetch meets the wall (a new challenge).
  const dataRule = (rules: string[]) => rules.some((r) => r.includes('data\\.json'));
  expect(dataRule(await sessionRules(sw))).toBe(true);
  await popup.getByTestId(`paid-revoke-${data.id}`).click();
  await shot(popup, '55-paid-access-revoke-confirm');
  await popup.getByTestId(`paid-revoke-${data.id}-confirm`).click();
  await expect(card.locator(`[data-id="${data.id}"]`)).toHaveCount(0);
  await expect.poll(async () => dataRule(await sessionRules(sw))).toBe(false);
  const issued = await l402Issued(origin);
  await uiCall(popup, { type: 'limits.updateGlobal', patch: { l402: { autoPay: false, overBudget: 'ask' } } });
  const status = await page.evaluate(async () => (await fetch('/paywall/l402/data.json')).status);
  expect(status).toBe(402);
  expect(await l402Issued(origin)).toBe(issued + 1);

  // Revoke all the site paid for: the empty state again, no rule of ours left.
  await popup.getByTestId(`paid-revoke-all-${origin}`).click();
  await popup.getByTestId(`paid-revoke-all-${origin}-confirm`).click();
  await expect(popup.getByTestId('paid-empty')).toBeVisible();
  await expect.poll(async () => (await sessionRules(sw)).length).toBe(0);

  // The wall payments read as such in the activity list.
  await popup.getByTestId('back').click();
  await popup.getByTestId('back').click();
  await popup.getByTestId('activity-button').click();
  const walls = popup.locator('[data-testid="activity-row"][data-source="l402"]');
  await expect(walls.first()).toBeVisible();
  await expect(walls.first().locator('.activity-kind')).toHaveText('402 wall');
  await shot(popup, '56-activity-402');
});
