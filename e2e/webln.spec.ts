import { createHash } from 'node:crypto';
import type { Page } from '@playwright/test';
import { killServiceWorker } from './fixtures.ts';
import { expect, test } from './devnet-fixtures.ts';
import { answer, approveEnable, clearResult, lastResult, nextPrompt } from './prompt.ts';
import { inFrameOfAnotherSite, PASSWORD, uiCall } from './wallet.ts';

type PayResult = { preimage: string; paymentHash: string; error?: string; code?: string };
type Limits = { sites: Array<{ origin: string; spentSat: number; heldSat: number }> };
type Entry = { origin: string; kind: string; status: string; amountSat: number; paymentHash: string };

const sha256hex = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');

async function invoiceFrom(page: Page, amount: number): Promise<string> {
  return page.evaluate(async (a) => (await (await fetch(`/api/invoice?amount=${a}&memo=test`)).json()).paymentRequest as string, amount);
}

test('window.webln exists before the first inline script; nothing of the channel leaks to the page', async ({ context, sites }) => {
  const page = await context.newPage();
  await page.goto(`${sites.url}/webln-direct.html`);
  expect(await page.evaluate(() => (window as unknown as { providerAtFirstScript: string }).providerAtFirstScript)).toBe('object');
  const surface = await page.evaluate(() => ({
    frozen: Object.isFrozen(window.webln),
    keys: Object.keys(window.webln as object).sort(),
    leaked: Object.getOwnPropertyNames(window).filter((k) => /satnav/i.test(k)),
  }));
  expect(surface.frozen).toBe(true);
  expect(surface.keys).toEqual(expect.arrayContaining(['enable', 'sendPayment', 'makeInvoice', 'keysend', 'signMessage', 'getInfo']));
  expect(surface.leaked).toEqual([]);
});

test('requestProvider(): enable, auto-pay within budget, prompt above it (reject, then approve)', async ({ context, walletReady: popup, sites, shot }) => {
  const page = await context.newPage();
  await page.goto(`${sites.url}/webln-client.html`);
  await page.getByRole('button', { name: 'Connect wallet' }).click();
  await approveEnable(context, 1000, shot);
  expect(await lastResult(page, 'enable')).toEqual({ enabled: true });

  // 100 sat: within the allowance and the 1,000 sat auto-approve ceiling: no prompt.
  await page.locator('#amount').fill('100');
  await page.getByRole('button', { name: 'Buy book' }).click();
  const paid = await lastResult<PayResult>(page, 'buy');
  expect(paid.preimage).toMatch(/^[0-9a-f]{64}$/);
  expect(sha256hex(paid.preimage)).toBe(paid.paymentHash);
  expect(context.pages().some((p) => p.url().includes('/extension/prompt/'))).toBe(false);

  // 2,000 sat: above the ceiling: the prompt shows the real origin and amount.
  await clearResult(page);
  await page.locator('#amount').fill('2000');
  await page.getByRole('button', { name: 'Buy book' }).click();
  let prompt = await nextPrompt(context);
  await expect(prompt.getByTestId('prompt-origin')).toContainText('127.0.0.1');
  await expect(prompt.getByTestId('prompt-amount')).toContainText('2,000');
  await shot(prompt, '21-prompt-payment');
  await answer(prompt, 'prompt-reject');
  const rejected = await lastResult<{ error: string; code: string }>(page, 'buy');
  expect(rejected.error).toBe('RejectionError');

  await clearResult(page);
  await page.getByRole('button', { name: 'Buy book' }).click();
  prompt = await nextPrompt(context);
  await answer(prompt, 'prompt-approve');
  const approved = await lastResult<PayResult>(page, 'buy');
  expect(sha256hex(approved.preimage)).toBe(approved.paymentHash);

  // The activity list has both payments, the rejected one never reached the ledger.
  const { entries } = await uiCall<{ entries: Entry[] }>(popup, { type: 'activity.list' });
  expect(entries.filter((e) => e.status === 'succeeded').map((e) => e.amountSat).sort()).toEqual([100, 2000]);
  await popup.reload();
  await popup.getByTestId('activity-button').click();
  await expect(popup.getByTestId('activity-row')).toHaveCount(2);
  await shot(popup, '22-activity');
  await popup.getByTestId('back').click();
  await popup.getByTestId('limits-button').click();
  await expect(popup.getByTestId('limits-screen')).toBeVisible();
  await shot(popup, '23-limits');
});

