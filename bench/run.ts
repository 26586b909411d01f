/**
 * `npm run bench`: figures as ratios against a baseline measured in the same
 * run, so they mean something on a shared, noisy machine.
 *
 * 1. unlock: Vault.unlock with the shipped KDF vs decrypting the same vault
 *    with the already-derived key (what the KDF costs on top).
 * 2. bundle sizes of the built entry points (bytes, gzip); provider budget.
 * 3. page load of a local page with Satnav vs without (browser profiles of their own), and vs
 *    the floor: bench/floor-extension, which does only what any extension answering 402s on every
 *    site must (observe every response with its headers, a page script and a bridge in every frame).
 * 4. sendPayment round trip through the extension (page → bridge → worker →
 *    node) vs the same payment by a direct connector call (from Node, beside the devnet), vs
 *    the same REST call made by a page of the same browser without Satnav (the browser's own
 *    network path), and vs the floor extension relaying it (page → bridge → worker → node, no
 *    checks, no budget, no record): the difference to the floor is Satnav's own time. Then the
 *    same against the floor on a wallet in use for a while (1,000 payments made first).
 * 5. 402 walls (paywall.ts): a held credential vs the header set by hand; the
 *    first paid request taken apart; 20 concurrent requests, Satnav vs
 *    @getalby/lightning-tools' fetchWithL402 through window.webln.
 * 6. Deposit walls (deposits.ts): release to refund vs the node's own cancel;
 *    200 deposits held at once, storage per deposit; the site kit's
 *    throughput (deposit-sitekit.ts) against a plain 200 handler.
 * 7. Dollars (dollars.ts): a WebLN payment from the USD asset channel through tapd at an RFQ
 *    quote vs the same payment in BTC.
 */
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDemoSites } from '../demo-sites/server.ts';
import { startDevnet } from '../devnet/index.ts';
import { execFileSync } from 'node:child_process';
import { CHROMIUM, CHROMIUM_ARGS, DIST } from '../e2e/fixtures.ts';
import { LndRest } from '../src/node/lnd-rest.ts';
import { MemoryStore } from '../src/storage/kv.ts';
import { generateMnemonic } from '../src/vault/mnemonic.ts';
import { decryptWithKey } from '../src/vault/vault-format.ts';
import { Vault } from '../src/vault/vault.ts';
import { BUNDLE_GOALS, bundleSizes, PROVIDER_GZIP_BUDGET } from './bundle.ts';
import { printDepositSitekitFigures, runDepositSitekitBench } from './deposit-sitekit.ts';
import { benchDeposits } from './deposits.ts';
import { benchDollars } from './dollars.ts';
import { benchPaywall } from './paywall.ts';
import { median, ms } from './stats.ts';
import { walletContext } from './wallet.ts';
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

async function timeIt(runs: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

async function benchUnlock() {
  const local = new MemoryStore();
  const session = new MemoryStore();
  const vault = new Vault({ local, session });
  await vault.create(generateMnemonic(12), 'bench password 1');
  const unlock = await timeIt(7, async () => {
    await vault.lock();
    await vault.unlock('bench password 1');
  });
  const record = await local.get('vault.record');
  const { key } = (await session.get<{ key: string }>('vault.session'))!;
  const decrypt = await timeIt(7, () => decryptWithKey(record as never, Uint8Array.from(Buffer.from(key, 'hex'))));
  const u = median(unlock);
  const d = median(decrypt);
  console.log(`unlock (PBKDF2-SHA256 600k, median of 7)   ${ms(u)}   = ${(u / d).toFixed(0)}× decrypt-with-key baseline (${ms(d)})`);
}

function benchSizes() {
  const sizes = bundleSizes(DIST);
  for (const [name, s] of Object.entries(sizes)) {
    const goal = (BUNDLE_GOALS as Record<string, { bytes?: number; gzip?: number }>)[name];
    const [of, limit] = goal?.bytes !== undefined ? [s.bytes, goal.bytes] : [s.gzip, goal?.gzip];
    const vs = limit === undefined ? '' : `  (goal ≤ ${kb(limit)}${goal?.bytes !== undefined ? ' raw' : ' gzip'}${of <= limit ? '' : ', MISSED'})`;
    console.log(`bundle ${name.padEnd(9)} ${kb(s.bytes).padStart(9)}  gzip ${kb(s.gzip).padStart(8)}  (${s.files.length} file${s.files.length > 1 ? 's' : ''})${vs}`);
  }
  const p = sizes.provider.gzip;
  console.log(`provider budget: ${kb(p)} of ${kb(PROVIDER_GZIP_BUDGET)} gzip (${((p / PROVIDER_GZIP_BUDGET) * 100).toFixed(0)} %)${p > PROVIDER_GZIP_BUDGET ? '  OVER BUDGET' : ''}`);
  return p <= PROVIDER_GZIP_BUDGET;
}

async function loadTimes(page: Page, url: string, runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    await page.goto(url, { waitUntil: 'load' });
    out.push(await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      return nav.loadEventEnd - nav.startTime;
    }));
  }
  return out;
}

