/**
 * The Payment HTTP authentication scheme against Aperture's cross-implementation vectors
 * (contracts/aperture-mpp/vectors.json, read unchanged, one `it` per vector), then the charge and
 * session request readers this wallet adds on top.
 */
import { readFileSync } from 'node:fs';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { thrownCode, thrownError } from '../testing/expect-code.ts';
import { parseAuthChallenges } from './authparams.ts';
import { base64urlToBytes, bytesToBase64url, utf8Bytes } from './codec.ts';
import { canonicalizeJson } from './jcs.ts';
import * as mpp from './payment.ts';

interface Vectors {
  hmacSecretHex: string;
  canonicalization: { name: string; input: string; canonical?: string; error?: boolean }[];
  base64url: { name: string; encoded: string; decodedHex?: string; canonical: boolean; error?: boolean }[];
  challengeHeaders: { name: string; params: Record<string, string>; header: string; parsed: Record<string, string> }[];
  challengeLists: { name: string; header: string; challenges?: Record<string, string>[]; error?: boolean }[];
  challengeIds: { name: string; params: Record<string, string> & { id: string }; hmacInput: string }[];
  credentials: { name: string; credentialJson: string; header: string; error?: boolean }[];
  receipts: { name: string; receiptJson: string; header: string }[];
}

// The in-repo copy (contracts/ is the project's vendored upstream data), unchanged from Aperture.
const vectors = JSON.parse(readFileSync(new URL('../../contracts/aperture-mpp/vectors.json', import.meta.url), 'utf8')) as Vectors;
const secret = hexToBytes(vectors.hmacSecretHex);

/** Satnav reads JSON numbers as doubles; these vectors pin values a double cannot hold exactly. */
const beyondDouble = (json: string) => (json.match(/[0-9]+/g) ?? []).some((n) => BigInt(n) > BigInt(Number.MAX_SAFE_INTEGER));

describe('vectors: JCS canonicalization (RFC 8785)', () => {
  for (const v of vectors.canonicalization) {
    it(v.name, () => {
      if (v.error) expect(thrownCode(() => canonicalizeJson(v.input))).toBe('L402_CHALLENGE_INVALID');
      else expect(canonicalizeJson(v.input)).toBe(v.canonical);
    });
  }
});

describe('vectors: base64url', () => {
  for (const v of vectors.base64url) {
    it(v.name, () => {
      const bytes = base64urlToBytes(v.encoded);
      if (v.error) return expect(bytes).toBeUndefined();
      expect(bytesToHex(bytes as Uint8Array)).toBe(v.decodedHex ?? '');
      // The encoder writes the canonical spelling, and only that one.
      expect(bytesToBase64url(bytes as Uint8Array) === v.encoded).toBe(v.canonical);
    });
  }
});

describe('vectors: challenge headers', () => {
  for (const v of vectors.challengeHeaders) {
    it(v.name, () => {
      const [only, ...rest] = parseAuthChallenges(v.header);
      expect(rest).toEqual([]);
      expect(mpp.paymentParams(only as never)).toEqual(v.parsed);
      // And the writer produces the same bytes from the parameters.
      expect(mpp.formatPaymentChallenge(v.params as unknown as mpp.PaymentParams)).toBe(v.header);
    });
  }
});

describe('vectors: challenge lists', () => {
  for (const v of vectors.challengeLists) {
    it(v.name, () => {
      if (v.error) expect(thrownCode(() => mpp.parsePaymentChallenges(v.header))).toBe('L402_CHALLENGE_INVALID');
      else expect(mpp.parsePaymentChallenges(v.header)).toEqual(v.challenges);
    });
  }
});

describe('vectors: challenge ids', () => {
  for (const v of vectors.challengeIds) {
    it(v.name, () => {
      const params = v.params as unknown as mpp.PaymentParams;
      expect(mpp.paymentHmacInput(params)).toBe(v.hmacInput);
      expect(mpp.paymentChallengeId(secret, params)).toBe(params.id);
    });
  }
});

describe('vectors: credentials', () => {
  for (const v of vectors.credentials) {
    it(v.name, () => {
      if (v.error) return expect(thrownCode(() => mpp.decodePaymentCredential(v.header))).toBe('L402_CHALLENGE_INVALID');
      const decoded = mpp.decodePaymentCredential(v.header);
      expect(decoded).toEqual(JSON.parse(v.credentialJson));
      // The token is base64url of exactly these JSON bytes, and the encoder writes them again.
      const token = v.header.slice(v.header.indexOf(' ') + 1);
      expect(base64urlToBytes(token)).toEqual(utf8Bytes(v.credentialJson));
      expect(mpp.encodePaymentCredential(decoded)).toBe(token);
    });
  }
});

describe('vectors: receipts and need-top-up events', () => {
  for (const v of vectors.receipts) {
    it(v.name, () => {
      expect(bytesToBase64url(utf8Bytes(v.receiptJson))).toBe(v.header);
      const json = JSON.parse(v.receiptJson) as Record<string, unknown>;
      const read = 'status' in json ? mpp.decodePaymentReceipt : mpp.decodeNeedTopUp;
      // Amounts past 2^53 are refused rather than silently rounded (no real amount is that large).
      if (beyondDouble(v.receiptJson)) expect(thrownCode(() => read(v.header))).toBe('L402_CHALLENGE_INVALID');
      else expect(read(v.header)).toEqual(json);
    });
  }
});

