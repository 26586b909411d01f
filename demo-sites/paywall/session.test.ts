/**
 * The session wall (Payment intent="session", a custodial deposit) in-process against the
 * in-process devnet. Alice (the wallet's node) pays the deposits and receives the refunds; the
 * credentials are built with the wallet's own builders (src/l402/session.ts), so this is also the
 * interop check between the two sides.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDevnet, type Devnet } from '../../devnet/index.ts';
import { decodeInvoice } from '../../src/bolt11/index.ts';
import { LndRest } from '../../src/node/lnd-rest.ts';
import { parseChallenges as walletChallenges, type PaymentSessionChallenge } from '../../src/l402/challenge.ts';
import { parsePaymentChallenges, type PaymentParams } from '../../src/l402/payment.ts';
import {
  readSessionReceipt,
  sessionBearerAuthorization,
  sessionCloseAuthorization,
  sessionOpenAuthorization,
  sessionTopUpAuthorization,
} from '../../src/l402/session.ts';
import { b64urlEncode, challengeHeader, decodeRequest } from './mpp.ts';
import { startPaywallServer, type PaywallServer } from './paywall.ts';
import type { SessionStats } from './session.ts';

let devnet: Devnet;
let pw: PaywallServer;
let skewMs = 0;

beforeAll(async () => {
  devnet = await startDevnet({ basePort: 0 });
  pw = await startPaywallServer({ control: devnet.control, now: () => Date.now() + skewMs, session: { priceSat: 10, depositUnits: 5 } });
});
afterAll(async () => {
  await pw.stop();
  await devnet.stop();
});
beforeEach(() => {
  skewMs = 0;
  pw.paywall.session.configure({ priceSat: 10, depositUnits: 5, asyncRefund: false });
});

const URL_OF = (file = 'data.json') => `${pw.url}/paywall/session/${file}`;
const get = (auth?: string, file?: string) => fetch(URL_OF(file), auth ? { headers: { authorization: auth } } : {});
const nowS = () => Math.floor(Date.now() / 1000);
const stats = async () => (await (await fetch(`${pw.url}/paywall/session/stats`)).json()) as SessionStats;

/** The 402's session offer, as the wallet reads it. */
async function offer(res?: Response): Promise<{ params: PaymentParams; challenge: PaymentSessionChallenge; reason: string | null }> {
  const r = res ?? (await get());
  expect(r.status).toBe(402);
  const www = r.headers.get('www-authenticate') ?? '';
  const [params] = parsePaymentChallenges(www);
  const [challenge] = walletChallenges({ wwwAuthenticate: www }).challenges;
  expect(challenge?.scheme === 'payment' && challenge.intent).toBe('session');
  return { params: params!, challenge: challenge as PaymentSessionChallenge, reason: r.headers.get('x-paywall-reason') };
}

async function pay(paymentRequest: string): Promise<string> {
  const out = await devnet.control.payInvoice('alice', paymentRequest);
  expect(out.status).toBe('SUCCEEDED');
  return out.preimage!;
}

/** An amountless invoice on alice: where the refund goes. */
async function returnInvoice() {
  const inv = await devnet.control.createInvoice('alice', { amountSat: 0, memo: 'refund', expirySec: 3600 });
  expect(decodeInvoice(inv.paymentRequest).amountMsat).toBeNull();
  return inv;
}

const aliceLocalSat = async () => (await devnet.control.balances('alice')).channels.reduce((n, c) => n + c.localSat, 0);

/** A paid deposit and an open session: what a wallet holds after `open`. */
async function openSession() {
  const o = await offer();
  const preimage = await pay(o.challenge.session.depositInvoice!);
  const ret = await returnInvoice();
  const res = await get(sessionOpenAuthorization(o.params, { preimage, returnInvoice: ret.paymentRequest, nowSeconds: nowS() }));
  expect(res.status).toBe(200);
  const sessionId = o.challenge.session.paymentHash;
  expect(readSessionReceipt(res.headers.get('payment-receipt'), { action: 'open', sessionId }).challengeId).toBe(o.params.id);
  const bearer = sessionBearerAuthorization(o.params, { sessionId, preimage });
  return { ...o, preimage, sessionId, ret, bearer };
}