/**
 * In the page: lnd's `POST /v2/router/send` as LndRest sends it (final update only), read until the
 * payment's final status: a web app paying through its own node, no wallet in between.
 */
async function payFromPage(o: { url: string; macaroon: string; paymentRequest: string }): Promise<number> {
  const t = performance.now();
  const res = await fetch(o.url, {
    method: 'POST',
    headers: { 'Grpc-Metadata-macaroon': o.macaroon, 'Content-Type': 'application/json' },
    body: JSON.stringify({ payment_request: o.paymentRequest, fee_limit_sat: '10', timeout_seconds: 60, no_inflight_updates: true }),
  });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const chunk = await reader.read();
    if (chunk.done) break;
    text += decoder.decode(chunk.value, { stream: true });
    if (/"status":"(SUCCEEDED|FAILED)"/.test(text)) break;
  }
  await reader.cancel();
  if (!text.includes('"SUCCEEDED"')) throw new Error(`bench: the page's payment did not succeed: ${text.slice(0, 200)}`);
  return performance.now() - t;
}

const FLOOR_EXTENSION = path.join(import.meta.dirname, 'floor-extension');

/** A browser without Satnav: no extension at all, or only the floor extension. */
async function plainContext(dir: string, o: { floor?: true } = {}): Promise<BrowserContext> {
  const args = o.floor ? [...CHROMIUM_ARGS, `--disable-extensions-except=${FLOOR_EXTENSION}`, `--load-extension=${FLOOR_EXTENSION}`] : CHROMIUM_ARGS;
  return chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, headless: true, args });
}

/** In the page: the floor extension's relay of the same payment (bench/floor-extension/provider.js). */
async function payThroughFloor(o: { url: string; macaroon: string; paymentRequest: string }): Promise<number> {
  const t = performance.now();
  const reply = await (window as unknown as { floorPay(c: typeof o): Promise<{ ok: boolean; error?: string }> }).floorPay(o);
  if (!reply.ok) throw new Error(`bench: the floor extension's payment did not succeed: ${reply.error ?? 'FAILED'}`);
  return performance.now() - t;
}

