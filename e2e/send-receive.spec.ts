import type { Page } from '@playwright/test';
import { expect, test } from './devnet-fixtures.ts';
import { answer, nextPrompt } from './prompt.ts';
import { createWallet, uiCall } from './wallet.ts';

type Entry = { kind: string; source: string; status: string; amountSat: number; direction: string; paymentHash: string; rail: string };
const LANGS = ['en', 'de', 'fr', 'zh_TW'] as const;

const entries = async (popup: Page) => (await uiCall<{ entries: Entry[] }>(popup, { type: 'activity.list' })).entries;

async function openSend(popup: Page, text: string): Promise<void> {
  await popup.getByTestId('open-send').click();
  await popup.getByTestId('send-input').fill(text);
  await popup.getByTestId('send-continue').click();
}

async function inLanguage(popup: Page, lang: string): Promise<void> {
  await uiCall(popup, { type: 'settings.update', patch: { language: lang } });
  await popup.reload();
  await expect(popup.getByTestId('home')).toBeVisible();
}

test('send: an invoice from another devnet node is shown, paid, SETTLED on the payee, and in Activity', async ({ walletReady: popup, devnet, shot }) => {
  const inv = await devnet.control.createInvoice('carol', { amountSat: 1_234, memo: 'Tea at Carol’s' });
  await openSend(popup, `lightning:${inv.paymentRequest}`);
  await expect(popup.getByTestId('send-confirm')).toHaveAttribute('data-kind', 'invoice');
  await expect(popup.getByTestId('send-amount')).toHaveText('1,234 sat');
  await expect(popup.getByTestId('send-description')).toHaveText('Tea at Carol’s');
  await expect(popup.getByTestId('send-payee')).toHaveText(devnet.nodes.carol.pubkey);
  await shot(popup, '60-send-invoice-en');
  await popup.getByTestId('send-pay').click();
  await expect(popup.getByTestId('send-result')).toHaveAttribute('data-status', 'SUCCEEDED');
  await shot(popup, '61-send-paid-en');
  expect((await devnet.control.lookupInvoice('carol', inv.paymentHash)).state).toBe('SETTLED');
  expect((await entries(popup)).find((e) => e.paymentHash === inv.paymentHash)).toMatchObject({ kind: 'payment', source: 'popup', status: 'succeeded', amountSat: 1_234, direction: 'out' });
  await popup.getByTestId('send-activity').click();
  await expect(popup.getByTestId('activity-screen')).toContainText('1,234');
});

test('send: a lightning address and an LNURL-pay of the demo service, amount and comment chosen, success message shown', async ({ walletReady: popup, sites, devnet, shot }) => {
  const host = new URL(sites.url).host;
  await openSend(popup, `tips@${host}`);
  await expect(popup.getByTestId('send-confirm')).toHaveAttribute('data-kind', 'lnurlPay');
  await expect(popup.getByTestId('send-payee')).toHaveText(`tips@${host}`);
  await expect(popup.getByTestId('send-range')).toContainText('100,000 sat');
  // Outside the service's range: pay waits.
  await popup.getByTestId('send-amount-input').fill('0');
  await expect(popup.getByTestId('send-pay')).toBeDisabled();
  await popup.getByTestId('send-amount-input').fill('210');
  await popup.getByTestId('send-comment').fill('thanks for the news');
  await shot(popup, '62-send-address-en');
  await popup.getByTestId('send-pay').click();
  await expect(popup.getByTestId('send-result')).toHaveAttribute('data-status', 'SUCCEEDED');
  await expect(popup.getByTestId('send-success-action')).toHaveText('Thanks!');
  await shot(popup, '63-send-address-paid-en');
  await popup.getByTestId('send-done').click();

  const codes = await (await fetch(`${sites.url}/lnurl/codes`)).json() as { pay: string };
  await openSend(popup, codes.pay);
  await expect(popup.getByTestId('send-payee')).toHaveText('127.0.0.1');
  await popup.getByTestId('send-amount-input').fill('21');
  await shot(popup, '64-send-lnurl-en');
  await popup.getByTestId('send-pay').click();
  await expect(popup.getByTestId('send-result')).toHaveAttribute('data-status', 'SUCCEEDED');
  const popupPays = (await entries(popup)).filter((e) => e.source === 'popup' && e.kind === 'payment');
  expect(popupPays.map((e) => [e.amountSat, e.status]).sort()).toEqual([[21, 'succeeded'], [210, 'succeeded']]);
  // carol (the service's node) was paid both.
  expect((await devnet.control.balances('carol')).channels.some((c) => c.localSat > 0)).toBe(true);
});

