import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { SatnavError } from '../errors.ts';
import { Ledger } from '../ledger/index.ts';
import type { LightningNode, PaymentResult } from '../node/types.ts';
import { PolicyEngine } from '../policy/index.ts';
import { CachedStore } from '../storage/cached.ts';
import { MemoryStore } from '../storage/kv.ts';
import { codeOf } from '../testing/expect-code.ts';
import type { ApprovalDecision, ApprovalRequest } from '../webln/approval.ts';
import type { PaymentIntent } from './intent.ts';
import { PaymentPipeline } from './pipeline.ts';

/**
 * The pipeline with a scripted node: what it reserves, records and commits,
 * in which order, for the live path and for reconcile alike.
 */
const SITE = 'https://shop.example';

function payment() {
  const preimage = randomBytes(32);
  return { preimage: bytesToHex(preimage), paymentHash: bytesToHex(sha256(preimage)) };
}

function result(p: { paymentHash: string; preimage?: string }, status: PaymentResult['status'], amountSat: number, feeSat = 0, failureReason?: string): PaymentResult {
  return {
    status,
    paymentHash: p.paymentHash,
    ...(status === 'SUCCEEDED' && p.preimage && { preimage: p.preimage }),
    amountMsat: BigInt(amountSat) * 1000n,
    feeMsat: BigInt(feeSat) * 1000n,
    ...(failureReason && { failureReason }),
    createdAt: 0,
  };
}

/** One worker life on `store`; `track` answers reconcile's trackPayment. */
async function world(o: { store?: MemoryStore; answers?: ApprovalDecision[]; track?: (hash: string) => Promise<PaymentResult> } = {}) {
  const store = o.store ?? new MemoryStore();
  const policy = new PolicyEngine({ store });
  const ledger = new Ledger({ store });
  const asked: ApprovalRequest[] = [];
  const answers = [...(o.answers ?? [])];
  const node = {
    trackPayment: o.track ?? (async () => Promise.reject(new SatnavError('NODE_PAYMENT_NOT_FOUND', 'node: not found'))),
    lookupInvoice: async () => Promise.reject(new Error('not used')),
  } as unknown as LightningNode;
  const pipeline = new PaymentPipeline({
    policy,
    ledger,
    node: async () => node,
    isUnlocked: async () => true,
    ask: async (r) => {
      asked.push(r);
      const a = answers.shift();
      if (!a) throw new Error(`unexpected prompt: ${r.kind}`);
      return a;
    },
  });
  if (!o.store) await policy.upsertSite(SITE, { enabled: true, allowance: { sat: 5_000 }, depositsAllowed: true });
  return { store, policy, ledger, pipeline, asked };
}

const intent = (p: { paymentHash: string }, over: Partial<PaymentIntent> = {}): PaymentIntent => ({
  origin: SITE,
  source: 'webln',
  rail: 'btc',
  kind: 'payment',
  amountSat: 500,
  paymentHash: p.paymentHash,
  destination: () => '02'.padEnd(66, 'a'),
  consent: 'may-ask',
  label: 'sendPayment',
  ...over,
});

