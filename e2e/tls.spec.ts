import type { Page } from '@playwright/test';
import type { Devnet } from '../devnet/index.ts';
import { expect, pointAtDevnet, test } from './devnet-fixtures.ts';
import { createWallet, uiCall } from './wallet.ts';

/**
 * The real self-signed-certificate experience: an lndconnect URI always means https, and the
 * node's own certificate (the devnet's, devnet/tls) is not trusted until the person accepts it.
 *
 * Where Chromium applies an accepted certificate, measured on Chromium 156 with this extension:
 *   - a `Security.setIgnoreCertificateErrors` on a page's CDP session: that page only, not the
 *     extension's service worker (which makes the node calls);
 *   - `--allow-insecure-localhost`: tabs and extension pages, not the service worker;
 *   - "Proceed" on the interstitial: tabs and extension pages, not the service worker (second test);
 *   - `Security.setIgnoreCertificateErrors` on the browser's CDP session, and
 *     `--ignore-certificate-errors-spki-list`: everything, the service worker included.
 */

/** Create a wallet, paste alice's lndconnect URI for regtest, submit: the certificate is refused. */
async function pasteUntrusted(popup: Page, devnet: Devnet): Promise<void> {
  await popup.getByTestId('connect-node').click();
  await popup.getByTestId('lndconnect-tab').click();
  await popup.getByTestId('lndconnect-input').fill(devnet.nodes.alice.lndconnectUri);
  await popup.getByTestId('connect-network').selectOption('regtest');
  await popup.getByTestId('connect-submit').click();
  await expect(popup.getByTestId('form-error')).toBeVisible();
  // The hint offers the node's https address, where the person can look at and accept the certificate.
  await expect(popup.getByTestId('node-origin-link')).toHaveAttribute('href', new URL(devnet.nodes.alice.lndRestTlsUrl).origin);
  expect((await uiCall<{ connected: boolean }>(popup, { type: 'node.status' })).connected).toBe(false);
}

test('lndconnect to a self-signed node: the certificate hint, then connected once the certificate is trusted', async ({
  context,
  openExtensionPage,
  devnet,
  sw,
  shot,
}) => {
  const popup = await openExtensionPage();
  await createWallet(popup);
  await pointAtDevnet(sw, devnet);
  await pasteUntrusted(popup, devnet);
  await popup.getByTestId('node-origin-link').scrollIntoViewIfNeeded();
  await shot(popup, '30-tls-untrusted');

  // The person trusts the certificate. Browser-wide, because a page's session does not reach the worker.
  const browser = context.browser();
  if (!browser) throw new Error('e2e: no browser behind the persistent context');
  const cdp = await browser.newBrowserCDPSession();
  await cdp.send('Security.setIgnoreCertificateErrors', { ignore: true });
  await popup.getByTestId('connect-submit').click();
  await expect(popup.getByTestId('home')).toBeVisible();
  await expect(popup.getByTestId('balance-btc')).toBeVisible();
  await shot(popup, '31-tls-connected');
  expect((await uiCall<{ connected: boolean }>(popup, { type: 'node.status' })).connected).toBe(true);
});
