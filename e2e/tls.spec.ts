import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page, Worker } from '@playwright/test';
import type { Devnet } from '../devnet/index.ts';
import { CHROMIUM_ARGS, killServiceWorker, serviceWorkerOf } from './fixtures.ts';
import { expect, pointAtDevnet, test } from './devnet-fixtures.ts';
import { approveEnable, lastResult } from './prompt.ts';
import { createWallet, uiCall } from './wallet.ts';

/**
 * The self-signed node, as a person meets it: an lndconnect URI (https, with the certificate in
 * cert=) to the devnet's alice, whose certificate (devnet/tls) this Chromium does not trust, and
 * nothing that makes it: no --ignore-certificate-errors* flag (the fixture's CHROMIUM_ARGS,
 * checked below), no CDP certificate override. The person accepts the certificate on Chromium's
 * warning page; Satnav's node calls then go through its offscreen document.
 *
 * Where Chromium applies an accepted certificate, measured on Chromium 156 with this extension:
 *   - "Proceed" on the warning page: tabs and extension pages, the offscreen document included,
 *     for every port of that host and only that certificate; not the service worker;
 *   - `--allow-insecure-localhost`: tabs and extension pages, not the service worker;
 *   - `Security.setIgnoreCertificateErrors` on a page's CDP session: that page only;
 *   - `Security.setIgnoreCertificateErrors` on the browser's CDP session, and
 *     `--ignore-certificate-errors-spki-list` (npm run demo): everything, the worker included.
 */

// `openssl x509 -in devnet/tls/cert.pem -noout -fingerprint -sha256`
const DEVNET_FINGERPRINT = 'B4:18:29:8B:E4:D0:C0:E7:26:E3:46:ED:7C:8E:CA:7D:46:5A:5D:7C:B9:7F:CC:04:72:B0:A9:47:F0:36:AC:38';

type Status = { connected: boolean; tls?: string; certFingerprint?: string; alias?: string };
type PayResult = { preimage: string; paymentHash: string };
type Stats = { l402: { invoicesSettled: number } };

const sha256hex = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');

/** Paste an lndconnect URI (alice's by default) for regtest, submit. */
async function pasteLink(popup: Page, devnet: Devnet, uri = devnet.nodes.alice.lndconnectUri): Promise<void> {
  await popup.getByTestId('connect-node').click();
  await popup.getByTestId('lndconnect-tab').click();
  await popup.getByTestId('lndconnect-input').fill(uri);
  await popup.getByTestId('connect-network').selectOption('regtest');
  await popup.getByTestId('connect-submit').click();
}

/** Chromium's warning page: "Advanced", then "Proceed to 127.0.0.1 (unsafe)". */
async function proceedAnyway(tab: Page, shot?: (p: Page, n: string) => Promise<void>): Promise<void> {
  await tab.locator('#details-button').click();
  await expect(tab.locator('#proceed-link')).toBeVisible();
  if (shot) await shot(tab, '31-tls-warning-page');
  await tab.locator('#proceed-link').click();
}

const tlsIdentity = (dir: string) => ({
  cert: readFileSync(new URL(`${dir}/cert.pem`, import.meta.url), 'utf8'),
  key: readFileSync(new URL(`${dir}/key.pem`, import.meta.url), 'utf8'),
});