describe('PaymentPipeline', () => {
  it('within budget: reserve → ledger entry written before the node is asked → commit what left the node', async () => {
    const w = await world();
    const p = payment();
    const seenBeforeSend: unknown[] = [];
    const r = await w.pipeline.pay(intent(p), async (maxFeeSat) => {
      seenBeforeSend.push((await w.ledger.byHash(p.paymentHash))?.status, (await w.policy.getSite(SITE))?.heldSat, maxFeeSat);
      return result(p, 'SUCCEEDED', 500, 3);
    });
    expect(r.status).toBe('SUCCEEDED');
    expect(seenBeforeSend).toEqual(['pending', 510, 10]);
    expect(await w.ledger.byHash(p.paymentHash)).toMatchObject({ status: 'succeeded', feeSat: 3, preimage: p.preimage, kind: 'payment', source: 'webln', rail: 'btc' });
    expect(await w.policy.getSite(SITE)).toMatchObject({ heldSat: 0, spentSat: 503 });
    expect(w.asked).toEqual([]);
  });

  it('above the ceiling: the person is asked with the label, reason and budgets; "no" sends nothing and holds nothing', async () => {
    const w = await world({ answers: [{ approved: false }] });
    const p = payment();
    let sent = false;
    expect(await codeOf(w.pipeline.pay(intent(p, { amountSat: 1_500, label: 'l402', source: 'l402' }), async () => ((sent = true), result(p, 'SUCCEEDED', 1_500))))).toBe('REJECTED');
    expect(w.asked).toEqual([expect.objectContaining({ kind: 'payment', label: 'l402', amountSat: 1_500, reason: 'above_auto_approve', approvable: true })]);
    expect(sent).toBe(false);
    expect(await w.ledger.byHash(p.paymentHash)).toBeUndefined();
    expect(await w.policy.activeReservations()).toEqual([]);
  });

  it('a payer that must not ask gets APPROVAL_REQUIRED instead of a window', async () => {
    const w = await world();
    const p = payment();
    expect(await codeOf(w.pipeline.pay(intent(p, { amountSat: 1_500, consent: 'never-ask' }), async () => result(p, 'SUCCEEDED', 1_500)))).toBe('APPROVAL_REQUIRED');
    expect(w.asked).toEqual([]);
  });

  it('a payment the person chose needs no second question', async () => {
    const w = await world();
    const p = payment();
    await w.pipeline.pay(intent(p, { amountSat: 1_500, consent: 'chosen', source: 'lnurl', label: 'lnurlPay' }), async () => result(p, 'SUCCEEDED', 1_500));
    expect(w.asked).toEqual([]);
    expect(await w.ledger.byHash(p.paymentHash)).toMatchObject({ source: 'lnurl', status: 'succeeded' });
  });

  it('a frame inside another page asks, and the prompt names that page', async () => {
    const w = await world({ answers: [{ approved: true }] });
    const p = payment();
    await w.pipeline.pay(intent(p, { amountSat: 10, embeddedIn: 'https://evil.example', tabId: 7 }), async () => result(p, 'SUCCEEDED', 10));
    expect(w.asked).toEqual([expect.objectContaining({ reason: 'embedded_frame', embeddedIn: 'https://evil.example' })]);
  });

  it('input the node refused before sending: failed "not_sent", hold released', async () => {
    const w = await world();
    const p = payment();
    const e = await w.pipeline.pay(intent(p), async () => Promise.reject(new SatnavError('NODE_BAD_INPUT', 'node: bad'))).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'NODE_BAD_INPUT' });
    expect(await w.ledger.byHash(p.paymentHash)).toMatchObject({ status: 'failed', failureReason: 'not_sent' });
    expect(await w.policy.activeReservations()).toEqual([]);
  });

  it('node unreachable mid-call: the entry stays pending with its hold; reconcile finds the payment and commits the amount the node reports', async () => {
    const store = new MemoryStore();
    const first = await world({ store });
    await first.policy.upsertSite(SITE, { enabled: true, allowance: { sat: 5_000 } });
    const p = payment();
    expect(await codeOf(first.pipeline.pay(intent(p), async () => Promise.reject(new SatnavError('NODE_UNREACHABLE', 'node: down'))))).toBe('NODE_UNREACHABLE');
    expect(await first.ledger.byHash(p.paymentHash)).toMatchObject({ status: 'pending' });
    expect((await first.policy.getSite(SITE))?.heldSat).toBe(510);
    // The next worker life: the node says it went out, for more than the entry thought (an overpaying route).
    const next = await world({ store, track: async () => result(p, 'SUCCEEDED', 501, 2) });
    expect(await next.pipeline.reconcile()).toEqual({ resolved: 1, stillPending: 0 });
    expect(await next.ledger.byHash(p.paymentHash)).toMatchObject({ status: 'succeeded', feeSat: 2, preimage: p.preimage });
    // Same rule as the live path: what left the node counts.
    expect(await next.policy.getSite(SITE)).toMatchObject({ heldSat: 0, spentSat: 503 });
  });

  it('a payment stream silent past its deadline (final update only asked for): in flight, the hold kept; reconcile settles it', async () => {
    const store = new MemoryStore();
    const first = await world({ store });
    await first.policy.upsertSite(SITE, { enabled: true, allowance: { sat: 5_000 } });
    const p = payment();
    const r = await first.pipeline.pay(intent(p), async () => Promise.reject(new SatnavError('NODE_TIMEOUT', 'node: no answer in time')));
    expect(r).toMatchObject({ status: 'IN_FLIGHT', paymentHash: p.paymentHash });
    expect(await first.ledger.byHash(p.paymentHash)).toMatchObject({ status: 'in_flight' });
    expect((await first.policy.getSite(SITE))?.heldSat).toBe(510);
    const next = await world({ store, track: async () => result(p, 'SUCCEEDED', 500, 1) });
    expect(await next.pipeline.reconcile()).toEqual({ resolved: 1, stillPending: 0 });
    expect(await next.policy.getSite(SITE)).toMatchObject({ heldSat: 0, spentSat: 501 });
  });

  it('reconcile leaves alone a payment this pipeline is still sending', async () => {
    const w = await world();
    const p = payment();
    let finish!: (r: PaymentResult) => void;
    const started = await w.pipeline.start(intent(p), () => new Promise<PaymentResult>((r) => (finish = r)));
    expect(await w.pipeline.reconcile()).toEqual({ resolved: 0, stillPending: 1 });
    expect((await w.policy.getSite(SITE))?.heldSat).toBe(510);
    finish(result(p, 'SUCCEEDED', 500));
    await started.outcome;
    expect(await w.ledger.byHash(p.paymentHash)).toMatchObject({ status: 'succeeded' });
  });

  it('a deposit stays in flight, locked (not spent), and comes back as refunded (not failed) with the lock released', async () => {
    const store = new MemoryStore();
    const w = await world({ store });
    await w.policy.upsertSite(SITE, { enabled: true, allowance: { sat: 5_000 }, depositsAllowed: true });
    const p = payment();
    const r = await w.pipeline.pay(intent(p, { kind: 'deposit', source: 'deposit', label: 'deposit', amountSat: 800 }), async () => result(p, 'IN_FLIGHT', 800));
    expect(r.status).toBe('IN_FLIGHT');
    expect(await w.ledger.byHash(p.paymentHash)).toMatchObject({ status: 'in_flight', kind: 'deposit' });
    expect(await w.policy.getSite(SITE)).toMatchObject({ lockedSat: 810, heldSat: 0 });
    const later = await world({ store, track: async () => result(p, 'FAILED', 800, 0, 'INCORRECT_PAYMENT_DETAILS') });
    expect(await later.pipeline.reconcile()).toEqual({ resolved: 1, stillPending: 0 });
    expect(await later.ledger.byHash(p.paymentHash)).toMatchObject({ status: 'refunded' });
    expect(await later.policy.getSite(SITE)).toMatchObject({ lockedSat: 0, heldSat: 0, spentSat: 0 });
  });

  it('resolve: a final word heard on the payment stream is recorded like the live path; unknown or in-flight words change nothing', async () => {
    const w = await world();
    const p = payment();
    await w.pipeline.pay(intent(p, { kind: 'deposit', source: 'deposit', label: 'deposit', amountSat: 800 }), async () => result(p, 'IN_FLIGHT', 800));
    await w.pipeline.resolve(result(p, 'IN_FLIGHT', 800));
    await w.pipeline.resolve(result(payment(), 'FAILED', 1));
    expect(await w.ledger.byHash(p.paymentHash)).toMatchObject({ status: 'in_flight' });
    await w.pipeline.resolve(result(p, 'FAILED', 800, 0, 'INCORRECT_PAYMENT_DETAILS'));
    expect(await w.ledger.byHash(p.paymentHash)).toMatchObject({ status: 'refunded' });
    expect(await w.policy.getSite(SITE)).toMatchObject({ lockedSat: 0, spentSat: 0 });
    // Heard twice (the stream and a reconcile): still one outcome.
    await w.pipeline.resolve(result(p, 'SUCCEEDED', 800));
    expect(await w.ledger.byHash(p.paymentHash)).toMatchObject({ status: 'refunded' });
  });

  it('a forfeited deposit is spent: succeeded, committed', async () => {
    const store = new MemoryStore();
    const w = await world({ store });
    await w.policy.upsertSite(SITE, { enabled: true, allowance: { sat: 5_000 }, depositsAllowed: true });
    const p = payment();
    await w.pipeline.pay(intent(p, { kind: 'deposit', source: 'deposit', label: 'deposit', amountSat: 800 }), async () => result(p, 'IN_FLIGHT', 800));
    const later = await world({ store, track: async () => result(p, 'SUCCEEDED', 800, 1) });
    await later.pipeline.reconcile();
    expect(await later.ledger.byHash(p.paymentHash)).toMatchObject({ status: 'succeeded' });
    expect((await later.policy.getSite(SITE))?.spentSat).toBe(801);
  });

  it('a site with deposits turned off gets none', async () => {
    const w = await world();
    await w.policy.upsertSite(SITE, { depositsAllowed: false });
    const p = payment();
    expect(await codeOf(w.pipeline.pay(intent(p, { kind: 'deposit', source: 'deposit', label: 'deposit' }), async () => result(p, 'IN_FLIGHT', 500)))).toBe('DEPOSITS_NOT_ALLOWED');
  });

  it('20 concurrent site payments against an allowance for 5: 5 sent, 15 refused, never over', async () => {
    const w = await world();
    await w.policy.upsertSite(SITE, { allowance: { sat: 5 * 510 } });
    let sent = 0;
    const runs = await Promise.all(
      Array.from({ length: 20 }, () => {
        const p = payment();
        return codeOf(w.pipeline.pay(intent(p), async () => ((sent += 1), result(p, 'SUCCEEDED', 500, 10))));
      }),
    );
    expect(sent).toBe(5);
    expect(runs.filter((c) => c === 'BUDGET_EXCEEDED')).toHaveLength(15);
    expect((await w.policy.getSite(SITE))?.spentSat).toBe(5 * 510);
  });
});

