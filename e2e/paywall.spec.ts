import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';
import type { Devnet } from '../devnet/index.ts';
import { paywallApi } from '../demo-sites/paywall/paywall.ts';
import { REFUSAL_GRACE_MS } from '../src/paywall/payer.ts';
import { killServiceWorker, launchWithExtension, serviceWorkerOf } from './fixtures.ts';
import { expect, pointAtDevnet, test } from './devnet-fixtures.ts';
import { answer, nextPrompt } from './prompt.ts';
import { createWallet, PASSWORD, uiCall } from './wallet.ts';

/**
 * 402 walls on every load path, in Chromium with the built extension and the demo paywall
 * (demo-sites/paywall) on the devnet: the page's fetch and XHR, images, a video poster, an
 * iframe and a navigation. Payments are counted on both sides: the merchant node's settled
 * invoices (`/paywall/stats`, asked of the node when read) and the wallet's ledger.
 *
 * The demo server is shared by the tests of a worker (its counters only grow): each test reads
 * the counters before and compares after. Every test has a fresh browser profile, so it starts
 * with no credential.
 */
type SchemeStats = { invoicesIssued: number; invoicesSettled: number; served: number; refused: number };
type Stats = { l402: SchemeStats; mpp: SchemeStats; x402: SchemeStats; servedByPath: Record<string, number> };
type Entry = { origin: string; source: string; status: string; amountSat: number; paymentHash: string };

async function stats(base: string): Promise<Stats> {
  return (await fetch(`${base}/paywall/stats`)).json() as Promise<Stats>;
}

async function post(base: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.ok).toBe(true);
}

/** Settled invoices per scheme since `before`. */
async function settledSince(base: string, before: Stats): Promise<{ l402: number; mpp: number; x402: number }> {
  const now = await stats(base);
  return {
    l402: now.l402.invoicesSettled - before.l402.invoicesSettled,
    mpp: now.mpp.invoicesSettled - before.mpp.invoicesSettled,
    x402: now.x402.invoicesSettled - before.x402.invoicesSettled,
  };
}

async function paidWalls(popup: Page): Promise<Entry[]> {
  const { entries } = await uiCall<{ entries: Entry[] }>(popup, { type: 'activity.list' });
  return entries.filter((e) => e.source === 'l402');
}

/** The person enabled the site for 402 walls, with this allowance (as the enable prompt does). */
async function enableSite(popup: Page, origin: string, allowanceSat = 1000): Promise<void> {
  await uiCall(popup, { type: 'limits.updateSite', origin, patch: { enabled: true, remember: true, l402AutoPay: true, allowance: { sat: allowanceSat } } });
}

/** A page of the site with no wall of its own, to run the page's fetch/XHR from. */
async function sitePage(context: BrowserContext, base: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${base}/`);
  return page;
}

type Fetched = { status: number; json?: { title?: string; paymentHash?: string } };

function pageFetch(page: Page, path: string): Promise<Fetched> {
  return page.evaluate(async (p) => {
    const res = await fetch(p);
    return res.ok ? { status: res.status, json: await res.json() } : { status: res.status };
  }, path);
}

interface Recorded {
  host: string;
  origin: string | undefined;
  path: string;
  authorization: string | undefined;
  signature: string | undefined;
  status?: number;
  exposed?: string;
}

/**
 * The demo paywall on one port, reachable as two origins: A = 127.0.0.1 and B = localhost. It notes
 * every request (who asked, which credential came along) and every answer; answers to pages of
 * origin B don't expose the challenge headers (as many APIs don't), so such a page can't read them.
 */
async function recordingPaywall(devnet: Devnet) {
  const paywall = paywallApi({ control: devnet.control });
  const seen: Recorded[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const entry: Recorded = {
      host: req.headers.host ?? '',
      origin: req.headers.origin,
      path,
      authorization: req.headers.authorization,
      signature: req.headers['payment-signature'] as string | undefined,
    };
    seen.push(entry);
    const writeHead = res.writeHead.bind(res) as (status: number, headers?: OutgoingHttpHeaders) => ServerResponse;
    res.writeHead = ((status: number, headers: OutgoingHttpHeaders = {}) => {
      if (entry.origin?.startsWith('http://localhost:')) delete headers['access-control-expose-headers'];
      entry.status = status;
      entry.exposed = headers['access-control-expose-headers'] as string | undefined;
      return writeHead(status, headers);
    }) as typeof res.writeHead;
    if (paywall.matches(path)) return void paywall.handle(req, res);
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>blank</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '::', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    a: `http://127.0.0.1:${port}`,
    b: `http://localhost:${port}`,
    port,
    seen,
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections(); // the browser keeps its connections open
      await closed;
    },
  };
}

