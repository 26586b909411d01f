/**
 * The dollar rail end to end on the devnet: the one pipeline, a real policy and ledger, lnd and
 * tapd over REST (every exchange checked against the swagger). alice pays carol's sat invoices
 * from her USDT channel with bob at an RFQ quote.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Devnet } from '../../devnet/index.ts';
import { Ledger } from '../ledger/index.ts';
import { LndRest } from '../node/lnd-rest.ts';
import { TapdRest } from '../node/tapd-rest.ts';
import { PolicyEngine } from '../policy/index.ts';
import { MemoryStore } from '../storage/kv.ts';
import { checkedDevnet } from '../testing/contract-checked.ts';
import { codeOf } from '../testing/expect-code.ts';
import type { ApprovalDecision, ApprovalRequest } from '../webln/approval.ts';
import type { PaymentIntent } from './intent.ts';
import { PaymentPipeline } from './pipeline.ts';

const session = checkedDevnet();
let devnet: Devnet;
const ORIGIN = 'https://shop.example';
const DESK = { coefficient: '10000000000000', scale: 2 }; // 1 BTC = 100,000 USD, one unit (µUSD) per msat

beforeAll(() => {
  devnet = session.devnet;
});
afterEach(() => {
  devnet.control.setRfq({ rate: DESK, quoteSeconds: 600, reject: null });
});

type Fetch = typeof fetch;

/** One worker life: `clock` is the pipeline's (quotes expire by it), `answers` script the prompt. */
function world(o: { store?: MemoryStore; answers?: Array<ApprovalDecision | ((r: ApprovalRequest) => ApprovalDecision)>; tapdFetch?: Fetch } = {}) {
  const store = o.store ?? new MemoryStore();
  const policy = new PolicyEngine({ store });
  const ledger = new Ledger({ store });
  const info = devnet.nodes.alice;
  const lnd = new LndRest({ baseUrl: info.lndRestUrl, macaroonHex: info.adminMacaroonHex, fetch: session.fetch('lnd') });
  const tapd = new TapdRest({ baseUrl: info.tapdRestUrl, macaroonHex: info.tapdMacaroonHex, fetch: o.tapdFetch ?? session.fetch('tapd') });
  const asked: ApprovalRequest[] = [];
  const answers = [...(o.answers ?? [])];
  const clock = { offsetMs: 0 };
  const pipeline = new PaymentPipeline({
    policy,
    ledger,
    node: async () => lnd,
    assetNode: async () => tapd,
    isUnlocked: async () => true,
    now: () => Date.now() + clock.offsetMs,
    ask: async (r) => {
      asked.push(r);
      const a = answers.shift();
      if (!a) throw new Error(`unexpected prompt: ${r.kind}`);
      return typeof a === 'function' ? a(r) : a;
    },
  });
  return { store, policy, ledger, pipeline, asked, clock, lnd };
}

async function carolInvoice(amountSat: number) {
  const { paymentRequest, paymentHash } = await devnet.control.createInvoice('carol', { amountSat, memo: 'coffee' });
  return { paymentRequest, paymentHash };
}

const intentFor = (inv: { paymentRequest: string; paymentHash: string }, amountSat: number, over: Partial<PaymentIntent> = {}): PaymentIntent => ({
  origin: ORIGIN,
  source: 'popup',
  rail: 'btc',
  kind: 'payment',
  amountSat,
  paymentHash: inv.paymentHash,
  destination: () => devnet.nodes.carol.pubkey,
  paymentRequest: inv.paymentRequest,
  consent: 'chosen',
  label: 'send',
  ...over,
});

async function aliceUnits(): Promise<number> {
  const b = await devnet.control.balances('alice');
  return b.channels.find((c) => c.peer === 'bob' && c.localAssetUnits + c.remoteAssetUnits > 0)!.localAssetUnits;
}
async function carolLocalSat(): Promise<number> {
  return (await devnet.control.balances('carol')).channels[0]!.localSat;
}