test('window.webln directly: makeInvoice paid by a merchant, keysend, sign and verify', async ({ context, walletReady, sites, devnet }) => {
  void walletReady;
  const page = await context.newPage();
  await page.goto(`${sites.url}/webln-direct.html`);
  await page.getByRole('button', { name: 'Connect wallet' }).click();
  await approveEnable(context);
  await lastResult(page, 'enable');

  await page.getByRole('button', { name: 'Get a 50 sat refund' }).click();
  const refund = await lastResult<{ invoice: { paymentRequest: string; paymentHash: string }; merchantPaid: string }>(page, 'receive');
  expect(refund.merchantPaid).toBe('SUCCEEDED');
  expect((await devnet.control.lookupInvoice('alice', refund.invoice.paymentHash)).state).toBe('SETTLED');

  await page.getByRole('button', { name: 'Tip 21 sat (keysend)' }).click();
  const tip = await lastResult<PayResult>(page, 'keysend');
  expect(sha256hex(tip.preimage)).toBe(tip.paymentHash);
  const carolInvoice = await devnet.control.lookupInvoice('carol', tip.paymentHash);
  expect(carolInvoice.isKeysend).toBe(true);
  expect(carolInvoice.amtPaidSat).toBe(21);

  await page.getByRole('button', { name: 'Sign + verify' }).click();
  const prompt = await nextPrompt(context);
  await expect(prompt.getByTestId('prompt-message')).toContainText('check me');
  await answer(prompt, 'prompt-approve');
  const verified = await lastResult<{ valid: boolean; pubkey: string }>(page, 'verify');
  expect(verified).toEqual({ valid: true, pubkey: devnet.nodes.alice.pubkey });
});

test('50 concurrent sendPayment against an allowance that fits 10: exactly 10 paid, 40 refused', async ({ context, walletReady: popup, sites }) => {
  const page = await context.newPage();
  await page.goto(`${sites.url}/webln-direct.html`);
  await page.getByRole('button', { name: 'Connect wallet' }).click();
  // Each 90 sat payment holds 90 + 10 sat max routing fee: 1,000 fits exactly 10.
  await approveEnable(context, 1000);
  await lastResult(page, 'enable');
  const invoices = await Promise.all(Array.from({ length: 50 }, () => invoiceFrom(page, 90)));
  const outcomes = await page.evaluate(async (prs) => {
    const settled = await Promise.allSettled(prs.map((pr) => window.webln!.sendPayment(pr)));
    return settled.map((s) => (s.status === 'fulfilled' ? { ok: true } : { ok: false, name: (s.reason as Error).name, code: (s.reason as { code?: string }).code }));
  }, invoices);
  expect(outcomes.filter((o) => o.ok)).toHaveLength(10);
  const refused = outcomes.filter((o) => !o.ok);
  expect(refused).toHaveLength(40);
  for (const r of refused) expect(r).toEqual({ ok: false, name: 'RejectionError', code: 'BUDGET_EXCEEDED' });

  const limits = await uiCall<Limits>(popup, { type: 'limits.get' });
  const site = limits.sites.find((s) => s.origin === sites.url)!;
  expect(site.spentSat + site.heldSat).toBeLessThanOrEqual(1000);
  expect(site.spentSat).toBeGreaterThanOrEqual(900);
  const { entries } = await uiCall<{ entries: Entry[] }>(popup, { type: 'activity.list' });
  expect(entries.filter((e) => e.status === 'succeeded')).toHaveLength(10);
});

test('the worker is killed mid-payment: after restart the ledger shows the true outcome', async ({ context, walletReady: popup, sites, devnet }) => {
  const page = await context.newPage();
  await page.goto(`${sites.url}/webln-direct.html`);
  await page.getByRole('button', { name: 'Connect wallet' }).click();
  await approveEnable(context);
  await lastResult(page, 'enable');

  const hold = await page.evaluate(async () => (await (await fetch('/api/hold-invoice?amount=300')).json()) as { paymentRequest: string; paymentHash: string });
  // Not awaited: the merchant holds the HTLC, so the payment stays in flight.
  await page.evaluate((pr) => {
    void window.webln!.sendPayment(pr).catch(() => undefined);
  }, hold.paymentRequest);
  await expect.poll(async () => (await devnet.control.lookupInvoice('carol', hold.paymentHash)).state, { timeout: 15_000 }).toBe('ACCEPTED');
  const before = await uiCall<{ entries: Entry[] }>(popup, { type: 'activity.list' });
  expect(before.entries.find((e) => e.paymentHash === hold.paymentHash)?.status).toMatch(/pending|in_flight/);

  await killServiceWorker(context, popup);
  await devnet.control.settleInvoice('carol', hold.paymentHash);

  // The next message wakes a fresh worker, which reconciles with the node by payment hash.
  await expect
    .poll(async () => (await uiCall<{ entries: Entry[] }>(popup, { type: 'activity.list' })).entries.find((e) => e.paymentHash === hold.paymentHash)?.status, {
      timeout: 20_000,
    })
    .toBe('succeeded');
  const limits = await uiCall<Limits>(popup, { type: 'limits.get' });
  const site = limits.sites.find((s) => s.origin === sites.url)!;
  expect(site.heldSat).toBe(0);
  expect(site.spentSat).toBeGreaterThanOrEqual(300);
});

