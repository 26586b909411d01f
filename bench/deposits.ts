/**
 * `npm run bench`, deposit walls (docs/deposit-wall.md), each figure beside a baseline of the same run:
 *
 * 1. Release to refund, in Chromium with the built extension and the demo deposit site
 *    (demo-sites/deposit): the popup's Release → the wallet's record says refunded; vs the node-level
 *    floor: carol cancels a hold invoice alice's connector paid → alice's node reports FAILED.
 * 2. Many deposits at once, in Node (the keeper on the devnet with one sitekit wall per site): N
 *    deposits held together, their records' storage per deposit, and a record write with N held vs
 *    with one (what tracking many costs each later step).
 */
import type { BrowserContext, Worker } from '@playwright/test';
import { startDepositSite } from '../demo-sites/deposit/sites.ts';
import type { Devnet } from '../devnet/index.ts';
import { createDepositWall } from '../sitekit/deposit-wall.ts';
import { DepositBook } from '../src/deposit/book.ts';
import { DepositKeeper } from '../src/deposit/keeper.ts';
import { rootFromSeed } from '../src/keys/root.ts';
import { Ledger } from '../src/ledger/index.ts';
import { LndRest } from '../src/node/lnd-rest.ts';
import { PaymentPipeline } from '../src/payments/index.ts';
import { PolicyEngine } from '../src/policy/index.ts';
import { MemoryStore } from '../src/storage/kv.ts';
import { median, ms } from './stats.ts';

type UiCall = (request: Record<string, unknown>) => Promise<unknown>;
const RELEASE_RUNS = 9;
const MANY = 200;
const RELEASE_GOAL_MS = 1_000;

const sleep = (n: number) => new Promise((r) => setTimeout(r, n));

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('bench: condition not reached');
    await sleep(5);
  }
}

/** 1. The popup's Release to the wallet's "refunded", vs the node's own cancel-to-FAILED. */
async function releaseToRefund(o: { ctx: BrowserContext; sw: Worker; call: UiCall; devnet: Devnet }): Promise<boolean> {
  const site = await startDepositSite({ devnet: o.devnet.control, amountSat: 10_000, sweepSeconds: 0 });
  const alice = new LndRest({ baseUrl: o.devnet.nodes.alice.lndRestUrl, macaroonHex: o.devnet.nodes.alice.adminMacaroonHex });
  // Read where the wallet keeps it (src/deposit/book.ts): under way, or ended.
  const stateOf = (hash: string) =>
    o.sw.evaluate(async (h) => {
      const s = (await chrome.storage.local.get(['deposits', 'deposits.history'])) as Record<string, { records: Record<string, { state: string }> } | undefined>;
      return s['deposits']?.records[h]?.state ?? s['deposits.history']?.records[h]?.state;
    }, hash);
  const wallet: number[] = [];
  const node: number[] = [];
  const page = await o.ctx.newPage();
  try {
    for (let i = 0; i < RELEASE_RUNS + 1; i++) {
      await page.goto(`${site.url}/deposit/article.html`);
      await page.locator('html[data-deposit="held"]').waitFor({ timeout: 20_000 });
      const hash = (await page.locator('#deposit-hash').textContent()) ?? '';
      const t = performance.now();
      await o.call({ type: 'deposits.release', paymentHash: hash });
      await until(async () => ((await stateOf(hash)) === 'refunded' ? true : undefined));
      const w = performance.now() - t;

      const inv = await o.devnet.control.createInvoice('carol', { amountSat: 10_000, hold: true });
      await alice.payInvoice({ paymentRequest: inv.paymentRequest, feeLimitSat: 100, waitFinal: false });
      await until(async () => ((await o.devnet.control.lookupInvoice('carol', inv.paymentHash)).state === 'ACCEPTED' ? true : undefined));
      const u = performance.now();
      const [, final] = await Promise.all([o.devnet.control.cancelInvoice('carol', inv.paymentHash), alice.trackPayment(inv.paymentHash, { waitFinal: true })]);
      const n = performance.now() - u;
      if (final.status !== 'FAILED') throw new Error(`bench: baseline hold payment ${final.status}`);
      // The first round warms both paths up.
      if (i > 0) {
        wallet.push(w);
        node.push(n);
      }
    }
  } finally {
    await page.close();
    await site.stop();
  }
  const w = median(wallet);
  const n = median(node);
  const ok = w <= RELEASE_GOAL_MS;
  console.log(
    `deposit release → refunded (median of ${RELEASE_RUNS})  Satnav ${ms(w)} vs node cancel → FAILED ${ms(n)}  = ${(w / n).toFixed(1)}×   goal ≤ ${RELEASE_GOAL_MS} ms ${ok ? 'met' : 'MISSED'}`,
  );
  return ok;
}

