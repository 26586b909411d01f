/**
 * WeblnService against the devnet: alice is the wallet's node (LndRest over real HTTP, checked
 * against lnd's swagger by the devnet), carol the merchant behind bob. Policy and ledger live on a
 * MemoryStore; the person is a scripted approver that records every prompt and answers from a
 * queue (a prompt with no answer queued fails the call, so an unexpected prompt shows up).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Devnet } from '../../devnet/index.ts';
import { decodeInvoice } from '../bolt11/index.ts';
import { isSatnavError, SatnavError } from '../errors.ts';
import { Ledger, type LedgerEntry } from '../ledger/index.ts';
import { LndRest } from '../node/lnd-rest.ts';
import type { KeysendParams, LightningNode, PaymentResult } from '../node/types.ts';
import { PolicyEngine, feeLimitSat } from '../policy/index.ts';
import { MemoryStore } from '../storage/kv.ts';
import { checkedDevnet } from '../testing/contract-checked.ts';
import { codeOf } from '../testing/expect-code.ts';
import { waitFor } from '../testing/wait-for.ts';
import type { ApprovalDecision, ApprovalRequest } from './approval.ts';
import { weblnErrorName } from './error-names.ts';
import { WeblnService } from './service.ts';
import { PaymentPipeline } from '../payments/index.ts';
import { PAGE_INVOICE_LIMITS, PageInvoices } from './page-invoices.ts';
import type { PageContext } from '../base/origin.ts';
import { encodeLnurl } from '../lnurl/index.ts';
import { fakeService } from '../lnurl/testing.ts';

const SHOP = 'https://shop.example';
const OTHER = 'https://other.example';

const session = checkedDevnet();
let devnet: Devnet;

beforeAll(() => {
  devnet = session.devnet;
});

// ---- harness ---------------------------------------------------------------

const alice = (fetch?: typeof globalThis.fetch) =>
  new LndRest({ baseUrl: devnet.nodes.alice.lndRestUrl, macaroonHex: devnet.nodes.alice.adminMacaroonHex, timeoutMs: 5000, ...(fetch && { fetch }) });

type BeforeCall = (method: string, args: unknown[]) => Promise<void>;

/** The node, recording the name of every method called (and running `before` ahead of it). */
function watch(node: LightningNode, calls: string[], before?: BeforeCall): LightningNode {
  return new Proxy(node, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        calls.push(String(prop));
        await before?.(String(prop), args);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

interface HarnessOptions {
  store?: MemoryStore;
  node?: LightningNode;
  now?: () => number;
  before?: BeforeCall;
  paymentTimeoutSeconds?: number;
  /** For LNURL services. */
  fetch?: typeof globalThis.fetch;
}

/** One worker life: a service, engine and ledger on `store` (a new store unless given). */
function harness(o: HarnessOptions = {}) {
  const store = o.store ?? new MemoryStore();
  const policy = new PolicyEngine({ store });
  const ledger = new Ledger({ store });
  const state = {
    /** Every prompt, in order. */
    asked: [] as ApprovalRequest[],
    /** The person's next answers, in order. */
    answers: [] as ApprovalDecision[],
    /** Node methods called, in order. */
    nodeCalls: [] as string[],
    unlocked: true,
  };
  const node = watch(o.node ?? alice(), state.nodeCalls, o.before);
  const ask = async (request: ApprovalRequest) => {
    state.asked.push(request);
    const answer = state.answers.shift();
    if (!answer) throw new Error(`unexpected prompt: ${request.kind}`);
    // The prompt window unlocks the vault when the person approves an unlock.
    if (request.kind === 'unlock' && answer.approved) state.unlocked = true;
    return answer;
  };
  const isUnlocked = async () => state.unlocked;
  const payments = new PaymentPipeline({ policy, ledger, ask, node: async () => node, isUnlocked, ...(o.now && { now: o.now }) });
  const svc = new WeblnService({
    policy,
    ledger,
    payments,
    node: async () => node,
    nodeProfile: async () => ({ alias: 'alice', pubkey: devnet.nodes.alice.pubkey, network: 'regtest' }),
    isUnlocked,
    ask,
    invoices: new PageInvoices({ store, ...(o.now && { now: o.now }) }),
    version: 'Satnav test',
    ...(o.now && { now: o.now }),
    ...(o.paymentTimeoutSeconds !== undefined && { paymentTimeoutSeconds: o.paymentTimeoutSeconds }),
    ...(o.fetch && { fetch: o.fetch }),
  });
  /** A page request from a top-level frame of `origin` (or the given browser context). */
  const handle = (from: string | PageContext, method: string, params: unknown) => svc.handle(typeof from === 'string' ? { origin: from } : from, method, params);
  return Object.assign(state, { svc, handle, payments, policy, ledger, store });
}
type Harness = ReturnType<typeof harness>;

/** Enables `origin` with the person's `answer`, then forgets that prompt so a test sees only its own. */
async function enable(h: Harness, origin = SHOP, answer: Omit<ApprovalDecision, 'approved'> = {}): Promise<void> {
  h.answers.push({ approved: true, allowance: { sat: 5_000 }, ...answer });
  expect(await h.handle(origin, 'enable', undefined)).toEqual({ enabled: true });
  h.asked.length = 0;
}

const sha256hex = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');
const carolInvoice = (amountSat: number, o: { memo?: string; hold?: boolean; expirySec?: number } = {}) => devnet.control.createInvoice('carol', { amountSat, ...o });
const carolState = async (hash: string) => (await devnet.control.lookupInvoice('carol', hash)).state;
const pay = (h: Harness, paymentRequest: string, origin = SHOP) => h.handle(origin, 'sendPayment', { paymentRequest });
const paidInvoice = (r: unknown) => r as { preimage: string; paymentHash: string; route: { total_amt: number; total_fees: number } };
async function holdOf(h: Harness, amountSat: number): Promise<number> {
  return amountSat + feeLimitSat((await h.policy.getConfig()).global, amountSat);
}

// ---- enable ------------------------------------------------------------------

describe('enable', () => {
  it('asks once and stores the allowance, period, remember and balance grant; a second enable does not ask', async () => {
    const h = harness();
    expect(await h.handle(SHOP, 'isEnabled', undefined)).toBe(false);
    h.answers.push({ approved: true, remember: false, allowance: { sat: 2_500 }, period: 'week', allowBalance: true });
    expect(await h.handle(SHOP, 'enable', undefined)).toEqual({ enabled: true });
    expect(h.asked).toEqual([{ kind: 'enable', origin: SHOP }]);
    const site = await h.policy.getSite(SHOP);
    expect(site).toMatchObject({ enabled: true, remember: false, allowance: { sat: 2_500 }, period: 'week', paused: false, methods: { getBalance: true } });

    expect(await h.handle(SHOP, 'enable', {})).toEqual({ enabled: true });
    expect(h.asked).toHaveLength(1);
    expect(await h.policy.getSite(SHOP)).toEqual(site);
    expect(await h.handle(SHOP, 'isEnabled', undefined)).toBe(true);
    expect(h.nodeCalls).toEqual([]);
  });

  it('keeps the grant by default and shares no balance unless asked to', async () => {
    const h = harness();
    h.answers.push({ approved: true });
    await h.handle(SHOP, 'enable', undefined);
    expect(await h.policy.getSite(SHOP)).toMatchObject({ enabled: true, remember: true, methods: { getBalance: false } });
  });

  it('a declined enable is REJECTED and grants nothing', async () => {
    const h = harness();
    h.answers.push({ approved: false, allowance: { sat: 9_000 } });
    expect(await codeOf(h.handle(SHOP, 'enable', undefined))).toBe('REJECTED');
    expect(h.asked).toEqual([{ kind: 'enable', origin: SHOP }]);
    expect(await h.policy.getSite(SHOP)).toBeUndefined();
    expect(await h.handle(SHOP, 'isEnabled', undefined)).toBe(false);
  });

  it('from a frame inside another site’s page: the question names that page (null: the browser didn’t say)', async () => {
    const h = harness();
    for (const topOrigin of [OTHER, null, SHOP]) {
      h.answers.push({ approved: false });
      expect(await codeOf(h.handle({ origin: SHOP, topOrigin, tabId: 4 }, 'enable', undefined))).toBe('REJECTED');
    }
    // A same-origin subframe is the site itself.
    expect(h.asked).toEqual([
      { kind: 'enable', origin: SHOP, embeddedIn: OTHER },
      { kind: 'enable', origin: SHOP, embeddedIn: null },
      { kind: 'enable', origin: SHOP },
    ]);
  });

  it('a paused site is refused without asking, whether it was enabled or not', async () => {
    const h = harness();
    await h.policy.upsertSite(SHOP, { enabled: true, paused: true });
    await h.policy.upsertSite(OTHER, { enabled: false, paused: true });
    for (const origin of [SHOP, OTHER]) {
      expect(await codeOf(h.handle(origin, 'enable', undefined))).toBe('SITE_PAUSED');
      expect(await h.handle(origin, 'isEnabled', undefined)).toBe(false);
    }
    const { paymentRequest } = await carolInvoice(10);
    expect(await codeOf(pay(h, paymentRequest))).toBe('SITE_PAUSED');
    expect(h.asked).toEqual([]);
    expect(h.nodeCalls).toEqual([]);
  });
});

// ---- before enable -----------------------------------------------------------

describe('before enable', () => {
  // Valid params for every method but enable/isEnabled: the refusal must come from the missing grant.
  const CALLS: Array<[method: string, params: () => Promise<unknown>]> = [
    ['getInfo', async () => undefined],
    ['getBalance', async () => ({})],
    ['sendPayment', async () => ({ paymentRequest: (await carolInvoice(10)).paymentRequest })],
    ['sendPaymentAsync', async () => ({ paymentRequest: (await carolInvoice(10)).paymentRequest })],
    ['keysend', async () => ({ destination: devnet.nodes.carol.pubkey, amount: 10 })],
    ['makeInvoice', async () => ({ args: 10 })],
    ['signMessage', async () => ({ message: 'hello' })],
    ['verifyMessage', async () => ({ message: 'hello', signature: 'd'.repeat(100) })],
    ['lookupInvoice', async () => ({ paymentHash: 'ab'.repeat(32) })],
    ['lnurl', async () => ({ lnurl: 'lnurl1dp68gurn8ghj7' })],
    ['request', async () => ({ method: 'getinfo' })],
  ];
  for (const [method, params] of CALLS) {
    it(`${method} is refused with SITE_NOT_ENABLED, without a prompt or a node call`, async () => {
      const h = harness();
      h.unlocked = false; // a locked wallet must not even ask to unlock for a site without a grant
      expect(await codeOf(h.handle(SHOP, method, await params()))).toBe('SITE_NOT_ENABLED');
      expect(h.asked).toEqual([]);
      expect(h.nodeCalls).toEqual([]);
      expect(await h.policy.activeReservations()).toEqual([]);
      expect(await h.ledger.list()).toEqual([]);
    });
  }

  it('a declined enable leaves every method refused', async () => {
    const h = harness();
    h.answers.push({ approved: false });
    await codeOf(h.handle(SHOP, 'enable', undefined));
    expect(await codeOf(h.handle(SHOP, 'getInfo', undefined))).toBe('SITE_NOT_ENABLED');
    expect(h.nodeCalls).toEqual([]);
  });
});

// ---- sendPayment -------------------------------------------------------------

describe('sendPayment', () => {
  it('within the allowance and the ceiling: no prompt, the preimage, a succeeded ledger entry, spend = amount + fee', async () => {
    const h = harness();
    await enable(h);
    const inv = await carolInvoice(500, { memo: 'coffee' });
    const r = paidInvoice(await pay(h, inv.paymentRequest));
    expect(h.asked).toEqual([]);
    expect(r.paymentHash).toBe(inv.paymentHash);
    expect(sha256hex(r.preimage)).toBe(inv.paymentHash);
    expect(await carolState(inv.paymentHash)).toBe('SETTLED');

    const entry = await h.ledger.byHash(inv.paymentHash);
    expect(entry).toMatchObject({ origin: SHOP, kind: 'payment', source: 'webln', rail: 'btc', direction: 'out', status: 'succeeded', amountSat: 500, preimage: r.preimage, description: 'coffee' });
    // bob charges 1 sat + 0.1 % towards carol: 1.5 sat, counted as 2.
    expect(entry?.feeSat).toBe(2);
    expect(r.route).toEqual({ total_amt: 502, total_fees: 2 });
    expect(await h.policy.getSite(SHOP)).toMatchObject({ spentSat: 502, heldSat: 0, remainingSat: 5_000 - 502 });
    expect((await h.policy.dailyUsage()).spentSat).toBe(502);
    expect(await h.ledger.pending()).toEqual([]);
  });

  it('above the auto-approve ceiling: asks with the details; declined pays nothing, approved pays', async () => {
    const h = harness();
    await enable(h, SHOP, { allowance: { sat: 5_000 } });
    const inv = await carolInvoice(2_000, { memo: 'a big coffee' });
    const decoded = decodeInvoice(inv.paymentRequest);
    const expected: ApprovalRequest = {
      kind: 'payment',
      origin: SHOP,
      label: 'sendPayment',
      amountSat: 2_000,
      maxFeeSat: 20, // 1 % of 2,000
      paymentHash: inv.paymentHash,
      destination: devnet.nodes.carol.pubkey,
      reason: 'above_auto_approve',
      approvable: true,
      budget: { allowance: { sat: 5_000 }, period: 'day', remainingSite: { sat: 5_000 }, remainingDaily: { sat: 10_000 } },
      paymentRequest: inv.paymentRequest,
      description: 'a big coffee',
      expiresAt: decoded.expiresAt,
    };

    h.answers.push({ approved: false });
    expect(await codeOf(pay(h, inv.paymentRequest))).toBe('REJECTED');
    expect(h.asked).toEqual([expected]);
    expect(await carolState(inv.paymentHash)).toBe('OPEN');
    expect(h.nodeCalls).not.toContain('payInvoice');
    expect(await h.ledger.byHash(inv.paymentHash)).toBeUndefined();
    expect(await h.policy.activeReservations()).toEqual([]);
    expect(await h.policy.getSite(SHOP)).toMatchObject({ spentSat: 0, heldSat: 0 });

    h.answers.push({ approved: true });
    const r = paidInvoice(await pay(h, inv.paymentRequest));
    expect(h.asked).toEqual([expected, expected]);
    expect(sha256hex(r.preimage)).toBe(inv.paymentHash);
    expect(await carolState(inv.paymentHash)).toBe('SETTLED');
    expect(await h.ledger.byHash(inv.paymentHash)).toMatchObject({ status: 'succeeded' });
  });

  it('a small payment when the allowance is used up is BUDGET_EXCEEDED, without a prompt', async () => {
    const h = harness();
    await enable(h, SHOP, { allowance: { sat: 100 } });
    await pay(h, (await carolInvoice(80)).paymentRequest); // holds 90, spends 80 + 2
    const next = await carolInvoice(10); // would hold 20 > 18 left
    expect(await codeOf(pay(h, next.paymentRequest))).toBe('BUDGET_EXCEEDED');
    expect(h.asked).toEqual([]);
    expect(await carolState(next.paymentHash)).toBe('OPEN');
    expect(await h.ledger.byHash(next.paymentHash)).toBeUndefined();
    expect(await h.policy.getSite(SHOP)).toMatchObject({ spentSat: 82, heldSat: 0, remainingSat: 18 });
  });

  it('50 concurrent payments against an allowance that fits exactly 10: 10 paid, 40 BUDGET_EXCEEDED', async () => {
    const h = harness();
    const allowanceSat = 10 * (await holdOf(h, 100)); // each hold is amount + max fee
    await enable(h, SHOP, { allowance: { sat: allowanceSat } });
    const invoices = await Promise.all(Array.from({ length: 50 }, () => carolInvoice(100)));
    const results = await Promise.allSettled(invoices.map((i) => pay(h, i.paymentRequest)));

    const paid = results.filter((r) => r.status === 'fulfilled');
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(paid).toHaveLength(10);
    expect(refused.map((e) => (isSatnavError(e) ? e.code : String(e)))).toEqual(Array(40).fill('BUDGET_EXCEEDED'));
    expect(h.asked).toEqual([]);

    const states = await Promise.all(invoices.map((i) => carolState(i.paymentHash)));
    expect(states.filter((s) => s === 'SETTLED')).toHaveLength(10);
    expect(states.filter((s) => s === 'OPEN')).toHaveLength(40);
    const site = await h.policy.getSite(SHOP);
    expect(site?.heldSat).toBe(0);
    expect(site?.spentSat).toBeGreaterThanOrEqual(10 * 100);
    expect(site?.spentSat).toBeLessThanOrEqual(allowanceSat);
    expect(await h.ledger.list({ status: 'succeeded' })).toHaveLength(10);
    expect(await h.ledger.pending()).toEqual([]);
    expect(await h.policy.activeReservations()).toEqual([]);
  });

  it('the same invoice twice is DUPLICATE_PAYMENT, also when both arrive at once; carol is paid once', async () => {
    const h = harness();
    await enable(h);
    const once = await carolInvoice(50);
    await pay(h, once.paymentRequest);
    expect(await codeOf(pay(h, once.paymentRequest))).toBe('DUPLICATE_PAYMENT');

    const twice = await carolInvoice(60);
    const both = await Promise.allSettled([pay(h, twice.paymentRequest), pay(h, `lightning:${twice.paymentRequest.toUpperCase()}`)]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const [failure] = both.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(isSatnavError(failure) && failure.code).toBe('DUPLICATE_PAYMENT');
    expect((await devnet.control.lookupInvoice('carol', twice.paymentHash)).amtPaidSat).toBe(60);
    expect(await h.policy.activeReservations()).toEqual([]);
    expect(await h.policy.getSite(SHOP)).toMatchObject({ spentSat: 52 + 62, heldSat: 0 });
  });

  describe('invoices that cannot be paid are refused before any prompt, hold or node call', () => {
    const mainnet = (
      JSON.parse(readFileSync(new URL('../../test-vectors/bolt11-spec-examples.json', import.meta.url), 'utf8')) as {
        valid: Array<{ invoice: string; network: string; amount_msat: string | null }>;
      }
    ).valid.find((v) => v.network === 'bc' && v.amount_msat !== null);
    const CASES: Array<[what: string, code: string, invoice: () => Promise<string>, now?: () => number]> = [
      ['an expired invoice', 'INVOICE_EXPIRED', async () => (await carolInvoice(10, { expirySec: 1 })).paymentRequest, () => Date.now() + 60_000],
      ['an invoice without an amount', 'INVOICE_NO_AMOUNT', async () => (await carolInvoice(0)).paymentRequest],
      ['garbage', 'INVOICE_INVALID', async () => 'lnbcrt1notaninvoice'],
      ['a flipped character', 'INVOICE_INVALID', async () => flip((await carolInvoice(10)).paymentRequest)],
      // The spec's mainnet vectors are long expired: the network is what the person must hear about.
      ['a mainnet invoice (expired, too)', 'INVOICE_WRONG_NETWORK', async () => mainnet?.invoice ?? 'vector missing'],
    ];
    for (const [what, code, invoice, now] of CASES) {
      it(`${what} → ${code}`, async () => {
        const h = harness(now && { now });
        await enable(h);
        expect(await codeOf(pay(h, await invoice()))).toBe(code);
        expect(weblnErrorName(code)).toBe('InvalidDataError');
        expect(h.asked).toEqual([]);
        expect(h.nodeCalls).toEqual([]);
        expect(await h.policy.activeReservations()).toEqual([]);
        expect(await h.ledger.list()).toEqual([]);
      });
    }
  });
});

/** The invoice with one data character changed: the bech32 checksum must catch it. */
function flip(invoice: string): string {
  const at = invoice.length - 20;
  const c = invoice[at] === 'q' ? 'p' : 'q';
  return invoice.slice(0, at) + c + invoice.slice(at + 1);
}

// ---- keysend -------------------------------------------------------------------

describe('keysend', () => {
  it('records the payment hash before sending, passes custom records as UTF-8, and carol receives it', async () => {
    let atSend: { entry: LedgerEntry | undefined; params: KeysendParams } | undefined;
    const h: Harness = harness({
      before: async (method, args) => {
        if (method !== 'keysend') return;
        const params = args[0] as KeysendParams;
        atSend = { entry: await h.ledger.byHash(sha256hex(params.preimage ?? '')), params };
      },
    });
    await enable(h);
    const r = paidInvoice(await h.handle(SHOP, 'keysend', { destination: devnet.nodes.carol.pubkey, amount: '100', customRecords: { '696969': 'hi ⚡' } }));

    expect(atSend?.entry).toMatchObject({ origin: SHOP, kind: 'keysend', status: 'pending', amountSat: 100, paymentHash: r.paymentHash });
    expect(atSend?.params.customRecords).toEqual({ '696969': Buffer.from('hi ⚡', 'utf8').toString('hex') });
    expect(sha256hex(r.preimage)).toBe(r.paymentHash);
    expect(await h.ledger.byHash(r.paymentHash)).toMatchObject({ status: 'succeeded', preimage: r.preimage });
    expect(await devnet.control.lookupInvoice('carol', r.paymentHash)).toMatchObject({ isKeysend: true, state: 'SETTLED', amtPaidSat: 100 });
    const fee = (await h.ledger.byHash(r.paymentHash))?.feeSat ?? -1;
    expect(await h.policy.getSite(SHOP)).toMatchObject({ spentSat: 100 + fee, heldSat: 0 });
    expect(h.asked).toEqual([]);
  });

  it('above the ceiling asks with the destination and no invoice fields', async () => {
    const h = harness();
    await enable(h);
    h.answers.push({ approved: false });
    expect(await codeOf(h.handle(SHOP, 'keysend', { destination: devnet.nodes.carol.pubkey, amount: 1_500 }))).toBe('REJECTED');
    expect(h.asked).toEqual([
      expect.objectContaining({ kind: 'payment', label: 'keysend', amountSat: 1_500, destination: devnet.nodes.carol.pubkey, reason: 'above_auto_approve' }),
    ]);
    expect(h.asked[0]).not.toHaveProperty('paymentRequest');
    expect(h.nodeCalls).not.toContain('keysend');
    expect(await h.ledger.list()).toEqual([]);
  });
});

// ---- receiving -----------------------------------------------------------------

describe('makeInvoice and lookupInvoice', () => {
  const FORMS: Array<[what: string, args: unknown, amountMsat: bigint | null, memo?: string]> = [
    ['a number', 123, 123_000n],
    ['a string', '456', 456_000n],
    ['{ amount }', { amount: 789, defaultMemo: 'thanks' }, 789_000n, 'thanks'],
    ['{ defaultAmount, minimumAmount, maximumAmount }', { defaultAmount: 50, minimumAmount: 10, maximumAmount: 100 }, 50_000n],
    ['{ minimumAmount, maximumAmount }: the minimum', { minimumAmount: 10, maximumAmount: 100 }, 10_000n],
    ['no args: any amount', undefined, null],
  ];
  for (const [what, args, amountMsat, memo] of FORMS) {
    it(`makeInvoice(${what})`, async () => {
      const h = harness();
      await enable(h);
      const r = (await h.handle(SHOP, 'makeInvoice', args === undefined ? {} : { args })) as { paymentRequest: string; paymentHash: string; rHash: string };
      const inv = decodeInvoice(r.paymentRequest);
      expect(inv).toMatchObject({ network: 'regtest', amountMsat, paymentHash: r.paymentHash, payee: devnet.nodes.alice.pubkey, description: memo ?? '' });
      expect(r.rHash).toBe(r.paymentHash);
      expect(h.asked).toEqual([]);
    });
  }

  const BAD: Array<[what: string, args: unknown]> = [
    ['minimumAmount above maximumAmount', { minimumAmount: 100, maximumAmount: 10 }],
    ['amount below minimumAmount', { amount: 5, minimumAmount: 10 }],
    ['defaultAmount above maximumAmount', { defaultAmount: 500, maximumAmount: 100 }],
  ];
  for (const [what, args] of BAD) {
    it(`makeInvoice with ${what} is BAD_REQUEST and makes nothing`, async () => {
      const h = harness();
      await enable(h);
      expect(await codeOf(h.handle(SHOP, 'makeInvoice', { args }))).toBe('BAD_REQUEST');
      expect(h.nodeCalls).toEqual([]);
    });
  }

  it("lookupInvoice answers only the site that made the invoice, by hash or by request", async () => {
    const h = harness();
    await enable(h, SHOP);
    await enable(h, OTHER);
    const made = (await h.handle(SHOP, 'makeInvoice', { args: 21 })) as { paymentRequest: string; paymentHash: string };
    const byHash = { paymentHash: made.paymentHash };
    const byRequest = { paymentRequest: made.paymentRequest };

    expect(await h.handle(SHOP, 'lookupInvoice', byHash)).toEqual({ paymentRequest: made.paymentRequest, paid: false });
    expect(await h.handle(SHOP, 'lookupInvoice', byRequest)).toEqual({ paymentRequest: made.paymentRequest, paid: false });
    const calls = h.nodeCalls.length;
    expect(await codeOf(h.handle(OTHER, 'lookupInvoice', byHash))).toBe('INVOICE_UNKNOWN');
    expect(await codeOf(h.handle(OTHER, 'lookupInvoice', byRequest))).toBe('INVOICE_UNKNOWN');
    // An invoice the node has but no site made through WebLN looks just the same.
    expect(await codeOf(h.handle(SHOP, 'lookupInvoice', { paymentHash: (await alice().createInvoice({ amountSat: 5 })).paymentHash }))).toBe('INVOICE_UNKNOWN');
    expect(h.nodeCalls.length).toBe(calls);

    const paid = await devnet.control.payInvoice('carol', made.paymentRequest);
    expect(paid.status).toBe('SUCCEEDED');
    const r = (await h.handle(SHOP, 'lookupInvoice', byHash)) as { paid: boolean; preimage: string };
    expect(r.paid).toBe(true);
    expect(sha256hex(r.preimage)).toBe(made.paymentHash);
  });

  it('a site looping on makeInvoice is RATE_LIMITED before the node is asked; other sites are not', async () => {
    const h = harness();
    await enable(h, SHOP);
    await enable(h, OTHER);
    const codes: string[] = [];
    for (let i = 0; i < PAGE_INVOICE_LIMITS.perMinute + 5; i++) codes.push(await codeOf(h.handle(SHOP, 'makeInvoice', { args: 1 })));
    expect(codes.filter((c) => c === 'no error')).toHaveLength(PAGE_INVOICE_LIMITS.perMinute);
    expect(codes.slice(PAGE_INVOICE_LIMITS.perMinute)).toEqual(Array(5).fill('RATE_LIMITED'));
    expect(h.nodeCalls.filter((c) => c === 'createInvoice')).toHaveLength(PAGE_INVOICE_LIMITS.perMinute);
    expect(await codeOf(h.handle(OTHER, 'makeInvoice', { args: 1 }))).toBe('no error');
  });
});

// ---- LNURL from a frame inside another page ----------------------------------------

describe('LNURL asked from a frame inside another site’s page', () => {
  const PAY = 'https://lnurl.example/pay';
  const service = () =>
    fakeService({ [PAY]: { json: { tag: 'payRequest', callback: `${PAY}/cb`, minSendable: 1_000, maxSendable: 100_000, metadata: JSON.stringify([['text/plain', 'Tip']]), commentAllowed: 0 } } });
  const frame: PageContext = { origin: SHOP, topOrigin: OTHER, tabId: 4 };

  it('webln.lnurl: the lnurlPay prompt names the page the frame sits in', async () => {
    const h = harness({ fetch: service().fetch });
    await enable(h);
    h.answers.push({ approved: false });
    expect(await codeOf(h.handle(frame, 'lnurl', { lnurl: encodeLnurl(PAY) }))).toBe('REJECTED');
    expect(h.asked).toEqual([expect.objectContaining({ kind: 'lnurlPay', origin: SHOP, domain: 'lnurl.example', embeddedIn: OTHER })]);
  });

  it('a clicked link: the same, from the page context the browser gave', async () => {
    const h = harness({ fetch: service().fetch });
    h.answers.push({ approved: false });
    expect(await codeOf(h.svc.openLink(frame, `lightning:${encodeLnurl(PAY)}`))).toBe('REJECTED');
    expect(h.asked).toEqual([expect.objectContaining({ kind: 'lnurlPay', origin: SHOP, embeddedIn: OTHER })]);
  });
});

// ---- messages, balance, info ----------------------------------------------------

describe('signMessage, verifyMessage, getBalance, getInfo', () => {
  it('signMessage asks; the signature verifies to alice, a changed message does not', async () => {
    const h = harness();
    await enable(h);
    h.answers.push({ approved: true });
    const signed = (await h.handle(SHOP, 'signMessage', { message: 'I am alice' })) as { message: string; signature: string };
    expect(h.asked).toEqual([{ kind: 'signMessage', origin: SHOP, message: 'I am alice' }]);
    expect(signed.message).toBe('I am alice');
    expect(await h.handle(SHOP, 'verifyMessage', { message: 'I am alice', signature: signed.signature })).toEqual({ valid: true, pubkey: devnet.nodes.alice.pubkey });
    expect(await codeOf(h.handle(SHOP, 'verifyMessage', { message: 'I am bob', signature: signed.signature }))).toBe('SIGNATURE_INVALID');
  });

  it('a declined signMessage is REJECTED and the node signs nothing', async () => {
    const h = harness();
    await enable(h);
    h.answers.push({ approved: false });
    expect(await codeOf(h.handle(SHOP, 'signMessage', { message: 'sign me' }))).toBe('REJECTED');
    expect(h.nodeCalls).not.toContain('signMessage');
  });

  it('signMessage from a frame inside another site’s page: the prompt names that page (null: the browser didn’t say)', async () => {
    const h = harness();
    await enable(h);
    for (const topOrigin of [OTHER, null, SHOP]) {
      h.answers.push({ approved: false });
      await codeOf(h.handle({ origin: SHOP, topOrigin, tabId: 4 }, 'signMessage', { message: 'm' }));
    }
    // A same-origin subframe is the site itself.
    expect(h.asked).toEqual([
      { kind: 'signMessage', origin: SHOP, embeddedIn: OTHER, message: 'm' },
      { kind: 'signMessage', origin: SHOP, embeddedIn: null, message: 'm' },
      { kind: 'signMessage', origin: SHOP, message: 'm' },
    ]);
  });

  it('getBalance needs the balance grant, then reports alice’s channel balance', async () => {
    const h = harness();
    await enable(h, SHOP, { allowBalance: false });
    await enable(h, OTHER, { allowBalance: true });
    expect(await codeOf(h.handle(SHOP, 'getBalance', undefined))).toBe('METHOD_NOT_GRANTED');
    expect(h.nodeCalls).toEqual([]);
    const local = (await devnet.control.balances('alice')).channels.reduce((sum, c) => sum + c.localSat, 0);
    expect(await h.handle(OTHER, 'getBalance', undefined)).toEqual({ balance: local, currency: 'sats' });
  });

  it('getInfo names alice and the supported methods; the node key only to a site the person showed it to', async () => {
    const h = harness();
    await enable(h);
    const info = (await h.handle(SHOP, 'getInfo', undefined)) as { node: { alias: string; pubkey?: string }; methods: string[] };
    expect(info.node).toEqual({ alias: 'alice' });
    expect(info.methods).toContain('sendPayment');
    await enable(h, OTHER, { sharePubkey: true });
    const shown = (await h.handle(OTHER, 'getInfo', undefined)) as { node: { pubkey?: string } };
    expect(shown.node.pubkey).toBe(devnet.nodes.alice.pubkey);
    // The person can take it back.
    await h.policy.upsertSite(OTHER, { sharePubkey: false });
    expect(((await h.handle(OTHER, 'getInfo', undefined)) as { node: object }).node).toEqual({ alias: 'alice' });
  });

  it('request allows only getinfo and decodepayreq; a malformed LNURL is refused before any network call', async () => {
    const h = harness();
    await enable(h);
    // Same answer and grant as getInfo(): request is no back door to the node's version, height or key.
    expect(await h.handle(SHOP, 'request', { method: 'GetInfo' })).toEqual(await h.handle(SHOP, 'getInfo', undefined));
    await h.policy.upsertSite(SHOP, { methods: { getInfo: false } });
    expect(await codeOf(h.handle(SHOP, 'request', { method: 'getinfo' }))).toBe('METHOD_NOT_GRANTED');
    await h.policy.upsertSite(SHOP, { methods: { getInfo: true } });
    const inv = await carolInvoice(33, { memo: 'decode me' });
    expect(await h.handle(SHOP, 'request', { method: 'decodepayreq', params: { pay_req: inv.paymentRequest } })).toMatchObject({
      destination: devnet.nodes.carol.pubkey,
      paymentHash: inv.paymentHash,
      amountMsat: '33000',
      description: 'decode me',
    });
    expect(await codeOf(h.handle(SHOP, 'request', { method: 'decodepayreq', params: {} }))).toBe('BAD_REQUEST');
    const calls = h.nodeCalls.length;
    for (const method of ['sendpayment', 'listpayments', 'signmessage', '__proto__']) {
      expect(await codeOf(h.handle(SHOP, 'request', { method, params: {} }))).toBe('UNSUPPORTED_METHOD');
    }
    expect(await codeOf(h.handle(SHOP, 'lnurl', { lnurl: 'lnurl1dp68gurn8ghj7' }))).toBe('LNURL_INVALID');
    expect(h.nodeCalls.length).toBe(calls);
  });

  it('a withdrawn method grant refuses that method without a prompt', async () => {
    const h = harness();
    await enable(h);
    await h.policy.upsertSite(SHOP, { methods: { signMessage: false, makeInvoice: false, sendPayment: false, request: false } });
    expect(await codeOf(h.handle(SHOP, 'signMessage', { message: 'x' }))).toBe('METHOD_NOT_GRANTED');
    expect(await codeOf(h.handle(SHOP, 'makeInvoice', { args: 1 }))).toBe('METHOD_NOT_GRANTED');
    expect(await codeOf(h.handle(SHOP, 'request', { method: 'getinfo' }))).toBe('METHOD_NOT_GRANTED');
    const inv = await carolInvoice(10);
    expect(await codeOf(pay(h, inv.paymentRequest))).toBe('METHOD_NOT_GRANTED');
    // sendPaymentAsync spends under the sendPayment grant.
    expect(await codeOf(h.handle(SHOP, 'sendPaymentAsync', { paymentRequest: inv.paymentRequest }))).toBe('METHOD_NOT_GRANTED');
    expect(h.asked).toEqual([]);
    expect(h.nodeCalls).toEqual([]);
    expect(await h.policy.activeReservations()).toEqual([]);
  });
});

// ---- locked wallet ---------------------------------------------------------------

describe('a locked wallet', () => {
  it('a payment asks to unlock first, then pays within the budget without another prompt', async () => {
    const h = harness();
    await enable(h);
    h.unlocked = false;
    h.answers.push({ approved: true });
    const inv = await carolInvoice(40);
    const r = paidInvoice(await pay(h, inv.paymentRequest));
    expect(h.asked).toEqual([{ kind: 'unlock', origin: SHOP }]);
    expect(sha256hex(r.preimage)).toBe(inv.paymentHash);
  });

  it('a declined unlock is REJECTED: no hold, no ledger entry, nothing paid', async () => {
    const h = harness();
    await enable(h);
    h.unlocked = false;
    h.answers.push({ approved: false });
    const inv = await carolInvoice(40);
    expect(await codeOf(pay(h, inv.paymentRequest))).toBe('REJECTED');
    expect(h.nodeCalls).toEqual([]);
    expect(await h.policy.activeReservations()).toEqual([]);
    expect(await h.ledger.list()).toEqual([]);
    expect(await carolState(inv.paymentHash)).toBe('OPEN');
  });

  it('signMessage asks to unlock before asking to sign', async () => {
    const h = harness();
    await enable(h);
    h.unlocked = false;
    h.answers.push({ approved: true }, { approved: true });
    await h.handle(SHOP, 'signMessage', { message: 'm' });
    expect(h.asked.map((a) => a.kind)).toEqual(['unlock', 'signMessage']);
  });

  it('asked from a frame inside another site’s page, the unlock question names that page', async () => {
    const h = harness();
    await enable(h);
    h.unlocked = false;
    h.answers.push({ approved: false });
    expect(await codeOf(h.handle({ origin: SHOP, topOrigin: OTHER, tabId: 4 }, 'signMessage', { message: 'm' }))).toBe('REJECTED');
    expect(h.asked).toEqual([{ kind: 'unlock', origin: SHOP, embeddedIn: OTHER }]);
    expect(h.nodeCalls).toEqual([]);
  });

  it('getInfo and request(getinfo) answer the same whether locked or not, without a prompt', async () => {
    const h = harness();
    await enable(h);
    const unlocked = [await h.handle(SHOP, 'getInfo', undefined), await h.handle(SHOP, 'request', { method: 'getinfo' })];
    h.unlocked = false;
    expect([await h.handle(SHOP, 'getInfo', undefined), await h.handle(SHOP, 'request', { method: 'getinfo' })]).toEqual(unlocked);
    expect(h.asked).toEqual([]);
    expect(h.nodeCalls).toEqual([]);
  });
});

// ---- async payments, restarts, reconcile -----------------------------------------

/** A fetch whose requests all die at once, as when MV3 kills the worker. */
function killableFetch() {
  const worker = new AbortController();
  const f: typeof globalThis.fetch = (input, init) => globalThis.fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, worker.signal]) : worker.signal });
  return { fetch: f, kill: () => worker.abort() };
}