async function main() {
  console.log('Satnav bench', new Date().toISOString(), '\n');
  await benchUnlock();
  const sizesOk = benchSizes();

  const devnet = await startDevnet({ basePort: 0 });
  const sites = await startDemoSites({ port: 0, devnet: devnet.control });
  const dirs = [0, 1, 2, 3].map(() => mkdtempSync(path.join(tmpdir(), 'satnav-bench-')));
  let paywallOk = false;
  let depositsOk = false;
  let dollarsOk = false;
  try {
    const url = `${sites.url}/webln-direct.html`;
    const RUNS = 21;
    const plain = await plainContext(dirs[0]!);
    const plainPage = await plain.newPage();
    const floor = await plainContext(dirs[3]!, { floor: true });
    const floorPage = await floor.newPage();

    const { ctx, sw, call } = await walletContext(dirs[1]!, devnet);
    const a = devnet.nodes.alice;
    await call({ type: 'limits.updateGlobal', patch: { dailyCap: { sat: 1_000_000 } } });
    await call({ type: 'limits.updateSite', origin: sites.url, patch: { enabled: true, allowance: { sat: 1_000_000 } } });
    const page = await ctx.newPage();

    // Interleaved (without, with, without, …) so load on the shared machine hits both alike.
    for (const p of [plainPage, floorPage, page]) await loadTimes(p, url, 3);
    const withoutRuns: number[] = [];
    const floorRuns: number[] = [];
    const withRuns: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      withoutRuns.push(...(await loadTimes(plainPage, url, 1)));
      floorRuns.push(...(await loadTimes(floorPage, url, 1)));
      withRuns.push(...(await loadTimes(page, url, 1)));
    }
    const without = median(withoutRuns);
    const floorLoad = median(floorRuns);
    const withExt = median(withRuns);
    console.log(`\npage load, local page (median of ${RUNS}, interleaved)  with Satnav ${ms(withExt)} vs without ${ms(without)}  = ${(withExt / without).toFixed(2)}×  (goal ≤ 1.02${withExt / without <= 1.02 ? '' : ', MISSED'})`);
    console.log(
      `  the floor (an extension that only observes every response and puts two scripts in every frame) ${ms(floorLoad)}  = ${(floorLoad / without).toFixed(2)}× without; Satnav vs the floor ${(withExt / floorLoad).toFixed(2)}×`,
    );

    const PAYMENTS = 21;
    const lnd = new LndRest({ baseUrl: a.lndRestUrl, macaroonHex: a.adminMacaroonHex });
    const viaExt: number[] = [];
    const direct: number[] = [];
    const fromPage: number[] = [];
    const viaFloor: number[] = [];
    // Interleaved as above; the first two of each are warm-up.
    const viaSatnav = (pr: string) =>
      page.evaluate(async (pr) => {
        const t = performance.now();
        await window.webln!.sendPayment(pr);
        return performance.now() - t;
      }, pr);
    const relayed = (paymentRequest: string) => floorPage.evaluate(payThroughFloor, { url: `${a.lndRestUrl}/v2/router/send`, macaroon: a.adminMacaroonHex, paymentRequest });
    for (let i = 0; i < PAYMENTS + 2; i++) {
      const [forExt, forDirect, forPage, forFloor] = await Promise.all([0, 1, 2, 3].map(() => devnet.control.createInvoice('carol', { amountSat: 10 })));
      const e = await viaSatnav(forExt!.paymentRequest);
      const d = (await timeIt(1, () => lnd.payInvoice({ paymentRequest: forDirect!.paymentRequest, feeLimitSat: 10 })))[0]!;
      const p = await plainPage.evaluate(payFromPage, { url: `${a.lndRestUrl}/v2/router/send`, macaroon: a.adminMacaroonHex, paymentRequest: forPage!.paymentRequest });
      const f = await relayed(forFloor!.paymentRequest);
      if (i >= 2) {
        viaExt.push(e);
        direct.push(d);
        fromPage.push(p);
        viaFloor.push(f);
      }
    }
    await plain.close();
    // A wallet in use for a while: its ledger and its settled holds grown by USED payments, then the same comparison.
    const USED = 1_000;
    for (let i = 0; i < USED; i++) await viaSatnav((await devnet.control.createInvoice('carol', { amountSat: 1 })).paymentRequest);
    const usedExt: number[] = [];
    const usedFloor: number[] = [];
    for (let i = 0; i < PAYMENTS; i++) {
      const [forExt, forFloor] = await Promise.all([0, 1].map(() => devnet.control.createInvoice('carol', { amountSat: 10 })));
      usedExt.push(await viaSatnav(forExt!.paymentRequest));
      usedFloor.push(await relayed(forFloor!.paymentRequest));
    }
    await floor.close();
    const e = median(viaExt);
    const d = median(direct);
    const p = median(fromPage);
    const f = median(viaFloor);
    // The direct call runs in Node: a browser's own fetch to the node costs more than the goal allows
    // (the page line), so Satnav's own time is what it adds to the floor's relay of the same call.
    console.log(
      `sendPayment round trip (median of ${PAYMENTS}, interleaved)  through Satnav ${ms(e)} vs direct connector ${ms(d)}  = ${(e / d).toFixed(2)}×  (goal ≤ 1.3${e / d <= 1.3 ? '' : ', MISSED'})`,
    );
    console.log(
      `  vs the same REST call from a page of the same browser without Satnav ${ms(p)}  = ${(e / p).toFixed(2)}× (that page alone is ${(p / d).toFixed(2)}× the direct call)`,
    );
    console.log(
      `  vs the floor extension relaying it (page → bridge → worker → node, no checks, no budget, no record) ${ms(f)}  = ${(e / f).toFixed(2)}×; Satnav's own beyond the floor ${ms(e - f)} (goal ≤ 5 ms${e - f <= 5 ? '' : ', MISSED'})`,
    );
    const [ue, uf] = [median(usedExt), median(usedFloor)];
    console.log(
      `  on a wallet after ${USED.toLocaleString('en')} payments (median of ${PAYMENTS}, interleaved): through Satnav ${ms(ue)} vs the floor ${ms(uf)}  = ${(ue / uf).toFixed(2)}×; Satnav's own ${ms(ue - uf)} (goal ≤ 5 ms${ue - uf <= 5 ? '' : ', MISSED'})`,
    );

    paywallOk = (await benchPaywall({ ctx, sw, call, devnet, sites })).ok;
    dollarsOk = (await benchDollars({ ctx, call, devnet, url })).ok;
    await ctx.close();
    // The deposit demo site is plain http on loopback, which only the devnet build accepts (deposits are https only).
    console.log('');
    execFileSync('npx', ['vite', 'build', '--mode', 'devnet', '--logLevel', 'error'], { stdio: 'inherit' });
    const dev = await walletContext(dirs[2]!, devnet);
    depositsOk = await benchDeposits({ ...dev, devnet });
    await dev.ctx.close();
    printDepositSitekitFigures(await runDepositSitekitBench());
  } finally {
    await sites.stop();
    await devnet.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
  if (!sizesOk || !paywallOk || !depositsOk || !dollarsOk) process.exitCode = 1;
}

await main();
