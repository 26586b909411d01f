/**
 * `npx tsx bench/send-profile.ts [dist …]`: where a WebLN sendPayment's time goes inside
 * Satnav's worker. Pays N invoices through each Satnav build named (two builds: before and after
 * a change, in one run), interleaved with the same payment relayed by the floor extension
 * (bench/floor-extension: page → bridge → worker → node, no checks), and prints the medians,
 * then a CPU profile of the first build's worker (CDP Profiler over a debugging port) as
 * milliseconds per payment, self and inclusive, per function. Build with
 * `SATNAV_DIST=dist-prof npx vite build --minify false` to read the function names.
 * From the environment: N (default 30), PROFILE=0 (medians only), PROFILE_OUT=<file> (the
 * .cpuprofile, for DevTools), WARM=<n> (n payments first: a wallet in use for a while).
 */
import { chromium } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDemoSites } from '../demo-sites/server.ts';
import { startDevnet } from '../devnet/index.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../e2e/fixtures.ts';
import { walletContext } from './wallet.ts';
import { median } from './stats.ts';
import { profileWorker } from './worker-profile.ts';

const DISTS = (process.argv.length > 2 ? process.argv.slice(2) : ['dist']).map((d) => path.resolve(d));
const FLOOR = path.join(import.meta.dirname, 'floor-extension');
const PORT = 9339;
const N = Number(process.env.N ?? 30);
const PROFILE = process.env.PROFILE !== '0';
const WARM = Number(process.env.WARM ?? 0);

const devnet = await startDevnet({ basePort: 0 });
const sites = await startDemoSites({ port: 0, devnet: devnet.control });
const dirs: string[] = [];
const profileDir = () => (dirs.push(mkdtempSync(path.join(tmpdir(), 'satnav-send-profile-'))), dirs.at(-1)!);
const a = devnet.nodes.alice;
const invoice = async () => (await devnet.control.createInvoice('carol', { amountSat: 10 })).paymentRequest;

/** A browser with one Satnav build, its wallet connected to alice, and a page paying through it. */
async function satnavPayer(dist: string, debugPort?: number) {
  const { ctx, call } = await walletContext(profileDir(), devnet, { dist, ...(debugPort && { args: [`--remote-debugging-port=${debugPort}`] }) });
  await call({ type: 'limits.updateGlobal', patch: { dailyCap: { sat: 1_000_000 } } });
  await call({ type: 'limits.updateSite', origin: sites.url, patch: { enabled: true, allowance: { sat: 1_000_000 } } });
  const page = await ctx.newPage();
  await page.goto(`${sites.url}/webln-direct.html`);
  const pay = async () =>
    page.evaluate(async (pr) => {
      const t = performance.now();
      await window.webln!.sendPayment(pr);
      return performance.now() - t;
    }, await invoice());
  return { name: path.basename(dist), ctx, pay, runs: [] as number[] };
}

/** The floor extension relaying the same payment. */
async function floorPayer() {
  const ctx = await chromium.launchPersistentContext(profileDir(), {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, `--disable-extensions-except=${FLOOR}`, `--load-extension=${FLOOR}`],
  });
  const page = await ctx.newPage();
  await page.goto(`${sites.url}/webln-direct.html`);
  const pay = async () =>
    page.evaluate(async (o) => {
      const t = performance.now();
      const reply = await (window as unknown as { floorPay(c: typeof o): Promise<{ ok: boolean; error?: string }> }).floorPay(o);
      if (!reply.ok) throw new Error(`send-profile: the floor's payment failed: ${reply.error}`);
      return performance.now() - t;
    }, { url: `${a.lndRestUrl}/v2/router/send`, macaroon: a.adminMacaroonHex, paymentRequest: await invoice() });
  return { name: 'floor', ctx, pay, runs: [] as number[] };
}

try {
  const payers = [...(await Promise.all(DISTS.map((d, i) => satnavPayer(d, i === 0 && PROFILE ? PORT : undefined)))), await floorPayer()];
  for (let i = 0; i < 3; i++) for (const p of payers) await p.pay();
  // A wallet in use for a while: its ledger and the spend state's settled list grown by WARM payments.
  for (let i = 0; i < WARM; i++) for (const p of payers.slice(0, -1)) await p.pay();

  const profile = PROFILE ? await profileWorker(PORT) : undefined;
  // Interleaved, so the shared machine's load falls on each alike.
  for (let i = 0; i < N; i++) for (const p of payers) p.runs.push(await p.pay());
  const f = median(payers.at(-1)!.runs);
  console.log(`sendPayment, median of ${N} interleaved; the floor relay ${f.toFixed(1)} ms`);
  for (const p of payers.slice(0, -1)) {
    const m = median(p.runs);
    console.log(`  Satnav (${p.name}) ${m.toFixed(1)} ms: ${(m / f).toFixed(2)}× the floor, Satnav's own ${(m - f).toFixed(1)} ms`);
  }
  if (profile) {
    console.log(`\nprofiled: ${payers[0]!.name}, ${N} payments`);
    await profile.stop(N, 'payment');
  }
  for (const p of payers) await p.ctx.close();
} finally {
  await sites.stop();
  await devnet.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