test('the demo page: one question, then the data (fetch), chart (img), poster and briefing (iframe) appear, each paid once', async ({
  context,
  walletReady: popup,
  sites,
  shot,
}) => {
  const before = await stats(sites.url);
  const page = await context.newPage();
  await page.setViewportSize({ width: 900, height: 1500 });
  await page.goto(`${sites.url}/paywall.html`);
  // The site was never enabled: its first wall asks (once, whatever the number of walls).
  const prompt = await nextPrompt(context);
  await expect(page.locator('#image-status')).toHaveAttribute('data-status', '402');
  await expect(page.locator('#frame-status')).toHaveAttribute('data-status', '402');
  await shot(page, '40-paywall-before');
  await prompt.getByTestId('prompt-allowance').fill('1000');
  await answer(prompt, 'prompt-approve');

  await expect(page.locator('#data-status')).toHaveAttribute('data-status', '200');
  await expect(page.locator('#data-json')).toContainText('Lightning Ledger market data');
  await expect.poll(() => page.locator('#image').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  await expect(page.locator('#image-status')).toHaveAttribute('data-status', '200');
  await expect(page.locator('#poster-status')).toHaveAttribute('data-status', '200');
  await expect(page.locator('#frame-status')).toHaveAttribute('data-status', '200');
  await expect(page.frameLocator('#frame').locator('html')).toHaveAttribute('data-paywall', 'paid');
  await shot(page, '41-paywall-after');

  // data (L402 "data"), briefing (L402 "articles"), chart (Payment charge), poster (x402).
  expect(await settledSince(sites.url, before)).toEqual({ l402: 2, mpp: 1, x402: 1 });
  const after = await stats(sites.url);
  expect((after.servedByPath['x402/poster.svg'] ?? 0) - (before.servedByPath['x402/poster.svg'] ?? 0)).toBe(1);
  const paid = await paidWalls(popup);
  expect(paid.map((e) => e.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
  expect(new Set(paid.map((e) => e.origin))).toEqual(new Set([sites.url]));
  expect(context.pages().some((p) => p.url().includes('/extension/prompt/'))).toBe(false);
});

test('fetch: 20 concurrent requests to a wall pay once; later requests reuse the credential without a 402', async ({ context, walletReady: popup, sites }) => {
  await enableSite(popup, sites.url);
  const page = await sitePage(context, sites.url);
  const before = await stats(sites.url);
  const results = await page.evaluate(() =>
    Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        fetch(`/paywall/l402/data.json?n=${i}`).then(async (r) => ({ status: r.status, title: r.ok ? ((await r.json()) as { title: string }).title : null })),
      ),
    ),
  );
  expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
  expect(new Set(results.map((r) => r.title))).toEqual(new Set(['Lightning Ledger market data']));
  expect(await settledSince(sites.url, before)).toEqual({ l402: 1, mpp: 0, x402: 0 });

  // The header rule is in place: no 402, no new challenge.
  const issued = (await stats(sites.url)).l402.invoicesIssued;
  const again = await pageFetch(page, '/paywall/l402/data.json');
  expect(again.status).toBe(200);
  expect((await stats(sites.url)).l402.invoicesIssued).toBe(issued);
  expect(await paidWalls(popup)).toHaveLength(1);
});

test('XHR: the page sees only the paid response; over the allowance the person is asked, and "no" hands the page its 402', async ({
  context,
  walletReady: popup,
  sites,
}) => {
  await enableSite(popup, sites.url);
  const page = await sitePage(context, sites.url);
  const before = await stats(sites.url);
  const xhr = (path: string) =>
    page.evaluate(
      (p) =>
        new Promise<{ status: number; states: number[][]; events: string[]; text: string }>((resolve) => {
          const x = new XMLHttpRequest();
          const states: number[][] = [];
          const events: string[] = [];
          x.onreadystatechange = () => states.push([x.readyState, x.status]);
          for (const t of ['loadstart', 'load', 'loadend', 'error']) x.addEventListener(t, () => events.push(t));
          x.addEventListener('loadend', () => resolve({ status: x.status, states, events, text: x.responseText }));
          x.open('GET', p);
          x.setRequestHeader('Accept', 'application/json');
          x.send();
        }),
      path,
    );

  const paid = await xhr('/paywall/l402/data.json?via=xhr');
  expect(paid.status).toBe(200);
  expect(JSON.parse(paid.text).title).toBe('Lightning Ledger market data');
  // No 402 reached the page's handlers; they saw the retried response come in as usual.
  expect(paid.states.filter(([, status]) => status === 402)).toEqual([]);
  expect(paid.states.at(-1)).toEqual([4, 200]);
  expect(paid.events).toEqual(['loadstart', 'load', 'loadend']);
  expect(await settledSince(sites.url, before)).toEqual({ l402: 1, mpp: 0, x402: 0 });

  // Above what is left of the allowance (1,500 sat > 1,000): the person is asked; "no" means the page gets the 402.
  await post(sites.url, '/paywall/config', { priceSat: 1500 });
  try {
    const fetched = pageFetch(page, '/paywall/mpp/data.json');
    let prompt = await nextPrompt(context);
    await expect(prompt.getByTestId('prompt-amount')).toContainText('1,500');
    await answer(prompt, 'prompt-reject');
    expect((await fetched).status).toBe(402);

    const refused = xhr('/paywall/x402/data.json');
    prompt = await nextPrompt(context);
    await answer(prompt, 'prompt-reject');
    const got = await refused;
    expect(got.status).toBe(402);
    expect(got.states.at(-1)).toEqual([4, 402]);
    expect(got.events).toEqual(['loadstart', 'load', 'loadend']);
  } finally {
    await post(sites.url, '/paywall/config', { priceSat: 10 });
  }
  expect(await settledSince(sites.url, before)).toEqual({ l402: 1, mpp: 0, x402: 0 });
  expect(await paidWalls(popup)).toHaveLength(1);
});

test('a navigation to a paywalled article shows it after one payment', async ({ context, walletReady: popup, sites }) => {
  await enableSite(popup, sites.url);
  const before = await stats(sites.url);
  const page = await context.newPage();
  await page.goto(`${sites.url}/paywall/l402/article.html`);
  // The 402 page first, then the wallet pays and reloads the tab.
  await expect(page.locator('html')).toHaveAttribute('data-paywall', 'paid');
  await expect(page.locator('h1')).toContainText('Why routing fees fell');
  expect(await settledSince(sites.url, before)).toEqual({ l402: 1, mpp: 0, x402: 0 });
  expect(await paidWalls(popup)).toHaveLength(1);
});

test('the server revokes the token: the next request pays once more, then works again', async ({ context, walletReady: popup, sites }) => {
  await enableSite(popup, sites.url);
  const page = await sitePage(context, sites.url);
  const before = await stats(sites.url);
  expect((await pageFetch(page, '/paywall/l402/data.json')).status).toBe(200);
  const boughtAt = Date.now();
  expect(await settledSince(sites.url, before)).toEqual({ l402: 1, mpp: 0, x402: 0 });

  // The payer won't buy a credential the server refuses within REFUSAL_GRACE_MS of its purchase (a
  // server that keeps refusing must not be paid again and again): that time has to pass first.
  await expect.poll(() => Date.now() - boughtAt, { timeout: REFUSAL_GRACE_MS + 15_000, intervals: [1000] }).toBeGreaterThan(REFUSAL_GRACE_MS);
  await post(sites.url, '/paywall/revoke', { scheme: 'l402' });
  const refusedBefore = (await stats(sites.url)).l402.refused;
  const after = await pageFetch(page, '/paywall/l402/data.json');
  expect(after.status).toBe(200);
  expect((await stats(sites.url)).l402.refused).toBe(refusedBefore + 1);
  expect(await settledSince(sites.url, before)).toEqual({ l402: 2, mpp: 0, x402: 0 });
  expect((await pageFetch(page, '/paywall/l402/data.json')).status).toBe(200);
  expect(await settledSince(sites.url, before)).toEqual({ l402: 2, mpp: 0, x402: 0 });
  expect(await paidWalls(popup)).toHaveLength(2);
});

test('an expired token is bought again, once', async ({ context, walletReady: popup, sites }) => {
  await post(sites.url, '/paywall/config', { validitySec: 3 });
  try {
    await enableSite(popup, sites.url);
    const page = await sitePage(context, sites.url);
    const before = await stats(sites.url);
    const mintedBefore = Date.now();
    expect((await pageFetch(page, '/paywall/l402/data.json')).status).toBe(200);
    // The token says `data_valid_until` = mint time + 3 s (whole seconds): past that, it is expired on both sides.
    await expect.poll(() => Date.now() - mintedBefore, { timeout: 15_000, intervals: [500] }).toBeGreaterThan(5_000);
    expect((await pageFetch(page, '/paywall/l402/data.json')).status).toBe(200);
    expect(await settledSince(sites.url, before)).toEqual({ l402: 2, mpp: 0, x402: 0 });
    expect(await paidWalls(popup)).toHaveLength(2);
  } finally {
    await post(sites.url, '/paywall/config', { validitySec: 3600 });
  }
});

test("one server's credential is never sent to another origin (127.0.0.1 vs localhost, same port and path)", async ({
  context,
  walletReady: popup,
  devnet,
  sw,
}) => {
  const server = await recordingPaywall(devnet);
  const { a, b, port, seen } = server;
  try {
    await enableSite(popup, a);
    const page = await sitePage(context, a);
    expect((await pageFetch(page, '/paywall/l402/data.json')).status).toBe(200);
    const credentials = new Set(seen.filter((s) => s.host === `127.0.0.1:${port}` && s.authorization).map((s) => s.authorization));
    expect(credentials.size).toBe(1);

    // The same path on the other origin, from A's page (no-cors: nothing for the page to retry).
    const fromA = await page.evaluate((url) => fetch(url, { mode: 'no-cors' }).then((r) => r.type), `${b}/paywall/l402/data.json`);
    expect(fromA).toBe('opaque');
    // On B's own page the wall is B's: the wallet asks about B (a site never enabled); "no" leaves B its 402.
    const other = await context.newPage();
    await other.goto(`${b}/blank`);
    const own = other.evaluate(() => fetch('/paywall/l402/data.json').then((r) => r.status));
    const prompt = await nextPrompt(context);
    await expect(prompt.getByTestId('prompt-origin')).toContainText('localhost');
    await answer(prompt, 'prompt-reject');
    expect(await own).toBe(402);
    const toB = seen.filter((s) => s.host === `localhost:${port}`);
    expect(toB.filter((s) => s.path === '/paywall/l402/data.json')).toHaveLength(2);
    expect(toB.filter((s) => s.authorization !== undefined || s.signature !== undefined)).toEqual([]);

    // The browser's rule names A's origin and nothing else.
    const rules = await sw.evaluate(() =>
      (globalThis as unknown as { chrome: { declarativeNetRequest: { getSessionRules(): Promise<Array<{ condition: { regexFilter: string } }>> } } }).chrome.declarativeNetRequest.getSessionRules(),
    );
    expect(rules.map((r) => r.condition.regexFilter)).toEqual([`^http://127\\.0\\.0\\.1:${port}/paywall/l402/data\\.json(\\?.*)?$`]);
  } finally {
    await server.stop();
  }
});

test('a cross-origin API that hides its challenge from the page still opens: the worker uses its own sighting, the page’s site pays', async ({
  context,
  walletReady: popup,
  devnet,
}) => {
  const server = await recordingPaywall(devnet);
  try {
    await enableSite(popup, server.b);
    const page = await sitePage(context, server.b);
    const got = await page.evaluate(
      (url) => fetch(url).then(async (r) => ({ status: r.status, title: ((await r.json()) as { title: string }).title })),
      `${server.a}/paywall/l402/data.json`,
    );
    expect(got).toEqual({ status: 200, title: 'Lightning Ledger market data' });
    const api = server.seen.filter((s) => s.path === '/paywall/l402/data.json');
    // The 402 went to B's page without exposing its challenge; the retry carried the credential.
    expect(api.map((s) => [s.status, s.exposed, s.authorization !== undefined])).toEqual([
      [402, undefined, false],
      [200, undefined, true],
    ]);
    expect((await paidWalls(popup)).map((e) => e.origin)).toEqual([server.b]);
  } finally {
    await server.stop();
  }
});

test('a script and a web font behind walls are loaded again once paid (L402 script, one-shot Payment font)', async ({ context, walletReady: popup, devnet }) => {
  const server = await recordingPaywall(devnet);
  try {
    await enableSite(popup, server.a);
    const page = await sitePage(context, server.a);
    await page.evaluate(() => {
      (window as unknown as { ran: number }).ran = 0;
      const script = document.createElement('script');
      script.src = '/paywall/l402/data.json';
      // An attribute handler comes along to the fresh element Satnav makes (listeners added in script can't).
      script.setAttribute('onload', 'window.ran++');
      document.head.append(script);
      const style = document.createElement('style');
      style.textContent = '@font-face { font-family: PaidFont; src: url("/paywall/mpp/image.svg"); } p.paid { font-family: PaidFont, serif; }';
      document.head.append(style);
      const p = document.createElement('p');
      p.className = 'paid';
      p.textContent = 'set in a paid font';
      document.body.append(p);
    });
    const answers = (path: string) => server.seen.filter((r) => r.path === path).map((r) => [r.status, r.authorization !== undefined]);
    // Each: a 402, then (paid by the page's site) asked again by Satnav with the credential, and served.
    await expect.poll(() => answers('/paywall/l402/data.json')).toEqual([
      [402, false],
      [200, true],
    ]);
    await expect.poll(() => answers('/paywall/mpp/image.svg')).toEqual([
      [402, false],
      [200, true],
    ]);
    // A script element runs once: the failed one was replaced by a fresh one that loaded the paid script.
    await expect.poll(() => page.evaluate(() => (window as unknown as { ran: number }).ran)).toBe(1);
    expect(await page.evaluate(() => [...document.scripts].map((s) => new URL(s.src).pathname))).toEqual(['/paywall/l402/data.json']);
    expect((await paidWalls(popup)).map((e) => e.origin)).toEqual([server.a, server.a]);
  } finally {
    await server.stop();
  }
});

test('the worker is killed mid-payment: the article still appears, paid once', async ({ context, walletReady: popup, sites, devnet }) => {
  await enableSite(popup, sites.url);
  const before = await stats(sites.url);
  // bob, the routing node, holds every HTLC this long: the payment is in flight when the worker dies.
  await devnet.control.setSlow('bob', 6000);
  const page = await context.newPage();
  try {
    await page.goto(`${sites.url}/paywall/l402/article.html`);
    await expect(page.locator('html')).toHaveAttribute('data-paywall', '402');
    await expect.poll(async () => (await paidWalls(popup)).map((e) => e.status), { timeout: 15_000 }).toEqual([expect.stringMatching(/pending|in_flight/)]);
    const [inFlight] = await paidWalls(popup);
    await killServiceWorker(context, popup);
    // The payment goes on without the worker.
    await expect.poll(async () => (await devnet.control.lookupInvoice('carol', inFlight!.paymentHash)).state, { timeout: 20_000 }).toBe('SETTLED');
  } finally {
    await devnet.control.setSlow('bob', 0);
  }
  // The next message wakes a new worker: it reconciles, recovers the purchase and reloads the tab.
  await expect.poll(async () => (await paidWalls(popup)).map((e) => e.status), { timeout: 20_000 }).toEqual(['succeeded']);
  await expect(page.locator('html')).toHaveAttribute('data-paywall', 'paid', { timeout: 20_000 });
  expect(await settledSince(sites.url, before)).toEqual({ l402: 1, mpp: 0, x402: 0 });
});

test('fetch, the worker killed mid-payment: nothing is paid twice; once the payment settles, its credential serves the page', async ({
  context,
  walletReady: popup,
  sites,
  devnet,
}) => {
  await enableSite(popup, sites.url);
  const page = await sitePage(context, sites.url);
  const before = await stats(sites.url);
  await devnet.control.setSlow('bob', 10_000);
  let hash = '';
  try {
    const first = pageFetch(page, '/paywall/l402/data.json');
    await expect.poll(async () => (await paidWalls(popup)).map((e) => e.status), { timeout: 15_000 }).toEqual([expect.stringMatching(/pending|in_flight/)]);
    hash = (await paidWalls(popup))[0]!.paymentHash;
    await killServiceWorker(context, popup);
    // The bridge asks the new worker once more (relay.ts); it recovered nothing yet (still in flight), so the page keeps its 402.
    expect((await first).status).toBe(402);
    // Another request meanwhile: the purchase left behind is unresolved, so nothing new is bought.
    expect((await pageFetch(page, '/paywall/l402/data.json')).status).toBe(402);
    expect((await devnet.control.lookupInvoice('carol', hash)).state).not.toBe('SETTLED');
    await expect.poll(async () => (await devnet.control.lookupInvoice('carol', hash)).state, { timeout: 20_000 }).toBe('SETTLED');
  } finally {
    await devnet.control.setSlow('bob', 0);
  }
  // Settled: the next 402 settles the ledger, recovers the credential and opens the wall with it.
  const served = await pageFetch(page, '/paywall/l402/data.json');
  expect(served.status).toBe(200);
  expect(served.json?.paymentHash).toBe(hash);
  expect(await settledSince(sites.url, before)).toEqual({ l402: 1, mpp: 0, x402: 0 });
  expect((await paidWalls(popup)).map((e) => [e.paymentHash, e.status])).toEqual([[hash, 'succeeded']]);
});

test('after a browser restart the credential survives, encrypted: one unlock brings its rule back, nothing is paid again', async ({ devnet, sites }) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'satnav-e2e-restart-'));
  let context = await launchWithExtension(dir);
  try {
    const sw = await serviceWorkerOf(context);
    const popup = await context.newPage();
    await popup.goto(`chrome-extension://${new URL(sw.url()).host}/extension/popup/index.html`);
    await createWallet(popup);
    await pointAtDevnet(sw, devnet);
    await uiCall(popup, { type: 'devnet.connect' });
    await enableSite(popup, sites.url);
    const before = await stats(sites.url);
    expect((await pageFetch(await sitePage(context, sites.url), '/paywall/l402/data.json')).status).toBe(200);
    await context.close();

    // A new browser session: session rules and the unlocked key are gone; the credential is in the encrypted vault.
    context = await launchWithExtension(dir);
    const sw2 = await serviceWorkerOf(context);
    // Chromium loads the unpacked extension anew at every launch (--load-extension): requests made while its worker
    // is being registered again reach no listener. A message through the worker means it is up.
    const popup2 = await context.newPage();
    await popup2.goto(`chrome-extension://${new URL(sw2.url()).host}/extension/popup/index.html`);
    expect(await uiCall<{ unlocked: boolean }>(popup2, { type: 'vault.status' })).toMatchObject({ unlocked: false });
    const rules = () => popup2.evaluate(() => (globalThis as unknown as { chrome: { declarativeNetRequest: { getSessionRules(): Promise<unknown[]> } } }).chrome.declarativeNetRequest.getSessionRules());
    expect(await rules()).toEqual([]);
    const page = await sitePage(context, sites.url);
    const fetched = pageFetch(page, '/paywall/l402/data.json');
    const prompt = await nextPrompt(context);
    await prompt.getByTestId('prompt-unlock-password').fill(PASSWORD);
    await Promise.all([prompt.waitForEvent('close'), prompt.getByTestId('prompt-unlock-submit').click().catch(() => undefined)]);
    expect((await fetched).status).toBe(200);
    expect(await rules()).toHaveLength(1);
    expect(await settledSince(sites.url, before)).toEqual({ l402: 1, mpp: 0, x402: 0 });
  } finally {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
