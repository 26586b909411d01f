import { describe, expect, it } from 'vitest';
import { decodeInvoice } from '../bolt11/index.ts';
import { Ledger } from '../ledger/index.ts';
import { fakeService, signedInvoice as lnurlInvoice } from '../lnurl/testing.ts';
import type { LightningNode, PayInvoiceParams, PaymentResult } from '../node/types.ts';
import { PolicyEngine } from '../policy/index.ts';
import { MemoryStore } from '../storage/kv.ts';
import { codeOf } from '../testing/expect-code.ts';
import { signedInvoice } from '../testing/signed-invoice.ts';
import { PaymentPipeline } from './pipeline.ts';
import { PopupSender } from './send.ts';

const WALLET = 'chrome-extension://satnavsatnavsatnavsatnavsatnavsa';
const SERVICE = 'https://pay.example';
const METADATA = JSON.stringify([['text/plain', 'Coffee at the corner'], ['text/identifier', 'bob@pay.example']]);
/** lnurl/testing's invoices are dated 1_700_000_000 and live an hour. */
const LNURL_NOW = 1_700_000_060_000;

/** The sender over the real pipeline, policy and ledger; a node that pays what it is given. */
function world(o: { now?: number; nodeAnswer?: PaymentResult['status']; routes?: Parameters<typeof fakeService>[0] } = {}) {
  const store = new MemoryStore();
  const now = () => o.now ?? Date.now();
  const policy = new PolicyEngine({ store, now });
  const ledger = new Ledger({ store, now });
  const sent: PayInvoiceParams[] = [];
  const node = {
    payInvoice: async (p: PayInvoiceParams): Promise<PaymentResult> => {
      sent.push(p);
      const status = o.nodeAnswer ?? 'SUCCEEDED';
      const hash = decodeInvoice(p.paymentRequest).paymentHash;
      return { status, paymentHash: hash, amountMsat: 0n, feeMsat: 2_000n, createdAt: 0, ...(status === 'FAILED' && { failureReason: 'NO_ROUTE' }) };
    },
  } as unknown as LightningNode;
  const ask = async () => {
    throw new Error('the person already chose: no prompt');
  };
  const payments = new PaymentPipeline({ policy, ledger, ask, node: async () => node, isUnlocked: async () => true, now });
  const svc = fakeService(o.routes ?? {});
  const sender = new PopupSender({
    origin: WALLET,
    payments,
    policy,
    ledger,
    node: async () => node,
    nodeNetwork: async () => 'regtest',
    fetch: svc.fetch,
    now,
  });
  return { sender, ledger, policy, sent, calls: svc.calls };
}

const payLink = (o: { min?: number; max?: number; commentAllowed?: number; successAction?: unknown; tag?: string } = {}) => ({
  [`${SERVICE}/.well-known/lnurlp/bob`]: {
    json: { tag: o.tag ?? 'payRequest', callback: `${SERVICE}/cb`, minSendable: o.min ?? 1_000, maxSendable: o.max ?? 50_000_000, metadata: METADATA, commentAllowed: o.commentAllowed ?? 0 },
  },
  [`${SERVICE}/cb`]: (url: URL) => ({
    json: {
      pr: lnurlInvoice({ amountMsat: BigInt(url.searchParams.get('amount')!), descriptionHashOf: METADATA }),
      routes: [],
      ...(o.successAction !== undefined && { successAction: o.successAction }),
    },
  }),
});

