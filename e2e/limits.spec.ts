import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, test } from './devnet-fixtures.ts';
import { approveEnable, lastResult, payFromPage } from './prompt.ts';

const pay = (page: Page, amount: number) => payFromPage(page, amount, 'limits');

test('limits screen: pause, raise the allowance, revoke — each takes effect on the next payment; CSV export', async ({
  context,
  walletReady: popup,
  sites,
  shot,
}) => {
  const page = await context.newPage();
  await page.goto(`${sites.url}/webln-direct.html`);
  await page.getByRole('button', { name: 'Connect wallet' }).click();
  await approveEnable(context, 300);
  await lastResult(page, 'enable');
  expect(await pay(page, 200)).toEqual({ ok: true });
  // 200 + 10 fee limit left 90 of 300: a second 200 sat payment doesn't fit.
  expect(await pay(page, 200)).toEqual({ ok: false, code: 'BUDGET_EXCEEDED', name: 'RejectionError' });

  const origin = sites.url;
  await popup.reload();
  await popup.getByTestId('limits-button').click();
  const row = popup.getByTestId(`site-row-${origin}`);
  await expect(row).toBeVisible();
  const bar = popup.getByTestId(`site-budget-${origin}`);
  await expect(bar).toHaveAttribute('data-spent-sat', /^(20[0-9]|210)$/);

  await popup.getByTestId(`site-pause-${origin}`).click();
  await expect(row).toHaveAttribute('data-paused', 'true');
  expect(await pay(page, 10)).toEqual({ ok: false, code: 'SITE_PAUSED', name: 'RejectionError' });
  await popup.getByTestId(`site-pause-${origin}`).click();
  await expect(row).toHaveAttribute('data-paused', 'false');

  await popup.getByTestId(`site-allowance-${origin}`).fill('1000');
  await popup.getByTestId(`site-save-${origin}`).click();
  await expect(bar).toHaveAttribute('data-total-sat', '1000');
  await shot(popup, '24-limits-site');
  expect(await pay(page, 200)).toEqual({ ok: true });

  await popup.getByTestId(`site-revoke-${origin}`).click();
  await popup.getByTestId(`site-revoke-confirm-${origin}`).click();
  await expect(row).toHaveCount(0);
  expect(await pay(page, 10)).toEqual({ ok: false, code: 'SITE_NOT_ENABLED', name: 'RejectionError' });

  await popup.getByTestId('back').click();
  await popup.getByTestId('activity-button').click();
  await expect(popup.getByTestId('activity-row')).toHaveCount(2);
  const [download] = await Promise.all([popup.waitForEvent('download'), popup.getByTestId('activity-export').click()]);
  const csv = readFileSync((await download.path())!, 'utf8').trim().split(/\r?\n/);
  expect(csv).toHaveLength(3);
  expect(csv[0]).toMatch(/origin/i);
  expect(csv.slice(1).every((line) => line.includes(origin) && line.includes('succeeded'))).toBe(true);
});

test('the popup speaks French, German and Traditional Chinese', async ({ walletReady: popup, shot }) => {
  const expectations: Array<[string, RegExp]> = [
    ['fr', /Actualiser|Paramètres|Verrouiller/],
    ['de', /Aktualisieren|Einstellungen|Sperren/],
    ['zh_TW', /重新整理|設定|鎖定/],
  ];
  for (const [lang, text] of expectations) {
    await popup.getByTestId('settings-button').click();
    await popup.getByTestId('language-select').selectOption(lang);
    await popup.getByTestId('back').click();
    await expect(popup.getByTestId('home')).toBeVisible();
    await expect(popup.locator('body')).toContainText(text);
    await shot(popup, `25-home-${lang}`);
  }
});