describe('sendPaymentAsync to a hold invoice, settled by reconcile() after a worker restart', () => {
  async function payHeld(amountSat: number) {
    const store = new MemoryStore();
    const life = killableFetch();
    const first = harness({ store, node: alice(life.fetch) });
    await enable(first);
    const inv = await carolInvoice(amountSat, { hold: true });
    expect(await first.handle(SHOP, 'sendPaymentAsync', { paymentRequest: inv.paymentRequest })).toEqual({});
    await waitFor(async () => (await carolState(inv.paymentHash)) === 'ACCEPTED');

    expect(['pending', 'in_flight']).toContain((await first.ledger.byHash(inv.paymentHash))?.status);
    const [hold] = await first.policy.activeReservations();
    expect(hold).toMatchObject({ origin: SHOP, amountSat, maxFeeSat: 10 });
    expect(await first.policy.getSite(SHOP)).toMatchObject({ heldSat: amountSat + 10, spentSat: 0 });
    life.kill();
    return { store, inv };
  }

  it('settled: the next worker marks it succeeded and commits the spend exactly once', async () => {
    const { store, inv } = await payHeld(300);
    await devnet.control.settleInvoice('carol', inv.paymentHash);
    const node = alice();
    await waitFor(async () => (await node.trackPayment(inv.paymentHash, { waitFinal: false })).status === 'SUCCEEDED');

    // Two reconciles at once (worker start and an opened activity list) still commit once.
    const [a, b] = [harness({ store }), harness({ store })];
    const runs = await Promise.all([a.payments.reconcile(), b.payments.reconcile()]);
    expect(runs.reduce((n, r) => n + r.resolved, 0)).toBeGreaterThanOrEqual(1);
    const entry = await a.ledger.byHash(inv.paymentHash);
    expect(entry).toMatchObject({ status: 'succeeded', feeSat: 2 });
    expect(sha256hex(entry?.preimage ?? '')).toBe(inv.paymentHash);
    expect(await a.policy.activeReservations()).toEqual([]);
    expect(await a.policy.getSite(SHOP)).toMatchObject({ spentSat: 302, heldSat: 0 });

    expect(await harness({ store }).payments.reconcile()).toEqual({ resolved: 0, stillPending: 0 });
    expect(await a.policy.getSite(SHOP)).toMatchObject({ spentSat: 302, heldSat: 0 });
    expect((await a.policy.dailyUsage()).spentSat).toBe(302);
  });

  it('canceled: the next worker marks it failed and releases the hold', async () => {
    const { store, inv } = await payHeld(200);
    await devnet.control.cancelInvoice('carol', inv.paymentHash);
    const node = alice();
    await waitFor(async () => (await node.trackPayment(inv.paymentHash, { waitFinal: false })).status === 'FAILED');

    const next = harness({ store });
    expect(await next.payments.reconcile()).toEqual({ resolved: 1, stillPending: 0 });
    expect(await next.ledger.byHash(inv.paymentHash)).toMatchObject({ status: 'failed' });
    expect(await next.policy.activeReservations()).toEqual([]);
    expect(await next.policy.getSite(SHOP)).toMatchObject({ spentSat: 0, heldSat: 0, remainingSat: 5_000 });
  });

  it('still held: reconcile leaves it in flight with its hold', async () => {
    const { store, inv } = await payHeld(100);
    const next = harness({ store });
    expect(await next.payments.reconcile()).toEqual({ resolved: 0, stillPending: 1 });
    expect(await next.ledger.byHash(inv.paymentHash)).toMatchObject({ status: 'in_flight' });
    expect(await next.policy.getSite(SHOP)).toMatchObject({ heldSat: 110 });
    await devnet.control.cancelInvoice('carol', inv.paymentHash);
  });
});