describe('PopupSender: invoices', () => {
  it('previews an invoice: amount, payee, description, expiry', async () => {
    const w = world();
    const inv = signedInvoice({ amountSat: 1_234, description: 'Lunch' });
    const p = await w.sender.preview(`lightning:${inv.paymentRequest}`);
    expect(p).toMatchObject({ kind: 'invoice', paymentRequest: inv.paymentRequest, amountSat: 1_234, description: 'Lunch' });
    expect(p.kind === 'invoice' && p.payee).toMatch(/^0[23][0-9a-f]{64}$/);
  });

  it('pays it through the pipeline as the person’s own payment: no prompt, ledger source popup, budget spent', async () => {
    const w = world();
    const inv = signedInvoice({ amountSat: 1_234, description: 'Lunch' });
    const r = await w.sender.pay({ text: inv.paymentRequest, payIn: 'btc' });
    expect(r).toMatchObject({ status: 'SUCCEEDED', paymentHash: inv.paymentHash, amountSat: 1_234, feeSat: 2 });
    expect(w.sent).toHaveLength(1);
    expect(w.sent[0]!.paymentRequest).toBe(inv.paymentRequest);
    const [entry] = await w.ledger.list();
    expect(entry).toMatchObject({ origin: WALLET, source: 'popup', kind: 'payment', rail: 'btc', amountSat: 1_234, status: 'succeeded', description: 'Lunch' });
  });

  it('a failed payment is reported, recorded as failed, and its hold released', async () => {
    const w = world({ nodeAnswer: 'FAILED' });
    const inv = signedInvoice({ amountSat: 500 });
    expect(await w.sender.pay({ text: inv.paymentRequest, payIn: 'btc' })).toMatchObject({ status: 'FAILED', failureReason: 'NO_ROUTE' });
    expect((await w.ledger.list())[0]).toMatchObject({ status: 'failed' });
  });

  it('the daily cap (10,000 sat by default) holds for the person’s own payments, counting what they spent today', async () => {
    const w = world();
    expect(await codeOf(w.sender.pay({ text: signedInvoice({ amountSat: 20_000 }).paymentRequest, payIn: 'btc' }))).toBe('DAILY_CAP_EXCEEDED');
    expect(await w.sender.pay({ text: signedInvoice({ amountSat: 6_000 }).paymentRequest, payIn: 'btc' })).toMatchObject({ status: 'SUCCEEDED' });
    expect(await codeOf(w.sender.pay({ text: signedInvoice({ amountSat: 4_000 }).paymentRequest, payIn: 'btc' }))).toBe('DAILY_CAP_EXCEEDED');
    expect(w.sent).toHaveLength(1);
  });

  const refusals: Array<[string, () => string, string]> = [
    ['an expired invoice', () => signedInvoice({ amountSat: 10, timestamp: Math.floor(Date.now() / 1000) - 7_200 }).paymentRequest, 'INVOICE_EXPIRED'],
    ['an invoice for another network', () => signedInvoice({ amountSat: 10, currency: 'bc' }).paymentRequest, 'INVOICE_WRONG_NETWORK'],
    ['an invoice without an amount', () => signedInvoice({}).paymentRequest, 'INVOICE_NO_AMOUNT'],
    ['an on-chain address', () => 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080', 'PAYMENT_CODE_ONCHAIN'],
    ['rubbish', () => 'pay me', 'PAYMENT_CODE_UNKNOWN'],
  ];
  for (const [name, text, code] of refusals) {
    it(`${name}: ${code} at preview and at pay, nothing sent`, async () => {
      const w = world();
      const t = text();
      expect(await codeOf(w.sender.preview(t))).toBe(code);
      expect(await codeOf(w.sender.pay({ text: t, payIn: 'btc' }))).toBe(code);
      expect(w.sent).toEqual([]);
      expect(await w.ledger.list()).toEqual([]);
    });
  }

  it('the same invoice twice: the second is refused as a duplicate', async () => {
    const w = world();
    const inv = signedInvoice({ amountSat: 10 });
    await w.sender.pay({ text: inv.paymentRequest, payIn: 'btc' });
    expect(await codeOf(w.sender.preview(inv.paymentRequest))).toBe('DUPLICATE_PAYMENT');
    expect(await codeOf(w.sender.pay({ text: inv.paymentRequest, payIn: 'btc' }))).toBe('DUPLICATE_PAYMENT');
    expect(w.sent).toHaveLength(1);
  });

  it('an invoice’s amount is its own: another amount is refused', async () => {
    const w = world();
    const inv = signedInvoice({ amountSat: 10 });
    expect(await codeOf(w.sender.pay({ text: inv.paymentRequest, amountSat: 11, payIn: 'btc' }))).toBe('INVOICE_AMOUNT_MISMATCH');
    expect(w.sent).toEqual([]);
  });

  it('dollars without a dollar rail: refused clearly, nothing sent', async () => {
    const w = world();
    const inv = signedInvoice({ amountSat: 10 });
    expect(await codeOf(w.sender.pay({ text: inv.paymentRequest, payIn: 'usd' }))).toBe('ASSET_UNAVAILABLE');
    expect(w.sent).toEqual([]);
  });
});

describe('PopupSender: LNURL-pay and lightning addresses', () => {
  it('previews the service’s terms (LUD-06/12/16)', async () => {
    const w = world({ routes: payLink({ min: 1_500, max: 2_000_999, commentAllowed: 80 }) });
    expect(await w.sender.preview('bob@pay.example')).toEqual({
      kind: 'lnurlPay',
      domain: 'pay.example',
      address: 'bob@pay.example',
      description: 'Coffee at the corner',
      minSat: 2,
      maxSat: 2_000,
      commentAllowed: 80,
    });
  });

  it('pays the chosen amount with the comment: invoice checked against the metadata, ledger has it, success action shown', async () => {
    const w = world({ now: LNURL_NOW, routes: payLink({ commentAllowed: 80, successAction: { tag: 'message', message: 'Thanks!' } }) });
    const r = await w.sender.pay({ text: 'lightning:bob@pay.example', amountSat: 21, comment: 'for the beans', payIn: 'btc' });
    expect(r).toMatchObject({ status: 'SUCCEEDED', amountSat: 21, successAction: { tag: 'message', message: 'Thanks!' } });
    const cb = w.calls.find((c) => c.url.pathname === '/cb')!;
    expect(Object.fromEntries(cb.url.searchParams)).toEqual({ amount: '21000', comment: 'for the beans' });
    expect((await w.ledger.list())[0]).toMatchObject({ origin: WALLET, source: 'popup', amountSat: 21, status: 'succeeded' });
  });

  it('an amount outside the range is refused before the service is asked for an invoice', async () => {
    const w = world({ now: LNURL_NOW, routes: payLink({ min: 10_000, max: 20_000 }) });
    for (const amountSat of [undefined, 9, 21, 1.5]) {
      expect(await codeOf(w.sender.pay({ text: 'bob@pay.example', ...(amountSat !== undefined && { amountSat }), payIn: 'btc' }))).toBe('BAD_REQUEST');
    }
    expect(w.calls.some((c) => c.url.pathname === '/cb')).toBe(false);
    expect(w.sent).toEqual([]);
  });

  it('a comment the service does not take is refused (LUD-12), nothing paid', async () => {
    const w = world({ now: LNURL_NOW, routes: payLink({ commentAllowed: 0 }) });
    expect(await codeOf(w.sender.pay({ text: 'bob@pay.example', amountSat: 5, comment: 'hi', payIn: 'btc' }))).toBe('LNURL_BAD_INPUT');
    expect(w.sent).toEqual([]);
  });

  it('an invoice that does not commit to the metadata is refused, nothing paid', async () => {
    const routes = {
      ...payLink(),
      [`${SERVICE}/cb`]: (url: URL) => ({ json: { pr: lnurlInvoice({ amountMsat: BigInt(url.searchParams.get('amount')!), description: 'something else' }), routes: [] } }),
    };
    const w = world({ now: LNURL_NOW, routes });
    expect(await codeOf(w.sender.pay({ text: 'bob@pay.example', amountSat: 5, payIn: 'btc' }))).toBe('LNURL_METADATA_MISMATCH');
    expect(w.sent).toEqual([]);
  });

  it('a withdraw link is not something to pay', async () => {
    const w = world({ routes: { [`${SERVICE}/w`]: { json: { tag: 'withdrawRequest', callback: `${SERVICE}/w/cb`, k1: 'ab', minWithdrawable: 1_000, maxWithdrawable: 2_000, defaultDescription: 'reward' } } } });
    expect(await codeOf(w.sender.preview('lnurlw://pay.example/w'))).toBe('LNURL_UNSUPPORTED');
  });

  it('a service that is down reads as such', async () => {
    const w = world({ routes: {} });
    expect(await codeOf(w.sender.preview('bob@pay.example'))).toBe('LNURL_UNREACHABLE');
  });

  it('a service on this machine only in the devnet build', async () => {
    const w = world({ routes: {} });
    expect(await codeOf(w.sender.preview('bob@127.0.0.1:9'))).toBe('LNURL_INVALID');
  });
});