test("a second site can't use the first site's permission, and a forged origin gets nothing", async ({ context, walletReady: popup, sites }) => {
  const page = await context.newPage();
  await page.goto(`${sites.url}/webln-direct.html`);
  await page.getByRole('button', { name: 'Connect wallet' }).click();
  await approveEnable(context);
  await lastResult(page, 'enable');

  // Same server, other origin (localhost vs 127.0.0.1).
  const other = await context.newPage();
  const otherUrl = sites.url.replace('127.0.0.1', 'localhost');
  await other.goto(`${otherUrl}/webln-direct.html`);
  const pr = await invoiceFrom(other, 10);
  const attempt = await other.evaluate(async ({ pr, victim }) => {
    const errors: Array<{ name: string; code?: string }> = [];
    const w = window.webln!;
    // 1. Straight call: this origin was never enabled.
    await w.sendPayment(pr).catch((e: Error & { code?: string }) => errors.push({ name: e.name, code: e.code }));
    // 2. Claiming to be the enabled site in the message body.
    await w.request!('sendPayment' as never, { paymentRequest: pr, origin: victim }).catch((e: Error & { code?: string }) => errors.push({ name: e.name, code: e.code }));
    // 3. Talking to the bridge's channel directly, and trying to grab a port.
    const delivered = new Promise<void>((r) =>
      window.addEventListener('message', (e: MessageEvent<{ channel?: unknown } | null>) => {
        if (e.data?.channel === 'satnav/page') r();
      }),
    );
    window.postMessage({ channel: 'satnav/page', request: { method: 'sendPayment', params: { paymentRequest: pr } }, origin: victim }, '*');
    await delivered; // every window 'message' listener, the bridge's world included, has now had it
    let portsOffered = 0;
    window.addEventListener('satnav:bridge-port', () => portsOffered++, true);
    window.dispatchEvent(new Event('satnav:provider-ready')); // synchronous: a bridge still listening offers its port right here
    // A request after the forged one, through the real port: once the worker has refused it, it has
    // also seen anything the bridge could have relayed before (one content script's messages arrive in order).
    await w.sendPayment(pr).catch((e: Error & { code?: string }) => errors.push({ name: e.name, code: e.code }));
    return { errors, portsOffered };
  }, { pr, victim: sites.url });
  expect(attempt).toEqual({
    errors: [
      { name: 'RejectionError', code: 'SITE_NOT_ENABLED' },
      { name: 'RejectionError', code: 'SITE_NOT_ENABLED' },
      { name: 'RejectionError', code: 'SITE_NOT_ENABLED' },
    ],
    portsOffered: 0,
  });
  // 4. A cross-origin frame inside the enabled site speaks with its own origin.
  const framed = await page.evaluate(async (src) => {
    const frame = document.createElement('iframe');
    frame.src = src;
    document.body.append(frame);
    await new Promise((r) => frame.addEventListener('load', r, { once: true }));
    return true;
  }, `${otherUrl}/webln-direct.html`);
  expect(framed).toBe(true);
  const frame = page.frames().find((f) => f.url().startsWith(otherUrl))!;
  const frameError = await frame.evaluate(async (p) => {
    try {
      await window.webln!.sendPayment(p);
      return 'paid';
    } catch (e) {
      return (e as { code?: string }).code;
    }
  }, pr);
  expect(frameError).toBe('SITE_NOT_ENABLED');

  const { entries } = await uiCall<{ entries: Entry[] }>(popup, { type: 'activity.list' });
  expect(entries).toHaveLength(0);
  expect(context.pages().some((p) => p.url().includes('/extension/prompt/'))).toBe(false);
});

