import { describe, expect, it } from 'vitest';
import { codeOf } from '../testing/expect-code.ts';
import { encodeLnurl } from './decode.ts';
import { fetchLnurlParams, type WithdrawParams } from './params.ts';
import { fakeService, signedInvoice, type Answer } from './testing.ts';
import { submitWithdraw } from './withdraw.ts';

const SERVICE = 'https://faucet.com';
const LNURL = encodeLnurl(`${SERVICE}/withdraw`);
const K1 = 'reward-7f3a';
const WITHDRAW = {
  tag: 'withdrawRequest',
  callback: `${SERVICE}/withdraw/cb`,
  k1: K1,
  defaultDescription: 'Reward for your review',
  minWithdrawable: 21_000,
  maxWithdrawable: 500_000,
};
const OK = { json: { status: 'OK' } };

function service(first: Answer, second: Answer = OK) {
  return fakeService({ [`${SERVICE}/withdraw`]: first, [`${SERVICE}/withdraw/cb`]: second, [`${SERVICE}/cb`]: second });
}

async function withdrawParams(svc: ReturnType<typeof service>): Promise<WithdrawParams> {
  const params = await fetchLnurlParams(LNURL, { fetch: svc.fetch });
  if (params.tag !== 'withdrawRequest') throw new Error(`expected withdrawRequest, got ${params.tag}`);
  return params;
}

describe('LUD-03 first step: withdrawRequest parameters', () => {
  it('reads a withdrawRequest', async () => {
    expect(await withdrawParams(service({ json: WITHDRAW }))).toEqual({ ...WITHDRAW, domain: 'faucet.com' });
  });

  it('0 and 0: nothing to withdraw, not an error (newer LUD-03)', async () => {
    expect(await withdrawParams(service({ json: { ...WITHDRAW, minWithdrawable: 0, maxWithdrawable: 0 } }))).toMatchObject({ maxWithdrawable: 0 });
  });

  it('a missing defaultDescription reads as empty', async () => {
    const { defaultDescription: _, ...rest } = WITHDRAW;
    expect((await withdrawParams(service({ json: rest }))).defaultDescription).toBe('');
  });

  const bad: Array<[why: string, answer: object, code: string, message: RegExp]> = [
    ['min > max', { ...WITHDRAW, minWithdrawable: 600_000 }, 'LNURL_BAD_RESPONSE', /minWithdrawable is above maxWithdrawable/],
    ['a negative max', { ...WITHDRAW, minWithdrawable: 0, maxWithdrawable: -1 }, 'LNURL_BAD_RESPONSE', /maxWithdrawable must be a whole number/],
    ['a fractional min', { ...WITHDRAW, minWithdrawable: 21_000.5 }, 'LNURL_BAD_RESPONSE', /minWithdrawable must be a whole number/],
    ['no k1', { ...WITHDRAW, k1: undefined }, 'LNURL_BAD_RESPONSE', /k1 must be text/],
    ['an empty k1', { ...WITHDRAW, k1: '' }, 'LNURL_BAD_RESPONSE', /k1 is empty/],
    ['a numeric k1', { ...WITHDRAW, k1: 7 }, 'LNURL_BAD_RESPONSE', /k1 must be text/],
    ['a defaultDescription that is not text', { ...WITHDRAW, defaultDescription: 1 }, 'LNURL_BAD_RESPONSE', /defaultDescription must be text/],
    ['an http callback', { ...WITHDRAW, callback: 'http://faucet.com/cb' }, 'LNURL_BAD_RESPONSE', /callback must be https/],
    // The prompt names faucet.com as the payer: the invoice must go to faucet.com, nowhere else.
    ['a callback on another host', { ...WITHDRAW, callback: 'https://collector.example/cb' }, 'LNURL_CALLBACK_HOST', /collector.example ≠ faucet.com/],
    ['an ERROR', { status: 'ERROR', reason: 'reward already claimed' }, 'LNURL_SERVICE_ERROR', /reward already claimed/],
  ];
  for (const [why, answer, code, message] of bad) {
    it(`${code} for ${why}`, async () => {
      const p = withdrawParams(service({ json: answer }));
      await expect(p).rejects.toMatchObject({ code });
      await expect(p).rejects.toThrow(message);
    });
  }
});