describe('paying in dollars through the pipeline', () => {
  it('global pay-in dollars: the person sees the quote first; paid from the USD channel at it; the ledger has sats, units, asset, rate and quote id; carol gets sats', async () => {
    const w = world({ answers: [{ approved: true }] });
    await w.policy.updateGlobal({ payIn: 'usd' });
    const inv = await carolInvoice(2_000);
    const [units, carol] = [await aliceUnits(), await carolLocalSat()];
    const r = await w.pipeline.pay(intentFor(inv, 2_000), { paymentRequest: inv.paymentRequest, timeoutSeconds: 10 });
    expect(r.status).toBe('SUCCEEDED');
    // Chosen on a screen that showed sats only: the rate is the peer's, so the prompt shows it before paying.
    expect(w.asked).toHaveLength(1);
    expect(w.asked[0]).toMatchObject({ kind: 'payment', payIn: { chosen: 'usd' } });
    expect((w.asked[0] as { payIn?: { dollars?: unknown } }).payIn?.dollars).toBeDefined();
    const entry = await w.ledger.byHash(inv.paymentHash);
    expect(entry).toMatchObject({ rail: 'asset', status: 'succeeded', amountSat: 2_000 });
    const fee = entry!.feeSat!;
    // One unit per msat at the desk's rate: amount + the fee that left, in units, and never more than the worst case.
    expect(entry!.asset).toMatchObject({ units: '2000000', rate: DESK, decimalDisplay: 6 });
    expect(entry!.asset!.groupKey).toMatch(/^0[23][0-9a-f]{64}$/);
    expect(entry!.asset!.quoteId).toMatch(/^[0-9a-f]{64}$/);
    expect(BigInt(entry!.asset!.maxUnits)).toBe(BigInt(2_000 + entry!.maxFeeSat!) * 1000n);
    expect(units - (await aliceUnits())).toBe(Number(r.amountMsat + r.feeMsat));
    expect(fee).toBeGreaterThan(0);
    expect((await carolLocalSat()) - carol).toBe(2_000);
  });

  it("this payment's own choice wins: BTC although the global choice is dollars", async () => {
    const w = world();
    await w.policy.updateGlobal({ payIn: 'usd' });
    const inv = await carolInvoice(1_000);
    const units = await aliceUnits();
    await w.pipeline.pay(intentFor(inv, 1_000, { payIn: 'btc' }), { paymentRequest: inv.paymentRequest });
    expect(await w.ledger.byHash(inv.paymentHash)).toMatchObject({ rail: 'btc', status: 'succeeded' });
    expect((await w.ledger.byHash(inv.paymentHash))?.asset).toBeUndefined();
    expect(await aliceUnits()).toBe(units);
  });

  it('a channel too small for the worst case at the quote is ASSET_BALANCE_LOW: nothing recorded, nothing sent', async () => {
    const w = world();
    devnet.control.setRfq({ rate: { coefficient: '10000000000000000', scale: 2 } }); // a thousand times dearer
    const inv = await carolInvoice(2_000);
    const units = await aliceUnits();
    expect(await codeOf(w.pipeline.pay(intentFor(inv, 2_000, { payIn: 'usd' }), { paymentRequest: inv.paymentRequest }))).toBe('ASSET_BALANCE_LOW');
    expect(await w.ledger.byHash(inv.paymentHash)).toBeUndefined();
    expect(await aliceUnits()).toBe(units);
  });

  it('no tapd, or a peer that rejects the quote: refused with the reason, never paid in BTC instead', async () => {
    const noTapd = new PaymentPipeline({
      policy: new PolicyEngine({ store: new MemoryStore() }),
      ledger: new Ledger({ store: new MemoryStore() }),
      node: async () => world().lnd,
      isUnlocked: async () => true,
      ask: async () => Promise.reject(new Error('no prompt')),
    });
    const inv = await carolInvoice(500);
    expect(await codeOf(noTapd.pay(intentFor(inv, 500, { payIn: 'usd' }), { paymentRequest: inv.paymentRequest }))).toBe('ASSET_UNAVAILABLE');
    devnet.control.setRfq({ reject: 'price oracle unavailable' });
    const w = world();
    expect(await codeOf(w.pipeline.pay(intentFor(inv, 500, { payIn: 'usd' }), { paymentRequest: inv.paymentRequest }))).toBe('ASSET_QUOTE_REFUSED');
    expect(await w.ledger.byHash(inv.paymentHash)).toBeUndefined();
  });

  it('keysend stays BTC: refused when dollars were chosen for this very payment', async () => {
    const w = world();
    let sent = false;
    const keysend = async () => ((sent = true), Promise.reject(new Error('not reached')));
    const { paymentRequest: _, ...ks } = intentFor({ paymentHash: 'ab'.repeat(32), paymentRequest: 'x' }, 10, { payIn: 'usd', kind: 'keysend', label: 'keysend' });
    expect(await codeOf(w.pipeline.pay(ks, keysend))).toBe('ASSET_KEYSEND_UNSUPPORTED');
    expect(sent).toBe(false);
  });

  it('a keysend from someone paying in dollars is shown first (it can only go out in BTC), even when chosen', async () => {
    const w = world({ answers: [{ approved: false }] });
    await w.policy.updateGlobal({ payIn: 'usd' });
    let sent = false;
    const keysend = async () => ((sent = true), Promise.reject(new Error('not reached')));
    const { paymentRequest: _, ...ks } = intentFor({ paymentHash: 'cd'.repeat(32), paymentRequest: 'x' }, 10, { kind: 'keysend', label: 'keysend' });
    expect(await codeOf(w.pipeline.pay(ks, keysend))).toBe('REJECTED');
    expect(w.asked[0]).toMatchObject({ kind: 'payment', payIn: { chosen: 'usd', locked: 'keysend' } });
    expect(sent).toBe(false);
  });

  it('switched to dollars in the prompt at a rate worse than the one it showed: shown again with how far it moved', async () => {
    const w = world({
      answers: [
        () => {
          devnet.control.setRfq({ rate: { coefficient: '105000000000', scale: 0 } }); // 5 % dearer, over the 1 % default
          return { approved: true, payIn: 'usd' as const };
        },
        { approved: false },
      ],
    });
    const inv = await carolInvoice(1_000);
    const units = await aliceUnits();
    const intent = intentFor(inv, 1_000, { payIn: 'btc', consent: 'confirm', label: 'link', source: 'link' });
    expect(await codeOf(w.pipeline.pay(intent, { paymentRequest: inv.paymentRequest }))).toBe('REJECTED');
    expect(w.asked).toHaveLength(2);
    const again = w.asked[1] as Extract<ApprovalRequest, { kind: 'payment' }>;
    expect(again.payIn).toMatchObject({ chosen: 'usd' });
    expect(again.payIn!.movedPpm).toBeGreaterThan(10_000);
    expect(await aliceUnits()).toBe(units);
    expect((await devnet.control.lookupInvoice('carol', inv.paymentHash)).state).toBe('OPEN');
  });

  it('the prompt shows the dollar terms; switching to BTC there pays in BTC', async () => {
    const w = world({ answers: [{ approved: true, payIn: 'btc' }] });
    const inv = await carolInvoice(1_500);
    const units = await aliceUnits();
    await w.pipeline.pay(intentFor(inv, 1_500, { payIn: 'usd', consent: 'confirm', label: 'link', source: 'link' }), { paymentRequest: inv.paymentRequest });
    const req = w.asked[0] as Extract<ApprovalRequest, { kind: 'payment' }>;
    expect(req.payIn).toMatchObject({ chosen: 'usd', dollars: { ticker: 'USDT', decimalDisplay: 6, amountUnits: '1500000', rate: DESK } });
    expect(BigInt(req.payIn!.dollars!.worstCaseUnits)).toBe(BigInt(1_500 + req.maxFeeSat) * 1000n);
    expect(req.payIn!.dollars!.expiresAt).toBeGreaterThan(Date.now() / 1000);
    expect(await w.ledger.byHash(inv.paymentHash)).toMatchObject({ rail: 'btc', status: 'succeeded' });
    expect(await aliceUnits()).toBe(units);
  });

  it('a quote that expired while the person looked is fetched anew before sending; paid at the new one', async () => {
    const answers: ApprovalRequest[] = [];
    const ww = world({
      answers: [
        (r) => {
          answers.push(r);
          ww.clock.offsetMs = 700_000; // past the quote's ten minutes
          return { approved: true };
        },
      ],
    });
    const inv = await carolInvoice(1_200);
    await ww.pipeline.pay(intentFor(inv, 1_200, { payIn: 'usd', consent: 'confirm', label: 'link', source: 'link' }), { paymentRequest: inv.paymentRequest });
    const shown = (answers[0] as Extract<ApprovalRequest, { kind: 'payment' }>).payIn!.dollars!.quoteId;
    const entry = await ww.ledger.byHash(inv.paymentHash);
    expect(entry).toMatchObject({ rail: 'asset', status: 'succeeded' });
    expect(entry!.asset!.quoteId).not.toBe(shown);
    expect(ww.asked).toHaveLength(1); // same rate: no second question
  });

  it('a re-quote beyond the slippage limit is never paid silently: asked again with how far it moved; "no" pays nothing', async () => {
    const w = world({
      answers: [
        () => {
          devnet.control.setRfq({ rate: { coefficient: '105000000000', scale: 0 } }); // 5 % dearer, over the 1 % default
          w.clock.offsetMs = 700_000;
          return { approved: true };
        },
        { approved: false },
      ],
    });
    const inv = await carolInvoice(1_000);
    const units = await aliceUnits();
    expect(await codeOf(w.pipeline.pay(intentFor(inv, 1_000, { payIn: 'usd', consent: 'confirm', label: 'link', source: 'link' }), { paymentRequest: inv.paymentRequest }))).toBe(
      'REJECTED',
    );
    const again = w.asked[1] as Extract<ApprovalRequest, { kind: 'payment' }>;
    expect(again.payIn).toMatchObject({ chosen: 'usd', movedPpm: 50_000, dollars: { rate: { coefficient: '105000000000', scale: 0 } } });
    expect(await w.ledger.byHash(inv.paymentHash)).toBeUndefined();
    expect(await aliceUnits()).toBe(units);
  });

  it('a worker killed while tapd sends: the entry stays pending with its hold, and the next life reconciles it from lnd', async () => {
    const store = new MemoryStore();
    // The first life's tapd call reaches the node, then the worker dies: no answer ever comes back.
    const dying: Fetch = async (input, init) => {
      if (String(input).endsWith('/channels/send-payment')) {
        void session.fetch('tapd')(input, init).then((r) => r.text());
        return new Promise<Response>(() => undefined);
      }
      return session.fetch('tapd')(input, init);
    };
    const first = world({ store, tapdFetch: dying, answers: [{ approved: true }] });
    const inv = await carolInvoice(800);
    const started = await first.pipeline.start(intentFor(inv, 800, { payIn: 'usd' }), { paymentRequest: inv.paymentRequest });
    expect(started.entry).toMatchObject({ rail: 'asset', status: 'pending' });
    await expect.poll(async () => (await devnet.control.lookupInvoice('carol', inv.paymentHash)).state).toBe('SETTLED');
    const next = world({ store });
    expect(await next.pipeline.reconcile()).toEqual({ resolved: 1, stillPending: 0 });
    expect(await next.ledger.byHash(inv.paymentHash)).toMatchObject({ rail: 'asset', status: 'succeeded' });
    expect(await next.policy.activeReservations()).toEqual([]);
  });
});