test('webln:ready fires on window and document, and accountChanged reaches the page when the node changes', async ({ context, walletReady: popup, sites }) => {
  const page = await context.newPage();
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { seen: string[] }).seen = seen;
    window.addEventListener('webln:ready', () => seen.push('window:ready'));
    document.addEventListener('webln:ready', () => seen.push('document:ready'));
    window.addEventListener('webln:enabled', () => seen.push('window:enabled'));
  });
  await page.goto(`${sites.url}/webln-direct.html`);
  await page.getByRole('button', { name: 'Connect wallet' }).click();
  await approveEnable(context);
  await lastResult(page, 'enable');
  await page.evaluate(() => {
    (window.webln as unknown as { on(e: string, f: () => void): void }).on('accountChanged', () => (window as unknown as { seen: string[] }).seen.push('accountChanged'));
  });
  // A site the person never enabled must not hear about the wallet's node.
  const stranger = await context.newPage();
  await stranger.goto(`${sites.url.replace('127.0.0.1', 'localhost')}/webln-direct.html`);
  await stranger.evaluate(() => {
    (window as unknown as { heard: number }).heard = 0;
    (window.webln as unknown as { on(e: string, f: () => void): void }).on('accountChanged', () => (window as unknown as { heard: number }).heard++);
  });
  await uiCall(popup, { type: 'node.disconnect' });
  await expect.poll(() => page.evaluate(() => (window as unknown as { seen: string[] }).seen)).toContain('accountChanged');
  expect(await stranger.evaluate(() => (window as unknown as { heard: number }).heard)).toBe(0);
  const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
  expect(seen).toEqual(expect.arrayContaining(['window:ready', 'document:ready', 'window:enabled']));
});

test('a locked wallet asks to unlock in the prompt, then the payment goes through', async ({ context, walletReady: popup, sites, shot }) => {
  const page = await context.newPage();
  await page.goto(`${sites.url}/webln-direct.html`);
  await page.getByRole('button', { name: 'Connect wallet' }).click();
  await approveEnable(context);
  await lastResult(page, 'enable');
  await uiCall(popup, { type: 'vault.lock' });

  await clearResult(page);
  await page.locator('#amount').fill('50');
  await page.getByRole('button', { name: 'Buy article' }).click();
  const prompt = await nextPrompt(context);
  await expect(prompt.getByTestId('prompt-origin')).toContainText('127.0.0.1');
  await prompt.getByTestId('prompt-unlock-password').fill('wrong password');
  await prompt.getByTestId('prompt-unlock-submit').click();
  await expect(prompt.getByTestId('form-error')).toBeVisible();
  await shot(prompt, '26-prompt-unlock-wrong');
  await prompt.getByTestId('prompt-unlock-password').fill(PASSWORD);
  await Promise.all([prompt.waitForEvent('close'), prompt.getByTestId('prompt-unlock-submit').click().catch(() => undefined)]);
  const paid = await lastResult<PayResult>(page, 'buy');
  expect(sha256hex(paid.preimage)).toBe(paid.paymentHash);
});

test('a frame of another site: the connect and unlock prompts name the page it sits in', async ({ context, walletReady: popup, sites, shot }) => {
  // The demo shop as a widget inside a page of another origin.
  const { page, top } = await inFrameOfAnotherSite(context, sites.url, '/webln-direct.html');
  const outer = new URL(top).host;
  const frame = page.frames().find((f) => f.url().startsWith(sites.url))!;

  await frame.getByRole('button', { name: 'Connect wallet' }).click();
  let prompt = await nextPrompt(context);
  await expect(prompt.locator('[data-kind="enable"]')).toBeVisible();
  await expect(prompt.getByTestId('prompt-origin')).toContainText('127.0.0.1');
  await expect(prompt.getByTestId('prompt-embedded')).toContainText(`inside ${outer}, not from ${outer} itself`);
  await shot(prompt, '27-prompt-enable-embedded');
  await answer(prompt, 'prompt-approve');
  expect(await lastResult(frame, 'enable')).toEqual({ enabled: true });
  // The grant is the frame's own origin's, not the page around it.
  const { sites: granted } = await uiCall<Limits>(popup, { type: 'limits.get' });
  expect(granted.map((s) => s.origin)).toEqual([sites.url]);

  await uiCall(popup, { type: 'vault.lock' });
  await frame.getByRole('button', { name: 'Sign', exact: true }).click();
  prompt = await nextPrompt(context);
  await expect(prompt.locator('[data-kind="unlock"]')).toBeVisible();
  await expect(prompt.getByTestId('prompt-embedded')).toContainText(`inside ${outer}, not from ${outer} itself`);
  await shot(prompt, '28-prompt-unlock-embedded');
  await answer(prompt, 'prompt-reject');
  expect(await lastResult(frame, 'sign')).toMatchObject({ error: 'RejectionError' });
});