test('send in dollars: the prompt shows the peer’s quote, then the invoice is paid from the USD asset channel (asset balance down), the payee paid in sats', async ({ walletReady: popup, context, devnet, shot }) => {
  const assetUnits = async () => (await devnet.control.balances('alice')).channels.reduce((n, c) => n + c.localAssetUnits, 0);
  const unitsBefore = await assetUnits();
  const inv = await devnet.control.createInvoice('carol', { amountSat: 500, memo: 'Paid in dollars' });
  await openSend(popup, inv.paymentRequest);
  await popup.getByTestId('send-pay-in-usd').click();
  await shot(popup, '77-send-usd-en');
  await popup.getByTestId('send-pay').click();
  // The send screen showed sats; the rate is the channel peer's, so the prompt shows it before paying.
  const prompt = await nextPrompt(context);
  await expect(prompt.getByTestId('prompt-pay-in-switch')).toBeVisible();
  // The person's own payment: no website card (nor its "not secure" warning) for the wallet itself.
  await expect(prompt.getByTestId('prompt-origin-own')).toBeVisible();
  await expect(prompt.getByTestId('prompt-origin')).toHaveCount(0);
  await shot(prompt, '78-send-usd-prompt-en');
  await answer(prompt, 'prompt-approve');
  await expect(popup.getByTestId('send-result')).toHaveAttribute('data-status', 'SUCCEEDED');
  expect((await devnet.control.lookupInvoice('carol', inv.paymentHash)).state).toBe('SETTLED');
  expect((await entries(popup)).find((e) => e.paymentHash === inv.paymentHash)).toMatchObject({ source: 'popup', rail: 'asset', status: 'succeeded', amountSat: 500 });
  // 500 sat at the devnet's rate (one unit per msat) plus routing fees, out of alice's USD channel.
  expect(unitsBefore - (await assetUnits())).toBeGreaterThanOrEqual(500_000);
});