describe('the session challenge', () => {
  it('402 with Payment intent="session": price per request, a deposit invoice on carol, its hash and amount, the idle timeout', async () => {
    const res = await get();
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const { params, challenge } = await offer(res);
    expect([params.realm, params.method, params.intent]).toEqual(['satnav-demo-paywall', 'lightning', 'session']);
    expect(decodeRequest(params.request)).toEqual({
      amount: '10',
      currency: 'sat',
      depositAmount: '50',
      depositInvoice: challenge.invoice.paymentRequest,
      idleTimeout: '300',
      paymentHash: challenge.invoice.paymentHash,
    });
    expect(challenge.invoice.amountMsat).toBe(50_000n);
    expect(challenge.invoice.payee).toBe(devnet.nodes.carol.pubkey);
    expect((await devnet.control.lookupInvoice('carol', challenge.invoice.paymentHash)).state).toBe('OPEN');
  });
  it('a browser navigation gets the HTML 402 page', async () => {
    const res = await fetch(URL_OF('article.html'), { headers: { accept: 'text/html' } });
    expect(res.status).toBe(402);
    expect(await res.text()).toContain('data-paywall="402"');
  });
  it('unknown files are 404, other methods 405', async () => {
    expect((await get(undefined, 'nope.json')).status).toBe(404);
    expect((await fetch(URL_OF(), { method: 'POST' })).status).toBe(405);
  });
});