describe('the node goes down before the payment reaches it', () => {
  /** Pays with alice down. A pooled connection makes the reset show at once (a new one waits for the deadline). */
  async function payWhileDown(h: Harness, paymentRequest: string): Promise<string> {
    await alice().getInfo();
    devnet.control.setDown('alice', true);
    try {
      return await codeOf(pay(h, paymentRequest));
    } finally {
      devnet.control.setDown('alice', false);
      // Sockets the outage reset may still sit in the pool: wait until alice answers again.
      await waitFor(() => alice().getInfo().then(() => true, () => false));
    }
  }

  it('a connection error; the entry stays pending with its hold; reconcile marks it not_sent and releases it', async () => {
    const h = harness({ paymentTimeoutSeconds: 2 });
    await enable(h);
    const inv = await carolInvoice(70);
    const code = await payWhileDown(h, inv.paymentRequest);
    expect(weblnErrorName(code)).toBe('ConnectionError');
    expect(await h.ledger.byHash(inv.paymentHash)).toMatchObject({ status: 'pending' });
    expect(await h.policy.getSite(SHOP)).toMatchObject({ heldSat: 80, spentSat: 0 });
    expect(await carolState(inv.paymentHash)).toBe('OPEN');

    expect(await h.payments.reconcile()).toEqual({ resolved: 1, stillPending: 0 });
    expect(await h.ledger.byHash(inv.paymentHash)).toMatchObject({ status: 'failed', failureReason: 'not_sent' });
    expect(await h.policy.activeReservations()).toEqual([]);
    expect(await h.policy.getSite(SHOP)).toMatchObject({ heldSat: 0, spentSat: 0 });

    // A failed entry may be retried.
    expect(sha256hex(paidInvoice(await pay(h, inv.paymentRequest)).preimage)).toBe(inv.paymentHash);
  });

  it('reconcile while locked does nothing and says how many are pending', async () => {
    const h = harness({ paymentTimeoutSeconds: 2 });
    await enable(h);
    const inv = await carolInvoice(30);
    await payWhileDown(h, inv.paymentRequest);
    h.unlocked = false;
    const calls = h.nodeCalls.length;
    expect(await h.payments.reconcile()).toEqual({ resolved: 0, stillPending: 1 });
    expect(h.nodeCalls.length).toBe(calls);
    h.unlocked = true;
    expect(await h.payments.reconcile()).toEqual({ resolved: 1, stillPending: 0 });
  });
});