test('send: what is not a Lightning code is refused with its reason, nothing paid', async ({ walletReady: popup, shot }) => {
  await openSend(popup, 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4');
  await expect(popup.getByTestId('send-error')).toContainText('On-chain payments are not supported');
  await shot(popup, '65-send-onchain-en');
  await popup.getByTestId('send-input').fill('hello');
  await popup.getByTestId('send-continue').click();
  await expect(popup.getByTestId('send-error')).toContainText('isn’t a Lightning invoice');
  expect(await entries(popup)).toEqual([]);
});

test('receive: an invoice with a QR code; another devnet node pays it → the screen shows paid, the ledger has it', async ({ walletReady: popup, devnet, shot }) => {
  await popup.getByTestId('open-receive').click();
  await popup.getByTestId('receive-amount').fill('2100');
  await popup.getByTestId('receive-note').fill('Pizza night');
  await popup.getByTestId('receive-create').click();
  await expect(popup.getByTestId('receive-qr')).toBeVisible();
  await expect(popup.getByTestId('receive-waiting')).toBeVisible();
  const pr = (await popup.getByTestId('receive-invoice-text').innerText()).trim();
  await shot(popup, '66-receive-qr-en');
  const paid = await devnet.control.payInvoice('carol', pr);
  expect(paid.status).toBe('SUCCEEDED');
  await expect(popup.getByTestId('receive-invoice')).toHaveAttribute('data-state', 'SETTLED');
  await expect(popup.getByTestId('receive-paid')).toBeVisible();
  await shot(popup, '67-receive-paid-en');
  expect((await entries(popup)).find((e) => e.kind === 'invoice')).toMatchObject({ source: 'popup', status: 'succeeded', amountSat: 2_100, direction: 'in', rail: 'btc' });
});

test('receive in dollars: an asset invoice over the USD channel, paid by another devnet node → paid', async ({ walletReady: popup, devnet, shot }) => {
  await popup.getByTestId('open-receive').click();
  await popup.getByTestId('receive-unit-usd').click();
  await popup.getByTestId('receive-amount').fill('1.50');
  await popup.getByTestId('receive-create').click();
  await expect(popup.getByTestId('receive-invoice-amount')).toHaveText('$1.50');
  const pr = (await popup.getByTestId('receive-invoice-text').innerText()).trim();
  await shot(popup, '68-receive-usd-en');
  const paid = await devnet.control.payInvoice('carol', pr);
  expect(paid.status).toBe('SUCCEEDED');
  await expect(popup.getByTestId('receive-paid')).toBeVisible();
  expect((await entries(popup)).find((e) => e.kind === 'invoice')).toMatchObject({ status: 'succeeded', rail: 'asset', direction: 'in' });
});

test('tapd added after connecting without it: checked, then the asset balances show', async ({ openExtensionPage, devnet, shot }) => {
  const popup = await openExtensionPage();
  await createWallet(popup);
  const alice = devnet.nodes.alice;
  // As after an lndconnect link: lnd only.
  await uiCall(popup, { type: 'node.connect', connection: { restUrl: alice.lndRestUrl, macaroon: alice.adminMacaroonHex, expectedNetwork: 'regtest' } });
  await popup.reload();
  await popup.getByTestId('settings-button').click();
  await popup.getByTestId('add-tapd').click();
  // Another node's tapd is refused: it would show someone else's assets.
  await popup.getByTestId('tapd-url').fill(devnet.nodes.bob.tapdRestUrl);
  await popup.getByTestId('tapd-macaroon').fill(devnet.nodes.bob.tapdMacaroonHex);
  await popup.getByTestId('add-tapd-submit').click();
  await expect(popup.getByTestId('add-tapd-error')).toBeVisible();
  await shot(popup, '69-tapd-refused-en');
  for (const lang of LANGS) {
    await inLanguage(popup, lang);
    await popup.getByTestId('settings-button').click();
    await popup.getByTestId('add-tapd').click();
    await popup.getByTestId('tapd-url').fill(alice.tapdRestUrl);
    await popup.getByTestId('tapd-macaroon').fill(alice.tapdMacaroonHex);
    await shot(popup, `70-tapd-form-${lang}`);
  }
  await inLanguage(popup, 'en');
  await popup.getByTestId('settings-button').click();
  await popup.getByTestId('add-tapd').click();
  await popup.getByTestId('tapd-url').fill(alice.tapdRestUrl);
  await popup.getByTestId('tapd-macaroon').fill(alice.tapdMacaroonHex);
  await popup.getByTestId('add-tapd-submit').click();
  await expect(popup.getByTestId('settings-tapd')).not.toHaveText(/missing|not/i);
  await popup.getByTestId('back').click();
  await expect(popup.getByTestId('balance-asset-USDT')).toBeVisible();
});

test('screenshots in every language: send (invoice, address, result), receive (QR, paid), the tapd form', async ({ walletReady: popup, devnet, sites, shot }) => {
  test.setTimeout(120_000);
  const host = new URL(sites.url).host;
  for (const lang of LANGS) {
    await inLanguage(popup, lang);
    const inv = await devnet.control.createInvoice('carol', { amountSat: 321, memo: 'Café' });
    await openSend(popup, inv.paymentRequest);
    await expect(popup.getByTestId('send-confirm')).toBeVisible();
    await shot(popup, `71-send-invoice-${lang}`);
    await popup.getByTestId('send-pay').click();
    await expect(popup.getByTestId('send-result')).toHaveAttribute('data-status', 'SUCCEEDED');
    await shot(popup, `72-send-paid-${lang}`);
    await popup.getByTestId('send-done').click();
    await openSend(popup, `tips@${host}`);
    await popup.getByTestId('send-amount-input').fill('1234');
    await shot(popup, `73-send-address-${lang}`);
    await popup.getByTestId('back').click();
    await popup.getByTestId('back').click();
    await popup.getByTestId('open-receive').click();
    await popup.getByTestId('receive-amount').fill('1500');
    await popup.getByTestId('receive-note').fill('Café');
    await shot(popup, `74-receive-form-${lang}`);
    await popup.getByTestId('receive-create').click();
    const pr = (await popup.getByTestId('receive-invoice-text').innerText()).trim();
    await shot(popup, `75-receive-qr-${lang}`);
    await devnet.control.payInvoice('carol', pr);
    await expect(popup.getByTestId('receive-paid')).toBeVisible();
    await shot(popup, `76-receive-paid-${lang}`);
    await popup.getByTestId('back').click();
  }
});
