/**
 * Payment links on a page (demo-sites/public/links.html), clicked for real: Playwright's clicks are
 * trusted input, as a person's are. The page never calls webln.enable(); the click is what opens
 * the prompt. A click made by the page's own script opens nothing.
 */
import type { BrowserContext, Page } from '@playwright/test';
import type { Devnet } from '../devnet/index.ts';
import { expect, test } from './devnet-fixtures.ts';
import { answer, nextPrompt } from './prompt.ts';
import { inFrameOfAnotherSite, uiCall } from './wallet.ts';

type Entry = { kind: string; status: string; amountSat: number; direction: string; source: string; origin: string; paymentHash: string };
const LANGS = ['en', 'de', 'fr', 'zh_TW'] as const;

async function openLinks(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${url}/links.html`);
  await expect(page.locator('body[data-ready="true"]')).toBeAttached();
  return page;
}

const activity = async (popup: Page) => (await uiCall<{ entries: Entry[] }>(popup, { type: 'activity.list' })).entries;
const aliceLocalSat = async (devnet: Devnet) => (await devnet.control.balances('alice')).channels.reduce((n, c) => n + c.localSat, 0);
const isPrompt = (p: Page) => p.url().includes('/extension/prompt/');

test('a lightning: invoice link clicked → the payment prompt → paid (carol’s invoice settled), no enable needed', async ({ context, walletReady: popup, sites, devnet, shot }) => {
  const page = await openLinks(context, sites.url);
  const invoice = await page.evaluate(() => (window as unknown as { invoice: { paymentHash: string } }).invoice);
  await page.click('#link-invoice');
  const prompt = await nextPrompt(context);
  await expect(prompt.getByTestId('prompt-method')).toHaveAttribute('data-method', 'link');
  await expect(prompt.getByTestId('prompt-amount')).toHaveAttribute('data-amount-sat', '120');
  await expect(prompt.getByTestId('prompt-origin')).toContainText('127.0.0.1');
  await shot(prompt, '60-link-payment');
  await answer(prompt, 'prompt-approve');

  await expect.poll(async () => (await devnet.control.lookupInvoice('carol', invoice.paymentHash)).state).toBe('SETTLED');
  await expect.poll(async () => (await activity(popup)).find((e) => e.paymentHash === invoice.paymentHash)).toMatchObject({ source: 'link', status: 'succeeded', amountSat: 120, origin: sites.url });
  // The click was no enable: the site still may not use WebLN.
  expect(await uiCall<{ sites: Array<{ origin: string; enabled: boolean }> }>(popup, { type: 'limits.get' }).then((l) => l.sites.find((s) => s.origin === sites.url)?.enabled ?? false)).toBe(false);
});

test('an lnurlw:// reward link: claimed in one click, in Activity, the balance up; with auto-claim on, no prompt at all', async ({ context, walletReady: popup, sites, devnet, shot }) => {
  const page = await openLinks(context, sites.url);
  const before = await aliceLocalSat(devnet);
  await page.click('#link-reward');
  const prompt = await nextPrompt(context);
  await expect(prompt.locator('[data-kind="lnurlWithdraw"]')).toBeVisible();
  await expect(prompt.getByTestId('prompt-lnurl-amount')).toHaveValue('500');
  await shot(prompt, '61-link-reward');
  await answer(prompt, 'prompt-approve');
  await expect.poll(async () => (await activity(popup)).filter((e) => e.kind === 'reward' && e.status === 'succeeded').length).toBe(1);
  await expect.poll(() => aliceLocalSat(devnet)).toBe(before + 500);

  // The Activity screen shows it.
  await popup.getByTestId('activity-button').click();
  await expect(popup.locator('[data-testid="activity-row"][data-kind="reward"][data-status="succeeded"]')).toHaveCount(1);
  await shot(popup, '62-link-reward-activity');

  // Reward auto-claim for this site: the next reward link claims without a window.
  await uiCall(popup, { type: 'limits.updateSite', origin: sites.url, patch: { rewardAutoClaim: true } });
  const opened: Page[] = [];
  context.on('page', (p) => opened.push(p));
  await page.click('#link-reward-fallback');
  await expect.poll(async () => (await activity(popup)).filter((e) => e.kind === 'reward' && e.status === 'succeeded').length).toBe(2);
  await expect.poll(() => aliceLocalSat(devnet)).toBe(before + 1000);
  expect(opened.filter(isPrompt)).toEqual([]);
  // The page stayed where it was: the fallback link's web address was not followed.
  expect(new URL(page.url()).search).toBe('');
});

test('clicks made by the page’s script open nothing and pay nothing; the person’s next click opens exactly one prompt', async ({ context, walletReady: popup, sites, devnet }) => {
  const page = await openLinks(context, sites.url);
  const invoice = await page.evaluate(() => (window as unknown as { invoice: { paymentHash: string } }).invoice);
  const seen: Page[] = [];
  context.on('page', (p) => seen.push(p));
  await page.click('#scripted');
  await expect.poll(() => page.evaluate(() => (window as unknown as { lastResult?: { label: string } }).lastResult?.label)).toBe('scripted');

  // A barrier: had any scripted click reached the worker, its prompt would be open now and this tab's
  // next link refused (one at a time), so the prompt would not be this pay request.
  await page.click('#link-pay');
  const prompt = await nextPrompt(context);
  await expect(prompt.locator('[data-kind="lnurlPay"]')).toBeVisible();
  await answer(prompt, 'prompt-reject');
  expect(seen.filter(isPrompt)).toHaveLength(1);

  expect(await activity(popup)).toEqual([]);
  expect((await devnet.control.lookupInvoice('carol', invoice.paymentHash)).state).toBe('OPEN');
});

test('links in a frame of another site: each prompt names the page the frame sits in', async ({ context, walletReady, sites, shot }) => {
  void walletReady;
  // The demo site as an ad inside a page of another origin.
  const { page, top } = await inFrameOfAnotherSite(context, sites.url, '/links.html');
  const frame = page.frameLocator('iframe');
  await expect(frame.locator('body[data-ready="true"]')).toBeAttached();
  // Declined each time: three "no"s in a row are as many as a site gets before it goes quiet.
  for (const [link, kind, name, words] of [
    ['#link-pay', 'lnurlPay', 'pay', 'Make sure you meant to pay here'],
    ['#link-login', 'lnurlAuth', 'login', `not from ${new URL(top).host} itself`],
    ['#link-invoice', 'payment', 'payment', 'Make sure you meant to pay here'],
  ] as const) {
    await frame.locator(link).click();
    const prompt = await nextPrompt(context);
    await expect(prompt.locator(`[data-kind="${kind}"]`)).toBeVisible();
    await expect(prompt.getByTestId('prompt-origin')).toContainText('127.0.0.1');
    await expect(prompt.getByTestId('prompt-embedded')).toContainText(`inside ${new URL(top).host}`);
    await expect(prompt.getByTestId('prompt-embedded')).toContainText(words);
    await shot(prompt, `64-link-${name}-embedded`);
    await answer(prompt, 'prompt-reject');
  }
});

test('the prompts links open, in en, de, fr and zh_TW', async ({ context, walletReady: popup, sites, shot }) => {
  const open = async (page: Page, link: string, kind: string) => {
    await page.click(link);
    const prompt = await nextPrompt(context);
    await expect(prompt.locator(`[data-kind="${kind}"]`)).toBeVisible();
    return prompt;
  };
  for (const lang of LANGS) {
    await uiCall(popup, { type: 'settings.update', patch: { language: lang } });
    const page = await openLinks(context, sites.url);
    // Declined and approved in turn: three "no"s in a row would quiet the site for a minute (background/approvals.ts).
    for (const [link, kind, name, reply] of [
      ['#link-invoice', 'payment', 'payment', 'prompt-reject'],
      ['#link-reward', 'lnurlWithdraw', 'reward', 'prompt-approve'],
      ['#link-address', 'lnurlPay', 'address', 'prompt-reject'],
      ['#link-login', 'lnurlAuth', 'login', 'prompt-approve'],
    ] as const) {
      const prompt = await open(page, link, kind);
      await expect(prompt.locator('html')).toHaveAttribute('lang', lang.replace('_', '-'));
      await shot(prompt, `63-link-${name}-${lang}`);
      await answer(prompt, reply);
      // A tab's link is open until its flow is over: wait for what the approved ones do.
      if (name === 'reward') await expect.poll(async () => (await activity(popup)).filter((e) => e.kind === 'reward' && e.status === 'succeeded').length).toBe(LANGS.indexOf(lang) + 1);
      if (name === 'login') await expect(page.locator('#login-status')).toContainText('Logged in');
    }
    await page.close();
  }
  await uiCall(popup, { type: 'settings.update', patch: { language: 'en' } });
});