/** storage.local as the worker sees it: a counted area behind the CachedStore, batches on. */
describe('PaymentPipeline on the worker\'s cached store', () => {
  class Area extends MemoryStore {
    readonly keys = new Set<string>();
    writes: string[][] = [];
    override async set(entries: Record<string, unknown>) {
      this.writes.push(Object.keys(entries).sort());
      for (const k of Object.keys(entries)) this.keys.add(k);
      return super.set(entries);
    }
    all = () => this.getMany([...this.keys]);
  }
  async function life(area: Area) {
    const store = new CachedStore(area, area.all);
    const policy = new PolicyEngine({ store });
    const ledger = new Ledger({ store });
    const pipeline = new PaymentPipeline({
      policy,
      ledger,
      node: async () => Promise.reject(new Error('not used')),
      isUnlocked: async () => true,
      ask: async () => Promise.reject(new Error('no prompt expected')),
      batch: (fn) => store.batch(fn),
    });
    return { policy, ledger, pipeline, store };
  }

  it('one write before the node is asked (hold + entry, durable: a new worker life sees both), one after', async () => {
    const area = new Area();
    const w = await life(area);
    await w.policy.upsertSite(SITE, { enabled: true, allowance: { sat: 5_000 } });
    area.writes = [];
    const p = payment();
    let atSend: unknown[] = [];
    await w.pipeline.pay(intent(p), async () => {
      expect(area.writes).toHaveLength(1);
      const next = await life(area);
      atSend = [(await next.ledger.byHash(p.paymentHash))?.status, (await next.policy.getSite(SITE))?.heldSat];
      return result(p, 'SUCCEEDED', 500, 3);
    });
    expect(atSend).toEqual(['pending', 510]);
    expect(area.writes).toHaveLength(2);
    expect(area.writes[0]).toEqual(expect.arrayContaining(['policy:spend']));
    const next = await life(area);
    expect(await next.ledger.byHash(p.paymentHash)).toMatchObject({ status: 'succeeded', feeSat: 3 });
    expect(await next.policy.getSite(SITE)).toMatchObject({ heldSat: 0, spentSat: 503 });
  });

  it("the payer's own record (withHold) is in that one write; a payment refused before it is held writes none", async () => {
    const area = new Area();
    const w = await life(area);
    await w.policy.upsertSite(SITE, { enabled: true, allowance: { sat: 5_000 } });
    area.writes = [];
    const p = payment();
    await w.pipeline.pay(
      intent(p),
      async () => {
        expect(area.writes).toEqual([expect.arrayContaining(['policy:spend', 'payer:pending'])]);
        return result(p, 'SUCCEEDED', 500, 3);
      },
      { withHold: () => w.store.set({ 'payer:pending': p.paymentHash }) },
    );
    // Above the allowance: the person would be asked (here the prompt fails), nothing is held.
    const big = payment();
    let called = false;
    const refused = w.pipeline.pay(intent(big, { amountSat: 9_000 }), async () => result(big, 'SUCCEEDED', 9_000, 0), { withHold: async () => void (called = true) });
    await expect(refused).rejects.toThrow('no prompt expected');
    expect(called).toBe(false);
  });

  it('20 concurrent payments against an allowance for 5: 5 sent, never over, also as stored', async () => {
    const area = new Area();
    const w = await life(area);
    await w.policy.upsertSite(SITE, { enabled: true, allowance: { sat: 5 * 510 } });
    let sent = 0;
    const runs = await Promise.all(
      Array.from({ length: 20 }, () => {
        const p = payment();
        return codeOf(w.pipeline.pay(intent(p), async () => ((sent += 1), result(p, 'SUCCEEDED', 500, 10))));
      }),
    );
    expect(sent).toBe(5);
    expect(runs.filter((c) => c === 'BUDGET_EXCEEDED')).toHaveLength(15);
    expect((await (await life(area)).policy.getSite(SITE))?.spentSat).toBe(5 * 510);
  });
});