// ---- what only a doctored node shows ----------------------------------------------

/** A node whose payInvoice waits for `release()`; trackPayment knows nothing until then. */
function slowNode(base: LightningNode) {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let started = false;
  const node: LightningNode = Object.assign(Object.create(base) as LightningNode, {
    payInvoice: async (p: Parameters<LightningNode['payInvoice']>[0]): Promise<PaymentResult> => {
      await gate;
      started = true;
      return base.payInvoice(p);
    },
    trackPayment: async (hash: string, opts?: Parameters<LightningNode['trackPayment']>[1]) => {
      if (!started) throw new SatnavError('NODE_PAYMENT_NOT_FOUND', 'node: payment unknown to the node');
      return base.trackPayment(hash, opts);
    },
  });
  return { node, release };
}

describe('a doctored node', () => {
  it('input the connector refuses before sending fails the entry (not_sent) and frees the hold at once', async () => {
    const refusing: LightningNode = Object.assign(Object.create(alice()) as LightningNode, {
      payInvoice: async (): Promise<never> => {
        throw new SatnavError('NODE_BAD_INPUT', 'node: feeLimitSat must be whole non-negative sats');
      },
    });
    const h = harness({ node: refusing });
    await enable(h);
    const inv = await carolInvoice(25);
    expect(await codeOf(pay(h, inv.paymentRequest))).toBe('NODE_BAD_INPUT');
    expect(await h.ledger.byHash(inv.paymentHash)).toMatchObject({ status: 'failed', failureReason: 'not_sent' });
    expect(await h.policy.activeReservations()).toEqual([]);
    expect(await h.policy.getSite(SHOP)).toMatchObject({ heldSat: 0, spentSat: 0 });
  });

  it('reconcile does not release the hold of a payment whose send has not reached the node yet', async () => {
    const slow = slowNode(alice());
    const h = harness({ node: slow.node });
    await enable(h);
    const inv = await carolInvoice(90);
    const paying = pay(h, inv.paymentRequest);
    await waitFor(async () => (await h.ledger.byHash(inv.paymentHash)) !== undefined && h.nodeCalls.includes('payInvoice'));

    expect(await h.payments.reconcile()).toEqual({ resolved: 0, stillPending: 1 });
    expect(await h.policy.getSite(SHOP)).toMatchObject({ heldSat: 100 });
    slow.release();
    expect(sha256hex(paidInvoice(await paying).preimage)).toBe(inv.paymentHash);
    expect(await h.ledger.byHash(inv.paymentHash)).toMatchObject({ status: 'succeeded' });
    expect(await h.policy.getSite(SHOP)).toMatchObject({ heldSat: 0, spentSat: 92 });
  });
});