/** 2. MANY deposits held at once by one keeper: storage per deposit and the cost of a record write at that size. */
export async function manyAtOnce(devnet: Devnet): Promise<void> {
  const store = new MemoryStore();
  const policy = new PolicyEngine({ store });
  const ledger = new Ledger({ store });
  const alice = new LndRest({ baseUrl: devnet.nodes.alice.lndRestUrl, macaroonHex: devnet.nodes.alice.adminMacaroonHex, timeoutMs: 30_000 });
  const carol = devnet.control.nodeInfo('carol');
  const walls = new Map(
    Array.from({ length: MANY }, (_, i) => {
      const origin = `https://site${i}.bench.example`;
      const wall = createDepositWall({
        lndUrl: carol.lndRestUrl, macaroon: carol.adminMacaroonHex, secret: '33'.repeat(32), origin, realm: 'bench', amountSat: 1_000,
        maxHoldSeconds: 3_600, maxCltv: 40, idleSeconds: 600, paths: { release: '/r', status: '/s' }, forfeitTerms: 'none',
      });
      return [origin, wall] as const;
    }),
  );
  const serve = async (req: Request) => {
    const wall = walls.get(new URL(req.url).origin)!;
    const handled = await wall.handle(req);
    if (handled) return handled;
    const g = await wall.guard(req);
    return g.ok ? new Response('ok', { headers: g.headers }) : g.response;
  };
  const book = new DepositBook(store);
  await policy.updateGlobal({ deposits: { autoHold: true, maxDepositSat: 100_000, maxForfeitPerDaySat: 100_000, maxLockedSat: 10_000_000, maxHoldSeconds: 86_400, maxCltv: 288 } });
  const keeper = new DepositKeeper({
    book, payments: new PaymentPipeline({ policy, ledger, node: async () => alice, isUnlocked: async () => true, ask: async () => ({ approved: false }) }),
    policy, ledger, node: async () => alice, nodeNetwork: async () => 'regtest', root: async () => rootFromSeed(new Uint8Array(64).fill(9)),
    fetch: async (input, init) => serve(new Request(String(input), init)),
    credential: { put: async () => undefined, drop: async () => undefined },
    openOrigins: async () => new Set(walls.keys()), notify: () => undefined,
  });
  const writeTimes = async () => {
    const [first] = await book.active();
    const t: number[] = [];
    for (let i = 0; i < 15; i++) {
      const s = performance.now();
      await book.update(first!.paymentHash, { lastVisitAt: Date.now() });
      t.push(performance.now() - s);
    }
    return median(t);
  };
  const origins = [...walls.keys()];
  const open = async (origin: string) => {
    const res = await serve(new Request(`${origin}/page`));
    await keeper.open({ url: `${origin}/page`, wwwAuthenticate: [res.headers.get('www-authenticate') ?? ''], ctx: { origin } });
  };
  await open(origins[0]!);
  const one = await writeTimes();
  const t = performance.now();
  // Twenty at a time, as pages opening in many tabs would.
  for (let i = 1; i < origins.length; i += 20) await Promise.all(origins.slice(i, i + 20).map(open));
  const elapsed = performance.now() - t;
  const held = (await book.active()).filter((r) => r.state === 'held').length;
  const bytes = JSON.stringify(await store.get('deposits')).length;
  const many = await writeTimes();
  console.log(
    `deposits held at once: ${held} of ${MANY} (${ms(elapsed / (MANY - 1))} per deposit to hold, 20 at a time)   storage ${(bytes / held).toFixed(0)} B per deposit (${(bytes / 1024).toFixed(0)} KB in all)`,
  );
  console.log(`deposit record write with ${held} held ${ms(many)} vs with 1 held ${ms(one)}  = ${(many / one).toFixed(1)}×  (the deposits under way are one JSON value, rewritten by every step; ended ones live apart)`);
  for (const r of await book.active()) await keeper.release(r.paymentHash);
  await until(async () => ((await book.active()).length === 0 ? true : undefined), 60_000);
}

export async function benchDeposits(o: { ctx: BrowserContext; sw: Worker; call: UiCall; devnet: Devnet }): Promise<boolean> {
  const ok = await releaseToRefund(o);
  await manyAtOnce(o.devnet);
  return ok;
}
