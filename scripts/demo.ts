import { chromium } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startDevnet } from '../devnet/index.ts';
import { loadDevnetTls } from '../devnet/tls.ts';
import { startDemoSites } from '../demo-sites/server.ts';
import { CHROMIUM, CHROMIUM_ARGS, DIST } from '../e2e/fixtures.ts';

/**
 * `npm run demo`: the embedded devnet + demo sites + Chromium with Satnav
 * loaded (built by the npm script first). Headed when a display exists.
 */
const DEVNET_PORT = Number(process.env.DEVNET_BASE_PORT ?? 18080);
const SITES_PORT = Number(process.env.DEMO_SITES_PORT ?? 8900);

const devnet = await startDevnet({ basePort: DEVNET_PORT });
const sites = await startDemoSites({ port: SITES_PORT, devnet: devnet.control });
const headless = !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const profile = path.resolve('.demo-profile');
mkdirSync(profile, { recursive: true });

const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless,
  viewport: headless ? { width: 1200, height: 800 } : null,
  // The devnet's https ports use a self-signed certificate; accepted here so a pasted lndconnect URI works.
  // --allow-insecure-localhost covers tabs and extension pages but not the extension's service worker,
  // which makes the node calls: the SPKI flag trusts the devnet key everywhere (and no other key).
  args: [
    ...CHROMIUM_ARGS,
    `--disable-extensions-except=${DIST}`,
    `--load-extension=${DIST}`,
    '--allow-insecure-localhost',
    `--ignore-certificate-errors-spki-list=${(await loadDevnetTls()).spkiSha256}`,
  ],
});
const sw = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
const extensionId = new URL(sw.url()).host;
const page = context.pages()[0] ?? (await context.newPage());
await page.goto(sites.url);
const popup = await context.newPage();
await popup.goto(`chrome-extension://${extensionId}/extension/popup/index.html`);

console.log(`
Satnav demo is running.
  extension id     ${extensionId}
  popup            chrome-extension://${extensionId}/extension/popup/index.html
  demo sites       ${sites.url}
  devnet control   ${devnet.controlUrl}
  your node        alice, ${devnet.nodes.alice.lndRestUrl} (the popup's "Use the simulated network" button connects it)
  or paste         ${devnet.nodes.alice.lndconnectUri}
                   (https ${devnet.nodes.alice.lndRestTlsUrl}, self-signed; this Chromium accepts it; choose network regtest)
  shops            ${sites.url}/webln-direct.html, ${sites.url}/webln-client.html
  rewards (LNURL)  ${sites.url}/rewards.html
  payment links    ${sites.url}/links.html (lightning:, lnurlw://, lnurlp://, keyauth:// — click them)
  402 paywall      ${sites.url}/paywall.html (L402, Payment, x402; counters at ${sites.url}/paywall/stats)
  deposit wall     ${sites.url}/deposit/article.html (100,000 sats held while you read; counts at ${sites.url}/deposit/stats)
${headless ? '\nNo display found: Chromium runs headless. Set DISPLAY (e.g. run under xvfb-run) to see the window.\n' : ''}
Press Ctrl-C to stop.`);

const stop = async () => {
  await context.close().catch(() => undefined);
  await sites.stop();
  await devnet.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
if (process.env.SATNAV_DEMO_EXIT_AFTER_MS) setTimeout(stop, Number(process.env.SATNAV_DEMO_EXIT_AFTER_MS));