describe('open → bearer → close, with the refund back on alice', () => {
  it('serves and debits the price per request, then refunds exactly the unspent balance', async () => {
    const s = await openSession();
    expect(pw.paywall.session.session(s.sessionId)).toMatchObject({ status: 'open', depositSat: 50, spentSat: 0, balanceSat: 50 });
    for (let i = 1; i <= 3; i++) {
      const res = await get(s.bearer, 'image.svg');
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<svg');
      expect(readSessionReceipt(res.headers.get('payment-receipt'), { action: 'bearer', sessionId: s.sessionId }).refundSat).toBe(0);
      expect(pw.paywall.session.session(s.sessionId)?.balanceSat).toBe(50 - 10 * i);
    }
    const before = await aliceLocalSat();
    const res = await get(sessionCloseAuthorization(s.params, { sessionId: s.sessionId, preimage: s.preimage }));
    expect(res.status).toBe(200);
    const receipt = readSessionReceipt(res.headers.get('payment-receipt'), { action: 'close', sessionId: s.sessionId });
    expect([receipt.refundSat, receipt.refundStatus]).toEqual([20, 'succeeded']);
    const back = await devnet.control.lookupInvoice('alice', s.ret.paymentHash);
    expect([back.state, back.amtPaidSat]).toEqual(['SETTLED', 20]);
    expect((await aliceLocalSat()) - before).toBe(20);
    // Closed: its bearer and a second close get a fresh challenge.
    const after = await get(s.bearer);
    expect([after.status, after.headers.get('x-paywall-reason')]).toEqual([402, 'session-closed']);
    const again = await get(sessionCloseAuthorization(s.params, { sessionId: s.sessionId, preimage: s.preimage }));
    expect([again.status, again.headers.get('x-paywall-reason')]).toEqual([402, 'session-closed']);
    expect(pw.paywall.session.session(s.sessionId)).toMatchObject({ status: 'closed', spentSat: 30, refundSat: 20, refundStatus: 'succeeded' });
  });

  it('an exhausted balance answers 402 with a fresh offer; a top-up credits it once and serves again', async () => {
    const s = await openSession();
    for (let i = 0; i < 5; i++) expect((await get(s.bearer)).status).toBe(200);
    const empty = await offer(await get(s.bearer));
    expect(empty.reason).toBe('insufficient-balance');
    const topUpPreimage = await pay(empty.challenge.session.depositInvoice!);
    const topUp = sessionTopUpAuthorization(empty.params, { sessionId: s.sessionId, topUpPreimage });
    const res = await get(topUp);
    expect(res.status).toBe(200);
    expect(readSessionReceipt(res.headers.get('payment-receipt'), { action: 'topUp', sessionId: s.sessionId }).reference).toBe(s.sessionId);
    // The same top-up again (its answer lost): served, credited once.
    expect((await get(topUp)).status).toBe(200);
    expect(pw.paywall.session.session(s.sessionId)).toMatchObject({ depositSat: 100, spentSat: 50, balanceSat: 50, topUps: 1 });
    expect((await get(s.bearer)).status).toBe(200);
    // That payment cannot open a session of its own.
    const ret = await returnInvoice();
    const reuse = await get(sessionOpenAuthorization(empty.params, { preimage: topUpPreimage, returnInvoice: ret.paymentRequest, nowSeconds: nowS() }));
    expect([reuse.status, reuse.headers.get('x-paywall-reason')]).toEqual([402, 'already-used']);
  });

  it('closing an empty session refunds nothing: refundStatus skipped, refundSats omitted', async () => {
    const s = await openSession();
    for (let i = 0; i < 5; i++) expect((await get(s.bearer)).status).toBe(200);
    const res = await get(sessionCloseAuthorization(s.params, { sessionId: s.sessionId, preimage: s.preimage }));
    const raw = new TextDecoder().decode(Buffer.from(res.headers.get('payment-receipt') ?? '', 'base64url'));
    expect(raw).not.toContain('refundSats');
    expect(readSessionReceipt(res.headers.get('payment-receipt'), { action: 'close', sessionId: s.sessionId })).toMatchObject({ refundSat: 0, refundStatus: 'skipped' });
    expect((await devnet.control.lookupInvoice('alice', s.ret.paymentHash)).state).toBe('OPEN');
  });

  it('asyncRefund answers "failed" first (Aperture’s pessimism), and the refund still arrives', async () => {
    pw.paywall.session.configure({ asyncRefund: true });
    const s = await openSession();
    const res = await get(sessionCloseAuthorization(s.params, { sessionId: s.sessionId, preimage: s.preimage }));
    expect(readSessionReceipt(res.headers.get('payment-receipt'), { action: 'close', sessionId: s.sessionId })).toMatchObject({ refundSat: 50, refundStatus: 'failed' });
    await pw.paywall.session.refundsDone();
    expect((await devnet.control.lookupInvoice('alice', s.ret.paymentHash)).amtPaidSat).toBe(50);
    expect(pw.paywall.session.session(s.sessionId)?.refundStatus).toBe('succeeded');
  });

  it('a refund that cannot reach alice is reported failed, the balance stays with the site', async () => {
    const s = await openSession();
    devnet.control.setFailHtlcs('alice', true);
    try {
      const res = await get(sessionCloseAuthorization(s.params, { sessionId: s.sessionId, preimage: s.preimage }));
      expect(readSessionReceipt(res.headers.get('payment-receipt'), { action: 'close', sessionId: s.sessionId })).toMatchObject({ refundSat: 50, refundStatus: 'failed' });
    } finally {
      devnet.control.setFailHtlcs('alice', false);
    }
    expect((await devnet.control.lookupInvoice('alice', s.ret.paymentHash)).state).toBe('OPEN');
  });

  it('counts what happened', async () => {
    const st = await stats();
    expect(st.opened).toBeGreaterThanOrEqual(5);
    expect(st.closed).toBeGreaterThanOrEqual(4);
    expect(st.refundedSat).toBeGreaterThanOrEqual(70);
    expect(st.sessions.every((x) => x.depositSat === x.spentSat + x.balanceSat + (x.refundSat ?? 0))).toBe(true);
  });
});