/** alice's REST API over https on `port` with the given certificate, in front of her plain-http port. */
async function serveAlice(devnet: Devnet, identity: { cert: string; key: string }, port = 0): Promise<Server> {
  const target = new URL(devnet.nodes.alice.lndRestUrl);
  const server = createServer(identity, (req, res) => {
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

/** The offscreen document's URL when it is open, as the worker's clients list it. */
function offscreenOpen(sw: Worker): Promise<boolean> {
  return sw.evaluate(async () => {
    const scope = self as unknown as { clients: { matchAll(o: object): Promise<Array<{ url: string }>> } };
    return (await scope.clients.matchAll({ includeUncontrolled: true })).some((c) => c.url.endsWith('/extension/offscreen/index.html'));
  });
}

/** A relay request to the document, sent from `from` (the worker or a page): what came back, and whether the port was closed on it. */
type Evaluates = { evaluate<R, A>(fn: (arg: A) => Promise<R>, arg: A): Promise<R> };

function askDocument(from: Evaluates, url: string) {
  return from.evaluate(async (target: string) => {
    const runtime = (globalThis as unknown as { chrome: { runtime: { connect(o: { name: string }): ChromePort } } }).chrome.runtime;
    type ChromePort = {
      postMessage(m: unknown): void;
      onMessage: { addListener(l: (m: unknown) => void): void };
      onDisconnect: { addListener(l: () => void): void };
      disconnect(): void;
    };
    const port = runtime.connect({ name: 'satnav/fetch-relay' });
    const got: unknown[] = [];
    const closed = await new Promise<boolean>((resolve) => {
      port.onMessage.addListener((m) => got.push(m));
      port.onDisconnect.addListener(() => resolve(true));
      setTimeout(() => resolve(false), 3000);
      port.postMessage({ type: 'fetch', url: target, method: 'GET', headers: [], redirect: 'manual' });
    });
    port.disconnect();
    return { got, closed };
  }, url);
}

async function payOnWeblnPage(context: BrowserContext, base: string, enable: boolean): Promise<PayResult> {
  const page = await context.newPage();
  await page.goto(`${base}/webln-client.html`);
  await page.getByRole('button', { name: 'Connect wallet' }).click();
  if (enable) await approveEnable(context, 1000);
  await lastResult(page, 'enable');
  await page.locator('#amount').fill('100');
  await page.getByRole('button', { name: 'Buy book' }).click();
  const paid = await lastResult<PayResult>(page, 'buy');
  await page.close();
  return paid;
}

/** The page's fetch meets the demo's L402 wall; Satnav pays within the site's budget, the page gets the data. */
async function fetchBehindWall(context: BrowserContext, base: string, n: number): Promise<{ status: number; title?: string }> {
  const page = await context.newPage();
  await page.goto(`${base}/`);
  const got = await page.evaluate(async (i) => {
    const res = await fetch(`/paywall/l402/data.json?n=${i}`);
    return res.ok ? { status: res.status, title: ((await res.json()) as { title: string }).title } : { status: res.status };
  }, n);
  await page.close();
  return got;
}

const settledL402 = async (base: string) => ((await (await fetch(`${base}/paywall/stats`)).json()) as Stats).l402.invoicesSettled;

test('self-signed node: not trusted yet, its fingerprint, Proceed in a tab, connected through the offscreen document; WebLN and 402 payments, also after the worker is stopped', async ({
  context,
  openExtensionPage,
  devnet,
  sites,
  sw,
  shot,
}) => {
  test.setTimeout(150_000);
  expect(CHROMIUM_ARGS.filter((a) => /certificate|insecure/i.test(a))).toEqual([]);
  const popup = await openExtensionPage();
  await createWallet(popup);
  await pointAtDevnet(sw, devnet);
  await pasteLink(popup, devnet);

  // Not trusted yet: said so, with the fingerprint from the link to compare.
  await expect(popup.getByTestId('form-error')).toContainText('doesn’t trust your node’s certificate');
  await expect(popup.getByTestId('trust-fingerprint')).toHaveText(DEVNET_FINGERPRINT);
  await popup.getByTestId('trust-open').scrollIntoViewIfNeeded();
  await shot(popup, '30-tls-untrusted');
  expect((await uiCall<Status>(popup, { type: 'node.status' })).connected).toBe(false);

  // One button: the node's address opens in a tab, on Chromium's warning page.
  const [tab] = await Promise.all([context.waitForEvent('page'), popup.getByTestId('trust-open').click()]);
  await expect(popup.getByTestId('trust-waiting')).toBeVisible();
  await shot(popup, '32-tls-waiting');
  await expect(tab.locator('#details-button')).toBeVisible();
  await proceedAnyway(tab, shot);

  // Satnav notices, connects, and the tab it opened shows the wallet.
  await expect(popup.getByTestId('home')).toBeVisible({ timeout: 20_000 });
  await expect(popup.getByTestId('balance-btc')).toBeVisible();
  await expect(tab).toHaveURL(/\/extension\/popup\/index\.html$/);
  await shot(popup, '33-tls-connected');
  const status = await uiCall<Status>(popup, { type: 'node.status' });
  expect(status).toMatchObject({ connected: true, tls: 'accepted-in-browser', certFingerprint: DEVNET_FINGERPRINT, alias: devnet.nodes.alice.alias });
  expect(await offscreenOpen(sw)).toBe(true);

  // The document answers the worker, and no one else: Satnav's own page is turned away unanswered.
  const state = `${devnet.nodes.alice.lndRestTlsUrl}/v1/state`;
  const fromWorker = await askDocument(sw, state);
  expect(fromWorker.got[0]).toMatchObject({ type: 'head', status: 200 });
  expect(await askDocument(popup, state)).toEqual({ got: [], closed: true });

  // A WebLN payment on a demo page (lnd's /v2/router/send stream, through the document).
  const paid = await payOnWeblnPage(context, sites.url, true);
  expect(sha256hex(paid.preimage)).toBe(paid.paymentHash);

  // A 402 wall: the page's fetch gets the data, paid once.
  await uiCall(popup, { type: 'limits.updateSite', origin: sites.url, patch: { enabled: true, remember: true, l402AutoPay: true, allowance: { sat: 1000 } } });
  const before = await settledL402(sites.url);
  expect(await fetchBehindWall(context, sites.url, 1)).toEqual({ status: 200, title: 'Lightning Ledger market data' });
  expect((await settledL402(sites.url)) - before).toBe(1);

  // The worker stopped, as Chrome does when idle: the next worker finds the document, or makes it, and pays again.
  await killServiceWorker(context, popup);
  const again = await payOnWeblnPage(context, sites.url, false);
  expect(sha256hex(again.preimage)).toBe(again.paymentHash);
  await uiCall(popup, { type: 'paywall.revoke', target: { paidBy: sites.url } });
  const before2 = await settledL402(sites.url);
  expect(await fetchBehindWall(context, sites.url, 2)).toEqual({ status: 200, title: 'Lightning Ledger market data' });
  expect((await settledL402(sites.url)) - before2).toBe(1);
  await popup.reload();
  await expect(popup.getByTestId('balance-btc')).toBeVisible();
  await expect(popup.getByTestId('node-error')).toHaveCount(0);

  // Idle (the wallet's pages, which ask for balances every 10 s, closed), the document closes.
  const worker = await serviceWorkerOf(context);
  for (const page of context.pages()) await page.close();
  await expect.poll(() => offscreenOpen(worker), { timeout: 30_000, intervals: [1000] }).toBe(false);
});

test('the node shows another certificate later: refused, said so with the fingerprint accepted, and not taken without the person', async ({
  context,
  openExtensionPage,
  devnet,
  sw,
  shot,
}) => {
  test.setTimeout(120_000);
  let front = await serveAlice(devnet, tlsIdentity('../devnet/tls'));
  const port = (front.address() as AddressInfo).port;
  const der = Buffer.from(new X509Certificate(tlsIdentity('../devnet/tls').cert).raw).toString('base64url');
  const mac = Buffer.from(devnet.nodes.alice.adminMacaroonHex, 'hex').toString('base64url');
  try {
    const popup = await openExtensionPage();
    await createWallet(popup);
    await pointAtDevnet(sw, devnet);
    await pasteLink(popup, devnet, `lndconnect://127.0.0.1:${port}?macaroon=${mac}&cert=${der}`);
    const [tab] = await Promise.all([context.waitForEvent('page'), popup.getByTestId('trust-open').click()]);
    await proceedAnyway(tab);
    await expect(popup.getByTestId('balance-btc')).toBeVisible({ timeout: 20_000 });

    // The node now serves another certificate at the same address.
    front.closeAllConnections();
    await new Promise((resolve) => front.close(resolve));
    front = await serveAlice(devnet, tlsIdentity('tls-renewed'), port);

    await popup.reload();
    const notice = popup.getByTestId('node-error');
    await expect(notice.getByTestId('trust-again')).toContainText('no longer accepts your node’s certificate');
    await expect(notice.getByTestId('trust-fingerprint')).toHaveText(DEVNET_FINGERPRINT);
    await expect(popup.getByTestId('balance-btc')).toHaveCount(0);
    await shot(popup, '34-tls-changed');
    const refused = await popup.evaluate(() => chrome.runtime.sendMessage({ channel: 'satnav/ui', request: { type: 'node.balances' } }));
    expect(refused).toMatchObject({ ok: false, error: { code: 'NODE_TLS_UNTRUSTED' } });

    // Checking again shows the browser's warning for the new certificate; the person does not proceed and closes it.
    const [again] = await Promise.all([context.waitForEvent('page'), notice.getByTestId('trust-open').click()]);
    await expect(again.locator('#details-button')).toBeVisible();
    await again.close();
    await expect(notice.getByTestId('trust-gave-up')).toBeVisible({ timeout: 10_000 });
    await shot(popup, '35-tls-changed-not-accepted');
    expect(await popup.evaluate(() => chrome.runtime.sendMessage({ channel: 'satnav/ui', request: { type: 'node.balances' } }))).toMatchObject({
      ok: false,
      error: { code: 'NODE_TLS_UNTRUSTED' },
    });
    expect((await uiCall<Status>(popup, { type: 'node.status' })).tls).toBe('accepted-in-browser');
  } finally {
    front.closeAllConnections();
    front.close();
  }
});
