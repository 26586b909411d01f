import type { BrowserContext, Page } from '@playwright/test';
import { expect, test } from './devnet-fixtures.ts';
import { answer, approveEnable, clearResult, lastResult, nextPrompt } from './prompt.ts';
import { uiCall } from './wallet.ts';

type Entry = { kind: string; status: string; amountSat: number; direction: string };

async function openRewards(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${url}/rewards.html`);
  await page.getByRole('button', { name: 'Connect wallet' }).click();
  await approveEnable(context);
  await lastResult(page, 'enable');
  return page;
}

test('LNURL-withdraw: a reward claimed in one click lands on the node and in the activity list', async ({ context, walletReady: popup, sites, shot }) => {
  const page = await openRewards(context, sites.url);
  await page.getByRole('button', { name: 'Claim your review reward' }).click();
  const prompt = await nextPrompt(context);
  await expect(prompt.getByTestId('prompt-lnurl-domain')).toContainText('127.0.0.1');
  await expect(prompt.getByTestId('prompt-lnurl-amount')).toHaveValue('500');
  await shot(prompt, '40-prompt-lnurl-withdraw');
  await answer(prompt, 'prompt-approve');
  expect(await lastResult(page, 'reward')).toEqual({ status: 'OK' });

  await expect
    .poll(async () => (await uiCall<{ entries: Entry[] }>(popup, { type: 'activity.list' })).entries.find((e) => e.kind === 'reward'))
    .toMatchObject({ status: 'succeeded', amountSat: 500, direction: 'in' });
});

test('LNURL-withdraw with reward auto-claim on: no prompt at all', async ({ context, walletReady: popup, sites }) => {
  const page = await openRewards(context, sites.url);
  await uiCall(popup, { type: 'limits.updateSite', origin: sites.url, patch: { rewardAutoClaim: true } });
  await page.getByRole('button', { name: 'Claim your review reward' }).click();
  expect(await lastResult(page, 'reward')).toEqual({ status: 'OK' });
  expect(context.pages().some((p) => p.url().includes('/extension/prompt/'))).toBe(false);
});

test('LNURL-pay and lightning address: the person picks the amount and a comment; the success message comes back', async ({
  context,
  walletReady: popup,
  sites,
  shot,
}) => {
  const page = await openRewards(context, sites.url);
  await page.getByRole('button', { name: 'Tip the newsroom' }).click();
  let prompt = await nextPrompt(context);
  await prompt.getByTestId('prompt-lnurl-amount').fill('150');
  await prompt.getByTestId('prompt-lnurl-comment').fill('great reporting');
  await shot(prompt, '41-prompt-lnurl-pay');
  await answer(prompt, 'prompt-approve');
  const tip = await lastResult<{ status: string; preimage: string; successAction: { tag: string; message: string } }>(page, 'tip');
  expect(tip.status).toBe('OK');
  expect(tip.preimage).toMatch(/^[0-9a-f]{64}$/);
  expect(tip.successAction).toMatchObject({ tag: 'message', message: 'Thanks!' });

  // Out of range: refused in the prompt itself (Approve stays disabled), then rejected.
  await clearResult(page);
  await page.getByRole('button', { name: 'Tip tips@ (lightning address)' }).click();
  prompt = await nextPrompt(context);
  await prompt.getByTestId('prompt-lnurl-amount').fill('0');
  await expect(prompt.getByTestId('prompt-approve')).toBeDisabled();
  await prompt.getByTestId('prompt-lnurl-amount').fill('42');
  await answer(prompt, 'prompt-approve');
  expect((await lastResult<{ status: string }>(page, 'address')).status).toBe('OK');

  const { entries } = await uiCall<{ entries: Entry[] }>(popup, { type: 'activity.list' });
  expect(entries.filter((e) => e.status === 'succeeded').map((e) => e.amountSat).sort((a, b) => a - b)).toEqual([42, 150]);
});

test('LNURL-auth: log in with a key made for this domain; the same key next time', async ({ context, walletReady, sites, shot }) => {
  void walletReady;
  const page = await openRewards(context, sites.url);
  await page.getByRole('button', { name: 'Log in with Lightning' }).click();
  let prompt = await nextPrompt(context);
  await shot(prompt, '42-prompt-lnurl-auth');
  await answer(prompt, 'prompt-approve');
  const first = await lastResult<{ status: string; loggedIn: boolean; key: string }>(page, 'login');
  expect(first).toMatchObject({ status: 'OK', loggedIn: true });
  expect(first.key).toMatch(/^0[23][0-9a-f]{64}$/);

  await clearResult(page);
  await page.getByRole('button', { name: 'Log in with Lightning' }).click();
  prompt = await nextPrompt(context);
  await answer(prompt, 'prompt-approve');
  const second = await lastResult<{ key: string }>(page, 'login');
  expect(second.key).toBe(first.key);

  await clearResult(page);
  await page.getByRole('button', { name: 'Log in with Lightning' }).click();
  prompt = await nextPrompt(context);
  await answer(prompt, 'prompt-reject');
  expect(await lastResult(page, 'login')).toMatchObject({ error: 'RejectionError' });
});