describe('refusals: a fresh challenge and the reason', () => {
  const reasonOf = async (auth: string) => {
    const res = await get(auth);
    expect(res.status).toBe(402);
    expect(res.headers.get('www-authenticate')).toMatch(/^Payment .*intent="session"/);
    return res.headers.get('x-paywall-reason');
  };
  const credential = (o: unknown) => `Payment ${b64urlEncode(new TextEncoder().encode(JSON.stringify(o)))}`;

  it('open with a preimage that is not the deposit’s', async () => {
    const o = await offer();
    const other = await offer();
    const preimage = await pay(other.challenge.session.depositInvoice!);
    const ret = await returnInvoice();
    const forged = { challenge: o.params, payload: { action: 'open', preimage, returnInvoice: ret.paymentRequest } };
    expect(await reasonOf(credential(forged))).toBe('wrong-preimage');
  });
  it('open while the deposit invoice is unpaid (its preimage read off carol’s node)', async () => {
    const o = await offer();
    const carol = new LndRest({ baseUrl: devnet.nodes.carol.lndRestUrl, macaroonHex: devnet.nodes.carol.adminMacaroonHex });
    const { preimage } = await carol.lookupInvoice(o.challenge.invoice.paymentHash);
    const ret = await returnInvoice();
    expect(await reasonOf(sessionOpenAuthorization(o.params, { preimage: preimage!, returnInvoice: ret.paymentRequest, nowSeconds: nowS() }))).toBe('invoice-not-settled');
  });
  it('open with a return invoice that names an amount, or none at all', async () => {
    const o = await offer();
    const preimage = await pay(o.challenge.session.depositInvoice!);
    const priced = await devnet.control.createInvoice('alice', { amountSat: 7 });
    expect(await reasonOf(credential({ challenge: o.params, payload: { action: 'open', preimage, returnInvoice: priced.paymentRequest } }))).toBe('bad-return-invoice');
    expect(await reasonOf(credential({ challenge: o.params, payload: { action: 'open', preimage } }))).toBe('bad-return-invoice');
    expect(await reasonOf(credential({ challenge: o.params, payload: { action: 'open', preimage, returnInvoice: 'lnbcrt1junk' } }))).toBe('bad-return-invoice');
  });
  it('the same deposit opening a second session', async () => {
    const s = await openSession();
    const ret = await returnInvoice();
    expect(await reasonOf(sessionOpenAuthorization(s.params, { preimage: s.preimage, returnInvoice: ret.paymentRequest, nowSeconds: nowS() }))).toBe('already-used');
  });
  it('bearer with a preimage that is not the session’s, or for a session never opened', async () => {
    const s = await openSession();
    const wrong = credential({ challenge: s.params, payload: { action: 'bearer', sessionId: s.sessionId, preimage: 'cd'.repeat(32) } });
    expect(await reasonOf(wrong)).toBe('wrong-preimage');
    const stranger = credential({ challenge: s.params, payload: { action: 'bearer', sessionId: 'ef'.repeat(32), preimage: 'cd'.repeat(32) } });
    expect(await reasonOf(stranger)).toBe('unknown-session');
  });
  it('an altered challenge (a cheaper price in the echoed request)', async () => {
    const s = await openSession();
    const req = decodeRequest(s.params.request) as Record<string, string>;
    const cheaper = { ...s.params, request: b64urlEncode(new TextEncoder().encode(JSON.stringify({ ...req, amount: '1' }))) };
    expect(await reasonOf(credential({ challenge: cheaper, payload: { action: 'bearer', sessionId: s.sessionId, preimage: s.preimage } }))).toBe('bad-challenge');
  });
  it('an expired challenge: the bearer must echo a fresh one', async () => {
    const s = await openSession();
    skewMs = 901_000;
    expect(await reasonOf(s.bearer)).toBe('challenge-expired');
    const fresh = await offer();
    expect((await get(sessionBearerAuthorization(fresh.params, { sessionId: s.sessionId, preimage: s.preimage }))).status).toBe(200);
  });
  it('malformed credentials, an unknown action, a charge credential', async () => {
    const o = await offer();
    expect(await reasonOf('Payment !!!')).toBe('malformed-credential');
    expect(await reasonOf(credential({ challenge: o.params, payload: { action: 'refund', sessionId: 'aa' } }))).toBe('malformed-credential');
    expect(await reasonOf(credential({ challenge: { ...o.params, intent: 'charge' }, payload: { preimage: 'aa'.repeat(32) } }))).toBe('unsupported');
    expect(challengeHeader(o.params)).toMatch(/intent="session"/);
  });
  it('config: bad values are 400, good ones apply', async () => {
    const bad = await fetch(`${pw.url}/paywall/session/config`, { method: 'POST', body: JSON.stringify({ priceSat: 0 }) });
    expect(bad.status).toBe(400);
    const good = await fetch(`${pw.url}/paywall/session/config`, { method: 'POST', body: JSON.stringify({ priceSat: 4 }) });
    expect(((await good.json()) as { priceSat: number }).priceSat).toBe(4);
    expect(decodeRequest((await offer()).params.request)).toMatchObject({ amount: '4', depositAmount: '20' });
  });
});
