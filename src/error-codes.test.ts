import { describe, expect, it } from 'vitest';
import { ERROR_CODES, isErrorCode, PAGE_ERRORS, type ErrorCode } from './error-codes.ts';
import { moduleErrors, SatnavError } from './errors.ts';
import { toPageError, weblnErrorName } from './webln/error-names.ts';
import { WEBLN_ERROR_NAMES } from './webln/page-channel.ts';

const codes = Object.keys(ERROR_CODES) as ErrorCode[];
const fail = (code: ErrorCode, problem: string, value?: unknown, details?: Record<string, string | number | boolean>) =>
  moduleErrors('test')(code, problem, value, details);

describe('the table', () => {
  it('every page code is used by some wallet code, and has a known WebLN class', () => {
    const used = new Set(codes.map((c) => ERROR_CODES[c].page));
    expect(Object.keys(PAGE_ERRORS).filter((p) => !used.has(p as never))).toEqual([]);
    for (const { name } of Object.values(PAGE_ERRORS)) expect(WEBLN_ERROR_NAMES).toContain(name);
  });
  it('page messages are fixed text: no placeholders, nothing filled in', () => {
    for (const { message } of Object.values(PAGE_ERRORS)) expect(message).not.toMatch(/[$={}]/);
  });
  it('isErrorCode knows exactly the table', () => {
    expect(codes.every(isErrorCode)).toBe(true);
    for (const other of ['SOMETHING_NEW', 'constructor', '__proto__', 'toString', '', 42, undefined]) expect(isErrorCode(other)).toBe(false);
  });
  it('the codes other teams build on are there', () => {
    const coming = ['RATE_LIMITED', 'NODE_REDIRECT', 'LNURL_PRIVATE_ADDRESS', 'LNURL_REDIRECT', 'LNURL_METADATA_MISMATCH', 'LNURL_CALLBACK_HOST'];
    const l402 = ['CHALLENGE_INVALID', 'HASH_MISMATCH', 'INVOICE_EXPIRED', 'WRONG_NETWORK', 'NO_AMOUNT', 'ABOVE_CEILING', 'MACAROON_INVALID'].map((c) => `L402_${c}`);
    expect([...coming, ...l402].filter((c) => !isErrorCode(c))).toEqual([]);
  });
});

describe('toPageError: what a page learns', () => {
  it('every budget refusal reads the same, whichever limit it hit', () => {
    const site = toPageError(fail('BUDGET_EXCEEDED', 'allowance left is 40 sat for', 'https://shop.example', { remainingSiteSat: 40 }));
    const daily = toPageError(fail('DAILY_CAP_EXCEEDED', 'daily_cap_exceeded', 'https://shop.example', { remainingDailySat: 12, origin: 'https://other.example' }));
    const ask = toPageError(fail('APPROVAL_REQUIRED', 'above_auto_approve', 'https://shop.example'));
    expect(daily).toEqual(site);
    expect(ask).toEqual(site);
    expect(site).toEqual({ code: 'BUDGET_EXCEEDED', message: PAGE_ERRORS.BUDGET_EXCEEDED.message, name: 'RejectionError' });
    expect(JSON.stringify(daily)).not.toMatch(/12|other\.example|daily/);
  });

  it('a payment still in flight is not an internal error, and says it may still succeed', () => {
    const e = toPageError(fail('PAYMENT_PENDING', 'payment still in flight', 'ab'.repeat(32)));
    expect(e.name).not.toBe('InternalError');
    expect(e).toEqual({ code: 'PAYMENT_PENDING', message: 'satnav: the payment is still in flight and may yet succeed', name: 'RoutingError' });
  });

  it('LNURL wire failures are indistinguishable: unreachable, slow, bad answer, refusal', () => {
    const replies = [
      fail('LNURL_UNREACHABLE', 'cannot reach service', '10.0.0.7:8080'),
      fail('LNURL_TIMEOUT', 'service did not answer in time', 'slow.example'),
      fail('LNURL_BAD_RESPONSE', 'service answer is not JSON', 'intranet.example: <html><title>Router admin'),
      fail('LNURL_SERVICE_ERROR', 'service refused', 'no such user', { reason: 'no such user', domain: 'tips.example' }),
      fail('LNURL_REDIRECT', 'redirected', 'http://192.168.1.1/'),
    ].map(toPageError);
    for (const r of replies) expect(r).toEqual(replies[0]);
    expect(replies[0]).toEqual({ code: 'LNURL_FAILED', message: 'satnav: the LNURL service failed', name: 'ConnectionError' });
  });

  it('no node error lets its text through', () => {
    const nodeCodes = codes.filter((c) => c.startsWith('NODE_') && c !== 'NODE_BAD_INPUT');
    expect(nodeCodes.length).toBeGreaterThan(10);
    for (const code of nodeCodes) {
      const r = toPageError(fail(code, 'rpc error', 'invoice 7f3a… is already paid; node-7.internal.lan'));
      expect(r, code).toEqual({ code: 'NODE_UNAVAILABLE', message: PAGE_ERRORS.NODE_UNAVAILABLE.message, name: 'ConnectionError' });
    }
  });

  it('anything that is not a wallet error is INTERNAL, with a generic message', () => {
    const internal = { code: 'INTERNAL', message: 'satnav: internal error', name: 'InternalError' };
    expect(toPageError(new TypeError('cannot read x of undefined at /secret/path'))).toEqual(internal);
    expect(toPageError('a thrown string')).toEqual(internal);
    expect(toPageError(undefined)).toEqual(internal);
    // A code the table doesn't know (forged at run time): no lookup into Object.prototype, no leak.
    expect(toPageError(new SatnavError('constructor' as ErrorCode, 'x: secret'))).toEqual(internal);
    expect(toPageError(fail('INVALID_ENTRY', 'invalid field', 'preimage'))).toEqual(internal);
  });

  it('only codes about the page’s own request carry their message', () => {
    const bad = fail('BAD_REQUEST', 'invalid sendPayment params', 'expected string');
    expect(toPageError(bad)).toEqual({ code: 'BAD_REQUEST', message: bad.message, name: 'InvalidDataError' });
    const detailed = codes.filter((c) => (ERROR_CODES[c] as { detail?: true }).detail);
    expect(detailed.sort()).toEqual(['BAD_REQUEST', 'INVOICE_EXPIRED', 'INVOICE_INVALID']);
    // Never the details object, even where the message goes along.
    expect(toPageError(fail('INVOICE_EXPIRED', 'invoice expired at', '2026-01-01T00:00:00.000Z', { origin: 'https://other.example' }))).not.toHaveProperty('details');
  });

  it('the node’s failure reason stays in the wallet', () => {
    expect(toPageError(fail('PAYMENT_FAILED', 'payment failed', 'FAILURE_REASON_INSUFFICIENT_BALANCE'))).toEqual({
      code: 'PAYMENT_FAILED',
      message: 'satnav: the payment failed',
      name: 'RoutingError',
    });
  });

  it('weblnErrorName agrees with toPageError for every code, and is InternalError for strangers', () => {
    for (const code of codes) expect(weblnErrorName(code), code).toBe(toPageError(fail(code, 'x')).name);
    expect(weblnErrorName('SOMETHING_NEW')).toBe('InternalError');
    expect(weblnErrorName('hasOwnProperty')).toBe('InternalError');
  });
});