describe('LUD-03 second step: hand over the invoice', () => {
  const invoice = signedInvoice({ amountMsat: 100_000n, description: 'Reward for your review' });

  it('GETs <callback>?k1=&pr= and resolves on status OK', async () => {
    const svc = service({ json: WITHDRAW });
    await submitWithdraw(await withdrawParams(svc), invoice, { fetch: svc.fetch });
    expect(svc.calls).toHaveLength(2);
    expect(svc.calls[1]!.url.href).toBe(`${SERVICE}/withdraw/cb?k1=${K1}&pr=${invoice}`);
  });

  it('a callback with a query gets &k1=…&pr=…, its own query kept', async () => {
    const svc = service({ json: { ...WITHDRAW, callback: `${SERVICE}/cb?id=5&sig=a%2Fb` } });
    await submitWithdraw(await withdrawParams(svc), invoice, { fetch: svc.fetch });
    expect(svc.calls[1]!.url.href).toBe(`${SERVICE}/cb?id=5&sig=a%2Fb&k1=${K1}&pr=${invoice}`);
  });

  it('a k1 with URL characters is encoded', async () => {
    const svc = service({ json: { ...WITHDRAW, k1: 'a&b=c d' } });
    await submitWithdraw(await withdrawParams(svc), invoice, { fetch: svc.fetch });
    expect(svc.calls[1]!.url.searchParams.get('k1')).toBe('a&b=c d');
  });

  it('the edges of the range are allowed', async () => {
    const svc = service({ json: WITHDRAW });
    const params = await withdrawParams(svc);
    await submitWithdraw(params, signedInvoice({ amountMsat: 21_000n }), { fetch: svc.fetch });
    await submitWithdraw(params, signedInvoice({ amountMsat: 500_000n }), { fetch: svc.fetch });
    expect(svc.calls).toHaveLength(3);
  });

  const badAnswers: Array<[why: string, answer: Answer, code: string, message: RegExp]> = [
    ['status ERROR', { json: { status: 'ERROR', reason: 'this reward was already claimed' } }, 'LNURL_SERVICE_ERROR', /already claimed/],
    ['no status', { json: {} }, 'LNURL_BAD_RESPONSE', /did not answer status OK=\(none\)/],
    ['another status', { json: { status: 'PENDING' } }, 'LNURL_BAD_RESPONSE', /did not answer status OK=PENDING/],
    ['not JSON', { text: 'OK' }, 'LNURL_BAD_RESPONSE', /not JSON/],
    ['no answer', { hang: true }, 'LNURL_TIMEOUT', /did not answer in time/],
  ];
  for (const [why, answer, code, message] of badAnswers) {
    it(`${code} for ${why}`, async () => {
      const svc = service({ json: WITHDRAW }, answer);
      const p = submitWithdraw(await withdrawParams(svc), invoice, { fetch: svc.fetch, timeoutMs: 20 });
      await expect(p).rejects.toMatchObject({ code });
      await expect(p).rejects.toThrow(message);
    });
  }

  const badInvoices: Array<[why: string, pr: string, message: RegExp]> = [
    ['below minWithdrawable', signedInvoice({ amountMsat: 20_999n }), /21000–500000 msat=20999/],
    ['above maxWithdrawable', signedInvoice({ amountMsat: 500_001n }), /21000–500000 msat=500001/],
    ['without an amount', signedInvoice({}), /21000–500000 msat=none/],
    ['not an invoice', 'lnbc1nope', /invoice to withdraw into is invalid/],
  ];
  for (const [why, pr, message] of badInvoices) {
    it(`LNURL_BAD_INPUT for an invoice ${why}, and no request`, async () => {
      const svc = service({ json: WITHDRAW });
      const p = submitWithdraw(await withdrawParams(svc), pr, { fetch: svc.fetch });
      await expect(p).rejects.toMatchObject({ code: 'LNURL_BAD_INPUT' });
      await expect(p).rejects.toThrow(message);
      expect(svc.calls).toHaveLength(1);
    });
  }

  it('LNURL_BAD_INPUT when there is nothing to withdraw', async () => {
    const svc = service({ json: { ...WITHDRAW, minWithdrawable: 0, maxWithdrawable: 0 } });
    await expect(submitWithdraw(await withdrawParams(svc), invoice, { fetch: svc.fetch })).rejects.toThrow('nothing to withdraw=faucet.com');
    expect(svc.calls).toHaveLength(1);
  });

  it('an http callback, or one on another host (params changed on the way), is refused before any request', async () => {
    const svc = service({ json: WITHDRAW });
    const params = await withdrawParams(svc);
    expect(await codeOf(submitWithdraw({ ...params, callback: 'http://faucet.com/withdraw/cb' }, invoice, { fetch: svc.fetch }))).toBe('LNURL_INVALID');
    expect(await codeOf(submitWithdraw({ ...params, callback: 'https://collector.example/cb' }, invoice, { fetch: svc.fetch }))).toBe('LNURL_CALLBACK_HOST');
    expect(svc.calls).toHaveLength(1);
  });
});
