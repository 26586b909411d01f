/**
 * The session intent's credentials and receipts against Aperture's vectors (contracts/aperture-mpp/
 * vectors.json, read unchanged, one `it` per vector used), then the builders the wallet signs with,
 * the readers' refusals, and the admission of a session offer.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { thrownCode, thrownError } from '../testing/expect-code.ts';
import { admitSession, type AdmitContext } from './admit.ts';
import { parseChallenges, type Challenge } from './challenge.ts';
import { base64urlToBytes, bytesToBase64url, utf8Bytes } from './codec.ts';
import { formatPaymentChallenge, type PaymentParams } from './payment.ts';
import * as s from './session.ts';
import { invoice, NOW, paymentParamsFor, sessionLine, type TestInvoice } from './test-fixtures.ts';

interface Vectors {
  credentials: { name: string; credentialJson: string; header: string; error?: boolean }[];
  receipts: { name: string; receiptJson: string; header: string }[];
}
const vectors = JSON.parse(readFileSync(new URL('../../contracts/aperture-mpp/vectors.json', import.meta.url), 'utf8')) as Vectors;

const b64json = (o: unknown) => bytesToBase64url(utf8Bytes(JSON.stringify(o)));

describe('vectors: credentials, read as session credentials', () => {
  for (const v of vectors.credentials) {
    it(v.name, () => {
      if (v.error) return expect(thrownCode(() => s.decodeSessionCredential(v.header))).toBe('SESSION_CREDENTIAL_INVALID');
      const json = JSON.parse(v.credentialJson) as { challenge: PaymentParams; payload: Record<string, unknown> };
      if (json.challenge.intent !== 'session') {
        // A charge credential is well formed, but it is no session credential.
        const e = thrownError(() => s.decodeSessionCredential(v.header));
        expect([e.code, e.message]).toEqual(['SESSION_CREDENTIAL_INVALID', 'l402: credential intent is not session=charge']);
        return;
      }
      const decoded = s.decodeSessionCredential(v.header);
      expect(decoded).toEqual(json);
      // The writer produces the vector's bytes from its parts, byte for byte.
      expect(`Payment ${s.encodeSessionCredential(decoded)}`).toBe(v.header);
      expect(base64urlToBytes(v.header.slice('Payment '.length))).toEqual(utf8Bytes(v.credentialJson));
      expect(s.encodeSessionCredential(JSON.parse(v.credentialJson) as s.SessionCredential)).toBe(v.header.slice('Payment '.length));
    });
  }
});

describe('vectors: receipts, read as answers to a session action', () => {
  for (const v of vectors.receipts) {
    const json = JSON.parse(v.receiptJson) as Record<string, unknown>;
    if (!('status' in json)) continue; // need-top-up events are payment.test.ts's
    it(v.name, () => {
      const reference = json.reference as string;
      const action = 'refundStatus' in json ? 'close' : 'bearer';
      if (typeof json.refundSats === 'number' && !Number.isSafeInteger(json.refundSats)) {
        // Past 2^53 a double no longer holds the amount: refused, never rounded.
        const e = thrownError(() => s.readSessionReceipt(v.header, { action, sessionId: reference }));
        expect(e.code).toBe('SESSION_RECEIPT_INVALID');
        expect(e.message).toMatch(/refundSats/);
        return;
      }
      const r = s.readSessionReceipt(v.header, { action, sessionId: reference });
      expect(r).toEqual({
        reference,
        timestamp: json.timestamp,
        ...(json.challengeId !== undefined && { challengeId: json.challengeId }),
        refundSat: json.refundSats ?? 0,
        ...(json.refundStatus !== undefined && { refundStatus: json.refundStatus }),
      });
      // The same receipt names no other session.
      expect(thrownCode(() => s.readSessionReceipt(v.header, { action, sessionId: `${reference}00` }))).toBe('SESSION_RECEIPT_INVALID');
    });
  }
});

// ---- the wallet's builders ---------------------------------------------------------------------

const deposit = invoice({ seed: 'deposit', amountSat: 60 });
const topUp = invoice({ seed: 'top-up', amountSat: 60 });
const returnInv = invoice({ seed: 'return' });
const sessionParams = (inv: TestInvoice, over: Record<string, unknown> = {}) =>
  paymentParamsFor(inv, {
    intent: 'session',
    request: { amount: '3', currency: 'sat', depositInvoice: inv.paymentRequest, paymentHash: inv.paymentHash, depositAmount: '60', idleTimeout: '300', ...over },
  });
const challenge = sessionParams(deposit);
const sessionId = deposit.paymentHash;

describe('session credential builders', () => {
  it('open: the deposit preimage and an amountless return invoice, echoing the offer', () => {
    const h = s.sessionOpenAuthorization(challenge, { preimage: deposit.preimage.toUpperCase(), returnInvoice: returnInv.paymentRequest, nowSeconds: NOW });
    expect(s.decodeSessionCredential(h)).toEqual({ challenge, payload: { action: 'open', preimage: deposit.preimage, returnInvoice: returnInv.paymentRequest } });
  });
  it('open: a source (DID) goes between the echo and the payload', () => {
    const h = s.sessionOpenAuthorization(challenge, { preimage: deposit.preimage, returnInvoice: returnInv.paymentRequest, nowSeconds: NOW, source: 'did:key:z6Mk' });
    const json = new TextDecoder().decode(base64urlToBytes(h.slice(8)));
    expect(Object.keys(JSON.parse(json) as object)).toEqual(['challenge', 'source', 'payload']);
  });
  it('bearer and close: the session id and the deposit preimage, in the vectors’ key order', () => {
    for (const [build, action] of [
      [s.sessionBearerAuthorization, 'bearer'],
      [s.sessionCloseAuthorization, 'close'],
    ] as const) {
      const h = build(challenge, { sessionId, preimage: deposit.preimage });
      const json = new TextDecoder().decode(base64urlToBytes(h.slice(8)));
      expect(json.endsWith(`"payload":{"action":"${action}","sessionId":"${sessionId}","preimage":"${deposit.preimage}"}}`)).toBe(true);
    }
  });
  it('topUp: the session id and the preimage of the new deposit the echoed offer asked', () => {
    const h = s.sessionTopUpAuthorization(sessionParams(topUp), { sessionId, topUpPreimage: topUp.preimage });
    expect(s.decodeSessionCredential(h).payload).toEqual({ action: 'topUp', sessionId, topUpPreimage: topUp.preimage });
  });

  const refusals: [string, () => unknown, string][] = [
    ['open with the preimage of another invoice', () => s.sessionOpenAuthorization(challenge, { preimage: topUp.preimage, returnInvoice: returnInv.paymentRequest, nowSeconds: NOW }), 'L402_HASH_MISMATCH'],
    ['open with a short preimage', () => s.sessionOpenAuthorization(challenge, { preimage: 'aabb', returnInvoice: returnInv.paymentRequest, nowSeconds: NOW }), 'SESSION_CREDENTIAL_INVALID'],
    ['open with a return invoice that names an amount', () => s.sessionOpenAuthorization(challenge, { preimage: deposit.preimage, returnInvoice: topUp.paymentRequest, nowSeconds: NOW }), 'SESSION_CREDENTIAL_INVALID'],
    ['open with an expired return invoice', () => s.sessionOpenAuthorization(challenge, { preimage: deposit.preimage, returnInvoice: returnInv.paymentRequest, nowSeconds: NOW + 3600 }), 'SESSION_CREDENTIAL_INVALID'],
    ['open with a return invoice that is not bolt11', () => s.sessionOpenAuthorization(challenge, { preimage: deposit.preimage, returnInvoice: 'lnbc1p', nowSeconds: NOW }), 'SESSION_CREDENTIAL_INVALID'],
    ['open echoing a charge offer', () => s.sessionOpenAuthorization(paymentParamsFor(deposit), { preimage: deposit.preimage, returnInvoice: returnInv.paymentRequest, nowSeconds: NOW }), 'SESSION_CREDENTIAL_INVALID'],
    ['open echoing an offer whose request is not JSON', () => s.sessionOpenAuthorization({ ...challenge, request: 'e30x' }, { preimage: deposit.preimage, returnInvoice: returnInv.paymentRequest, nowSeconds: NOW }), 'SESSION_CREDENTIAL_INVALID'],
    ['bearer with a preimage that is not the session’s', () => s.sessionBearerAuthorization(challenge, { sessionId, preimage: topUp.preimage }), 'L402_HASH_MISMATCH'],
    ['bearer with a session id that is not 32 bytes', () => s.sessionBearerAuthorization(challenge, { sessionId: 'aa11bb22', preimage: deposit.preimage }), 'SESSION_CREDENTIAL_INVALID'],
    ['close with a preimage of 63 hex digits', () => s.sessionCloseAuthorization(challenge, { sessionId, preimage: deposit.preimage.slice(1) }), 'SESSION_CREDENTIAL_INVALID'],
    ['topUp with a preimage the echoed offer did not ask', () => s.sessionTopUpAuthorization(sessionParams(topUp), { sessionId, topUpPreimage: deposit.preimage }), 'L402_HASH_MISMATCH'],
    ['topUp paying with the deposit that opened the session', () => s.sessionTopUpAuthorization(challenge, { sessionId, topUpPreimage: deposit.preimage }), 'SESSION_CREDENTIAL_INVALID'],
    ['a source that is not a string', () => s.encodeSessionCredential({ challenge, source: 7 as never, payload: { action: 'bearer', sessionId: 'aa', preimage: 'bb' } }), 'SESSION_CREDENTIAL_INVALID'],
    ['a credential over 64 KiB', () => s.encodeSessionCredential({ challenge: { ...challenge, description: 'x'.repeat(70_000) }, payload: { action: 'bearer', sessionId: 'aa', preimage: 'bb' } }), 'SESSION_CREDENTIAL_INVALID'],
    ['an unknown action', () => s.encodeSessionCredential({ challenge, payload: { action: 'refund', sessionId: 'aa' } as never }), 'SESSION_CREDENTIAL_INVALID'],
  ];
  for (const [name, fn, code] of refusals) it(`refuses ${name}`, () => expect(thrownCode(fn)).toBe(code));
});

describe('session credential reader refusals', () => {
  const echo = { id: 'i', realm: 'r', method: 'lightning', intent: 'session', request: 'cQ' };
  const cred = (payload: unknown, over: Record<string, unknown> = {}) => `Payment ${b64json({ challenge: { ...echo, ...over }, payload })}`;
  const cases: [string, string, RegExp][] = [
    ['an unknown action', cred({ action: 'refund', sessionId: 'aa' }), /unknown session action=refund/],
    ['an action that is not a string', cred({ action: 1 }), /unknown session action=1/],
    ['no action', cred({ preimage: 'aa' }), /unknown session action/],
    ['the action in another case', cred({ action: 'TopUp', sessionId: 'aa', topUpPreimage: 'bb' }), /unknown session action=TopUp/],
    ['a payload that is an array', cred([{ action: 'bearer' }]), /missing payload/],
    ['a payload that is a string', cred('bearer'), /missing payload|not an object/],
    ['open without returnInvoice', cred({ action: 'open', preimage: 'aa' }), /open payload missing returnInvoice/],
    ['open with an empty preimage', cred({ action: 'open', preimage: '', returnInvoice: 'lnbc1p' }), /open payload missing preimage/],
    ['bearer without sessionId', cred({ action: 'bearer', preimage: 'aa' }), /bearer payload missing sessionId/],
    ['bearer with a numeric preimage', cred({ action: 'bearer', sessionId: 'aa', preimage: 12 }), /bearer payload missing preimage/],
    ['topUp with preimage instead of topUpPreimage', cred({ action: 'topUp', sessionId: 'aa', preimage: 'bb' }), /stray key=preimage/],
    ['close with a returnInvoice', cred({ action: 'close', sessionId: 'aa', preimage: 'bb', returnInvoice: 'lnbc1p' }), /stray key=returnInvoice/],
    ['uppercase hex', cred({ action: 'bearer', sessionId: 'AA', preimage: 'bb' }), /sessionId is not lowercase hex/],
    ['an odd number of hex digits', cred({ action: 'close', sessionId: 'aa', preimage: 'abc' }), /preimage is not lowercase hex/],
    ['a charge intent', cred({ action: 'bearer', sessionId: 'aa', preimage: 'bb' }, { intent: 'charge' }), /intent is not session=charge/],
    ['another method', cred({ action: 'bearer', sessionId: 'aa', preimage: 'bb' }, { method: 'stripe' }), /method is not lightning=stripe/],
    ['standard base64 instead of base64url', 'Payment a+b/', /not base64url/],
    ['base64url of text that is not JSON', `Payment ${bytesToBase64url(utf8Bytes('{oops'))}`, /not a JSON object/],
    ['base64url of bytes that are not UTF-8', `Payment ${bytesToBase64url(new Uint8Array([0xff, 0xfe]))}`, /not UTF-8/],
    ['a token over 64 KiB', `Payment ${'A'.repeat(90_000)}`, /too long/],
    ['no token at all', 'Payment', /empty credential|not base64url|scheme/],
    ['another scheme', 'L402 abc:def', /scheme is not Payment/],
  ];
  for (const [name, header, message] of cases)
    it(`refuses ${name}`, () => {
      const e = thrownError(() => s.decodeSessionCredential(header));
      expect(e.code).toBe('SESSION_CREDENTIAL_INVALID');
      expect(e.message).toMatch(/^l402: /);
      expect(e.message).toMatch(message);
    });
});

describe('session receipt reader refusals', () => {
  const ok = { method: 'lightning', reference: sessionId, status: 'success', timestamp: '2030-03-17T00:00:00Z' };
  const close = { action: 'close', sessionId } as const;
  const bearer = { action: 'bearer', sessionId } as const;
  const cases: [string, string | null, { action: s.SessionAction; sessionId: string }, RegExp][] = [
    ['no header', null, close, /no Payment-Receipt on the close answer/],
    ['an empty header', '  ', bearer, /no Payment-Receipt/],
    ['a value that is not base64url', 'a+b/', close, /not base64url/],
    ['a JSON array', b64json([ok]), close, /not a JSON object/],
    ['a status other than success', b64json({ ...ok, status: 'failed' }), close, /receipt status=failed/],
    ['another method', b64json({ ...ok, method: 'stripe' }), close, /method is not lightning/],
    ['no reference', b64json({ ...ok, reference: undefined }), close, /reference is not a string/],
    ['a reference to another session', b64json({ ...ok, reference: 'ab'.repeat(32) }), close, /another session/],
    ['refund fields on a bearer receipt', b64json({ ...ok, refundSats: 5, refundStatus: 'succeeded' }), bearer, /refund fields on a bearer receipt/],
    ['skipped with a refund', b64json({ ...ok, refundSats: 5, refundStatus: 'skipped' }), close, /skipped with refundSats=5/],
    ['succeeded with nothing refunded', b64json({ ...ok, refundStatus: 'succeeded' }), close, /succeeded without refundSats/],
    ['a refund without a status', b64json({ ...ok, refundSats: 5 }), close, /refundSats without refundStatus=5/],
    ['an unknown refundStatus', b64json({ ...ok, refundSats: 5, refundStatus: 'pending' }), close, /refundStatus=pending/],
    ['a refund given as a string', b64json({ ...ok, refundSats: '140', refundStatus: 'succeeded' }), close, /refundSats/],
    ['a negative refund', b64json({ ...ok, refundSats: -1, refundStatus: 'failed' }), close, /refundSats/],
    ['a fractional refund', b64json({ ...ok, refundSats: 1.5, refundStatus: 'succeeded' }), close, /refundSats/],
    ['a refund above 21M BTC', b64json({ ...ok, refundSats: 2_100_000_000_000_001, refundStatus: 'succeeded' }), close, /refundSats/],
  ];
  for (const [name, header, expected, message] of cases)
    it(`refuses ${name}`, () => {
      const e = thrownError(() => s.readSessionReceipt(header, expected));
      expect(e.code).toBe('SESSION_RECEIPT_INVALID');
      expect(e.message).toMatch(message);
    });
  it('reads a close receipt whose refund status the server lost as unknown, not as zero refunded', () => {
    expect(s.readSessionReceipt(b64json(ok), close)).toEqual({ reference: sessionId, timestamp: ok.timestamp, refundSat: 0 });
  });
});

// ---- admission -----------------------------------------------------------------------------------

describe('admitSession', () => {
  const ctx: AdmitContext = { now: NOW, network: 'regtest', ceilingSat: 1_000 };
  const one = (line: string): Challenge => parseChallenges({ wwwAuthenticate: line }).challenges[0]!;
  const line = (inv: TestInvoice, over: Record<string, unknown> = {}) =>
    paymentLineFor(inv, { amount: '3', currency: 'sat', depositInvoice: inv.paymentRequest, paymentHash: inv.paymentHash, depositAmount: '60', idleTimeout: '300', ...over });
  it('admits a session offer: deposit, unit price, idle timeout, the sooner expiry', () => {
    const a = admitSession(one(sessionLine(deposit)), ctx);
    expect([a.paymentHash, a.depositSat, a.unitSat, a.idleTimeoutSeconds, a.invoice]).toEqual([deposit.paymentHash, 60, 3, 300, deposit.paymentRequest]);
    expect(a.expiresAt).toBe(NOW + 300);
  });
  it('still refuses the charge path: a session offer is never ranked, admitted or answered as a charge', () => {
    const c = one(sessionLine(deposit));
    expect(c.scheme === 'payment' && c.supported).toBe(false);
  });
  const other = invoice({ seed: 'other', amountSat: 60 });
  const cases: [string, () => Challenge, Partial<AdmitContext>, string, RegExp][] = [
    ['a deposit invoice for another hash', () => one(line(deposit, { paymentHash: other.paymentHash })), {}, 'L402_HASH_MISMATCH', /the offer names/],
    ['a mainnet deposit for a regtest node', () => one(line(invoice({ seed: 'main', amountSat: 60, currency: 'bc' }))), {}, 'L402_WRONG_NETWORK', /bitcoin network/],
    ['an expired deposit invoice', () => one(line(invoice({ seed: 'old', amountSat: 60, timestamp: NOW - 7200 }))), {}, 'L402_INVOICE_EXPIRED', /expired at/],
    ['an offer past its expires', () => one(sessionLine(deposit)), { now: NOW + 300 }, 'L402_INVOICE_EXPIRED', /expired at/],
    ['an amountless deposit invoice', () => one(line(invoice({ seed: 'any' }), { depositAmount: undefined })), {}, 'L402_NO_AMOUNT', /does not say how much/],
    ['a depositAmount that is not the invoice’s', () => one(line(deposit, { depositAmount: '50' })), {}, 'L402_CHALLENGE_INVALID', /deposit of 50 sat but its invoice asks 60/],
    ['a unit price of zero', () => one(line(deposit, { amount: '0' })), {}, 'L402_CHALLENGE_INVALID', /costs 0 sat/],
    ['a unit price above the deposit', () => one(line(deposit, { amount: '61' })), {}, 'L402_CHALLENGE_INVALID', /costs 61 sat/],
    ['a deposit above the ceiling', () => one(sessionLine(deposit)), { ceilingSat: 59 }, 'L402_ABOVE_CEILING', /deposit of 60 sat, more than the 59/],
    ['a charge offer', () => one(paymentLineFor(deposit, { amount: '60', currency: 'sat', methodDetails: { invoice: deposit.paymentRequest, paymentHash: deposit.paymentHash, network: 'regtest' } }, 'charge')), {}, 'L402_CHALLENGE_INVALID', /not a session offer/],
  ];
  for (const [name, c, over, code, message] of cases)
    it(`refuses ${name}`, () => {
      const e = thrownError(() => admitSession(c(), { ...ctx, ...over }));
      expect(e.code).toBe(code);
      expect(e.message).toMatch(message);
    });
});

function paymentLineFor(inv: TestInvoice, request: Record<string, unknown>, intent = 'session'): string {
  const defined = Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined));
  return formatPaymentChallenge(paymentParamsFor(inv, { intent, request: defined }));
}