// ---- beyond the vectors ------------------------------------------------------------------------

const b64json = (o: unknown) => bytesToBase64url(utf8Bytes(JSON.stringify(o)));
const HASH = 'bc'.repeat(32);
const charge = (over: Record<string, unknown> = {}, details: Record<string, unknown> = {}) =>
  b64json({ amount: '100', currency: 'sat', description: 'Weather', methodDetails: { invoice: 'lnbc1u1pexample', paymentHash: HASH, network: 'mainnet', ...details }, ...over });

describe('charge request', () => {
  it('reads amount, invoice, hash and network', () => {
    expect(mpp.decodeChargeRequest(charge())).toEqual({ amountSat: 100, description: 'Weather', invoice: 'lnbc1u1pexample', paymentHash: HASH, network: 'bitcoin' });
  });
  it('defaults the network to mainnet and maps Aperture network names to BOLT 11 networks', () => {
    expect(mpp.decodeChargeRequest(charge({}, { network: undefined })).network).toBe('bitcoin');
    for (const [name, net] of [['testnet', 'testnet'], ['signet', 'signet'], ['regtest', 'regtest']])
      expect(mpp.decodeChargeRequest(charge({}, { network: name })).network).toBe(net);
  });
  it('lowercases an uppercase payment hash', () => {
    expect(mpp.decodeChargeRequest(charge({}, { paymentHash: HASH.toUpperCase() })).paymentHash).toBe(HASH);
  });
  const bad: [string, string][] = [
    ['amount as a number', charge({ amount: 100 })],
    ['negative amount', charge({ amount: '-1' })],
    ['amount with a leading zero', charge({ amount: '0100' })],
    ['amount above 21M BTC', charge({ amount: '2100000000000001' })],
    ['currency other than sat', charge({ currency: 'usd' })],
    ['no methodDetails', charge({ methodDetails: undefined })],
    ['methodDetails an array', charge({ methodDetails: [] })],
    ['no invoice', charge({}, { invoice: undefined })],
    ['empty invoice', charge({}, { invoice: '' })],
    ['invoice as a number', charge({}, { invoice: 5 })],
    ['short payment hash', charge({}, { paymentHash: 'bc23' })],
    ['unknown network', charge({}, { network: 'simnet' })],
    ['network named like an Object method', charge({}, { network: 'toString' })],
    ['description not a string', charge({ description: 7 })],
    ['not base64url', 'a+b/'],
    ['base64url of text that is not JSON', b64json('x').slice(0, 2)],
    ['a JSON array', b64json([1])],
    ['JSON null', b64json(null)],
  ];
  for (const [name, request] of bad) it(`refuses ${name}`, () => expect(thrownCode(() => mpp.decodeChargeRequest(request))).toBe('L402_CHALLENGE_INVALID'));
});

describe('session request (read only)', () => {
  const session = (over: Record<string, unknown> = {}) =>
    b64json({ amount: '3', currency: 'sat', unitType: 'token', depositInvoice: 'lnbc500n1p', paymentHash: 'aa'.repeat(32), depositAmount: '60', idleTimeout: '300', ...over });
  it('reads unit price, deposit and idle timeout', () => {
    expect(mpp.decodeSessionRequest(session())).toEqual({
      unitSat: 3,
      unitType: 'token',
      depositInvoice: 'lnbc500n1p',
      paymentHash: 'aa'.repeat(32),
      depositSat: 60,
      idleTimeoutSeconds: 300,
    });
  });
  it('refuses a session without a 32-byte payment hash', () => expect(thrownCode(() => mpp.decodeSessionRequest(session({ paymentHash: 'aa11bb22' })))).toBe('L402_CHALLENGE_INVALID'));
  it('refuses a deposit that is not a sat amount', () => expect(thrownCode(() => mpp.decodeSessionRequest(session({ depositAmount: 'lots' })))).toBe('L402_CHALLENGE_INVALID'));
  it('refuses a currency other than sat', () => expect(thrownCode(() => mpp.decodeSessionRequest(session({ currency: 'eur' })))).toBe('L402_CHALLENGE_INVALID'));
});

describe('challenges beyond the vectors', () => {
  const params: mpp.PaymentParams = { id: 'i', realm: 'r', method: 'lightning', intent: 'charge', request: 'cQ', expires: '2026-03-15T12:05:00Z' };
  it('reads expires as unix seconds', () => expect(mpp.paymentExpiresAt(params)).toBe(Date.UTC(2026, 2, 15, 12, 5) / 1000));
  it('refuses an expires that is not RFC 3339', () => expect(thrownCode(() => mpp.paymentExpiresAt({ ...params, expires: 'tomorrow' }))).toBe('L402_CHALLENGE_INVALID'));
  it('treats an empty required parameter as missing', () =>
    expect(thrownError(() => mpp.parsePaymentChallenges('Payment id="", realm=r, method=lightning, intent=charge, request=cQ')).message).toMatch(/missing id/));
  it('skips a Payment challenge that carries token68', () => expect(thrownCode(() => mpp.parsePaymentChallenges('Payment abc=='))).toBe('L402_CHALLENGE_INVALID'));
  it('refuses a value with a syntax error outright', () => expect(thrownCode(() => mpp.parsePaymentChallenges('Payment id="a'))).toBe('L402_CHALLENGE_INVALID'));
  it('round-trips every parameter through the writer and the parser', () => {
    const all: mpp.PaymentParams = { ...params, digest: 'sha-256=:x:', description: 'say "hi", \\ bye', opaque: 'e30' };
    expect(mpp.parsePaymentChallenges(mpp.formatPaymentChallenge(all))).toEqual([all]);
  });
  it('refuses to write a value a quoted-string cannot carry (a CRLF would split the header)', () =>
    expect(thrownCode(() => mpp.formatPaymentChallenge({ ...params, realm: 'a\r\nSet-Cookie: x' }))).toBe('L402_CHALLENGE_INVALID'));
});

describe('charge credential', () => {
  const params: mpp.PaymentParams = { id: 'kM9x', realm: 'api.example.com', method: 'lightning', intent: 'charge', request: 'eyJ9', expires: '2026-03-15T12:05:00Z', description: 'Q&A' };
  const preimage = 'A3'.repeat(32);
  it('echoes the challenge and sends the preimage in lowercase hex', () => {
    const header = mpp.paymentChargeAuthorization(params, preimage);
    expect(header.startsWith('Payment ')).toBe(true);
    expect(mpp.decodePaymentCredential(header)).toEqual({ challenge: params, payload: { preimage: preimage.toLowerCase() } });
  });
  it('writes the echo in Aperture’s field order', () => {
    const token = mpp.paymentChargeAuthorization({ ...params, digest: 'd', opaque: 'o' }, preimage).slice('Payment '.length);
    const json = new TextDecoder().decode(base64urlToBytes(token));
    expect(Object.keys((JSON.parse(json) as { challenge: object }).challenge)).toEqual(['id', 'realm', 'method', 'intent', 'request', 'expires', 'description', 'opaque', 'digest']);
  });
  for (const bad of ['', 'ab', 'g'.repeat(64), 'a'.repeat(63), 'a'.repeat(65)])
    it(`refuses preimage ${JSON.stringify(bad)}`, () => expect(thrownCode(() => mpp.paymentChargeAuthorization(params, bad))).toBe('L402_HASH_MISMATCH'));
});

describe('credential reader failures', () => {
  const good = { challenge: { id: 'i', realm: 'r', method: 'lightning', intent: 'charge', request: 'cQ' }, payload: { preimage: 'aa' } };
  const cases: [string, string][] = [
    ['no scheme at all', 'eyJ9'],
    ['payload null', `Payment ${b64json({ ...good, payload: null })}`],
    ['payload a string', `Payment ${b64json({ ...good, payload: 'x' })}`],
    ['challenge missing', `Payment ${b64json({ payload: {} })}`],
    ['challenge.realm a number', `Payment ${b64json({ ...good, challenge: { ...good.challenge, realm: 1 } })}`],
    ['challenge.expires a number', `Payment ${b64json({ ...good, challenge: { ...good.challenge, expires: 1 } })}`],
    ['source a number', `Payment ${b64json({ ...good, source: 1 })}`],
    ['over 64 KiB', `Payment ${'A'.repeat(90_000)}`],
  ];
  for (const [name, header] of cases) it(`refuses ${name}`, () => expect(thrownCode(() => mpp.decodePaymentCredential(header))).toBe('L402_CHALLENGE_INVALID'));
  it('accepts surrounding spaces around the token, as Aperture does', () => expect(mpp.decodePaymentCredential(`Payment   ${b64json(good)}  `)).toEqual(good));
});

describe('receipt reader failures', () => {
  const ok = { status: 'success', method: 'lightning', timestamp: 't', reference: 'r' };
  const cases: [string, unknown][] = [
    ['a status other than success', { ...ok, status: 'failed' }],
    ['no reference', { ...ok, reference: undefined }],
    ['a fractional refund', { ...ok, refundSats: 1.5 }],
    ['a negative refund', { ...ok, refundSats: -1 }],
    ['an unknown refundStatus', { ...ok, refundStatus: 'maybe' }],
    ['a challengeId that is not a string', { ...ok, challengeId: 5 }],
  ];
  for (const [name, body] of cases) it(`refuses ${name}`, () => expect(thrownCode(() => mpp.decodePaymentReceipt(b64json(body)))).toBe('L402_CHALLENGE_INVALID'));
  it('refuses a need-top-up event without a session id', () =>
    expect(thrownCode(() => mpp.decodeNeedTopUp(b64json({ balanceSpent: 1, balanceRequired: 1 })))).toBe('L402_CHALLENGE_INVALID'));
});
