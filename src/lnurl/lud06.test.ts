import { describe, expect, it } from 'vitest';
import { codeOf, rejectedWith, thrownCode } from '../testing/expect-code.ts';
import { decodeLnurl, encodeLnurl } from './decode.ts';
import { parsePayMetadata, type PayMetadata } from './metadata.ts';
import { fetchLnurlParams, type PayParams } from './params.ts';
import { requestPayInvoice } from './pay.ts';
import { fakeService, signedInvoice, type Answer } from './testing.ts';

const SERVICE = 'https://service.com';
const LNURL = encodeLnurl(`${SERVICE}/lnurlp/tips`);
const METADATA = JSON.stringify([['text/plain', 'Tip the Lightning Times']]);
const PAY = {
  tag: 'payRequest',
  callback: `${SERVICE}/cb?id=7`,
  minSendable: 1000,
  maxSendable: 1_000_000,
  metadata: METADATA,
  commentAllowed: 10,
};

/** A fake service answering `first` at the LNURL and `second` (a function of the query) at the callback. */
function service(first: Answer, second: Answer | ((url: URL) => Answer) = { json: { status: 'ERROR', reason: 'unused' } }) {
  return fakeService({ [`${SERVICE}/lnurlp/tips`]: first, [`${SERVICE}/cb`]: second });
}

async function payParams(svc: ReturnType<typeof service>): Promise<PayParams> {
  const params = await fetchLnurlParams(LNURL, { fetch: svc.fetch });
  if (params.tag !== 'payRequest') throw new Error(`expected payRequest, got ${params.tag}`);
  return params;
}

describe('LUD-06 first step: payRequest parameters', () => {
  it('reads a payRequest', async () => {
    const svc = service({ json: PAY });
    expect(await payParams(svc)).toEqual({
      tag: 'payRequest',
      domain: 'service.com',
      callback: `${SERVICE}/cb?id=7`,
      minSendable: 1000,
      maxSendable: 1_000_000,
      metadata: METADATA,
      meta: { description: 'Tip the Lightning Times' },
      commentAllowed: 10,
    });
  });

  it('one GET, no cookies, no cache, no redirects followed, with a deadline', async () => {
    const svc = service({ json: PAY });
    await payParams(svc);
    expect(svc.calls).toHaveLength(1);
    const init = svc.calls[0]!.init!;
    expect(init).toMatchObject({ method: 'GET', credentials: 'omit', cache: 'no-store', redirect: 'manual' });
    expect(init.signal).toBeInstanceOf(AbortSignal);
  });

  it('takes a decoded Lnurl too, re-reading its domain from its URL', async () => {
    const svc = service({ json: PAY });
    const decoded = { ...decodeLnurl(LNURL), domain: 'trusted-bank.com' };
    expect((await fetchLnurlParams(decoded, { fetch: svc.fetch })).domain).toBe('service.com');
    const insecure = { ...decoded, url: 'http://service.com/lnurlp/tips' };
    expect(await codeOf(fetchLnurlParams(insecure, { fetch: svc.fetch }))).toBe('LNURL_INVALID');
    expect(svc.calls).toHaveLength(1);
  });

  it('commentAllowed missing reads as 0 (LUD-12)', async () => {
    const { commentAllowed: _, ...withoutComment } = PAY;
    expect((await payParams(service({ json: withoutComment }))).commentAllowed).toBe(0);
  });

  it('min = max (a fixed amount) is fine', async () => {
    expect(await payParams(service({ json: { ...PAY, minSendable: 5000, maxSendable: 5000 } }))).toMatchObject({ minSendable: 5000, maxSendable: 5000 });
  });

  it('HTTP status codes mean nothing (LUD-01): a 500 with a good body is read', async () => {
    const fetch = (async () => new Response(JSON.stringify(PAY), { status: 500 })) as typeof globalThis.fetch;
    expect((await fetchLnurlParams(LNURL, { fetch })).tag).toBe('payRequest');
  });

  const bad: Array<[why: string, answer: Answer, code: string, message?: RegExp]> = [
    ['an http callback', { json: { ...PAY, callback: 'http://service.com/cb' } }, 'LNURL_BAD_RESPONSE', /callback must be https/],
    ['a relative callback', { json: { ...PAY, callback: '/cb' } }, 'LNURL_BAD_RESPONSE', /callback is not a URL/],
    ['a callback into a private network', { json: { ...PAY, callback: 'https://10.0.0.1/cb' } }, 'LNURL_BAD_RESPONSE', /callback points into a private network/],
    ['a callback on another host', { json: { ...PAY, callback: 'https://invoices.example/cb' } }, 'LNURL_CALLBACK_HOST', /invoices.example ≠ service.com/],
    ['a callback on a subdomain', { json: { ...PAY, callback: 'https://pay.service.com/cb' } }, 'LNURL_CALLBACK_HOST', /pay.service.com ≠ service.com/],
    ['no callback', { json: { ...PAY, callback: undefined } }, 'LNURL_BAD_RESPONSE', /callback must be text/],
    ['min > max', { json: { ...PAY, minSendable: 2000, maxSendable: 1000 } }, 'LNURL_BAD_RESPONSE', /minSendable is above maxSendable/],
    ['min 0', { json: { ...PAY, minSendable: 0 } }, 'LNURL_BAD_RESPONSE', /at least 1 msat/],
    ['a fractional amount', { json: { ...PAY, minSendable: 1.5 } }, 'LNURL_BAD_RESPONSE', /whole number/],
    ['a negative amount', { json: { ...PAY, minSendable: -1000 } }, 'LNURL_BAD_RESPONSE', /whole number/],
    ['an amount as a string', { json: { ...PAY, maxSendable: '1000000' } }, 'LNURL_BAD_RESPONSE', /maxSendable must be a whole number/],
    ['an amount beyond 2^53', { json: { ...PAY, maxSendable: 2 ** 60 } }, 'LNURL_BAD_RESPONSE', /maxSendable/],
    ['no metadata', { json: { ...PAY, metadata: undefined } }, 'LNURL_BAD_RESPONSE', /metadata must be text/],
    ['metadata as an array, not a string', { json: { ...PAY, metadata: [['text/plain', 'x']] } }, 'LNURL_BAD_RESPONSE', /metadata must be text/],
    ['metadata without text/plain', { json: { ...PAY, metadata: '[]' } }, 'LNURL_BAD_RESPONSE', /exactly one text\/plain/],
    ['a negative commentAllowed', { json: { ...PAY, commentAllowed: -1 } }, 'LNURL_BAD_RESPONSE', /commentAllowed/],
    ['commentAllowed as a string', { json: { ...PAY, commentAllowed: '10' } }, 'LNURL_BAD_RESPONSE', /commentAllowed/],
    ['no tag', { json: { ...PAY, tag: undefined } }, 'LNURL_BAD_RESPONSE', /no tag/],
    ['an unknown tag', { json: { ...PAY, tag: 'giftRequest' } }, 'LNURL_UNSUPPORTED', /not supported=giftRequest/],
    ['status ERROR', { json: { status: 'ERROR', reason: 'shop closed' } }, 'LNURL_SERVICE_ERROR', /service refused=shop closed/],
    ['status error in lower case', { json: { status: 'error', reason: 'shop closed' } }, 'LNURL_SERVICE_ERROR', /shop closed/],
    ['status ERROR without a reason', { json: { status: 'ERROR' } }, 'LNURL_SERVICE_ERROR', /no reason given/],
    ['an HTML page', { text: '<html>502 Bad Gateway</html>' }, 'LNURL_BAD_RESPONSE', /not JSON/],
    ['an empty body', { text: '' }, 'LNURL_BAD_RESPONSE', /not JSON/],
    ['a JSON array', { json: [PAY] }, 'LNURL_BAD_RESPONSE', /not a JSON object/],
    ['JSON null', { json: null }, 'LNURL_BAD_RESPONSE', /not a JSON object/],
    ['a redirect', { redirect: 'https://service.com/lnurlp/tips2' }, 'LNURL_REDIRECT', /redirect, which is not followed=service.com/],
    ["a browser's opaque answer to a redirect", { opaqueRedirect: true }, 'LNURL_REDIRECT', /redirect/],
    ['a refused connection', { unreachable: true }, 'LNURL_UNREACHABLE', /cannot reach service=service.com/],
    ['no answer', { hang: true }, 'LNURL_TIMEOUT', /did not answer in time=service.com/],
  ];
  for (const [why, answer, code, message] of bad) {
    it(`${code} for ${why}`, async () => {
      const svc = service(answer);
      const p = fetchLnurlParams(LNURL, { fetch: svc.fetch, timeoutMs: 20 });
      await expect(p).rejects.toMatchObject({ code });
      if (message) await expect(p).rejects.toThrow(message);
    });
  }

  it('a redirect is refused without requesting where it points, even https on the same host', async () => {
    const svc = fakeService({ [`${SERVICE}/lnurlp/tips`]: { redirect: `${SERVICE}/lnurlp/tips2` }, [`${SERVICE}/lnurlp/tips2`]: { json: PAY } });
    expect(await codeOf(fetchLnurlParams(LNURL, { fetch: svc.fetch }))).toBe('LNURL_REDIRECT');
    expect(svc.calls.map((c) => c.url.pathname)).toEqual(['/lnurlp/tips']);
  });
});

describe('LUD-06 metadata', () => {
  const IMAGE = 'iVBORw0KGgo=';
  const good: Array<[why: string, entries: unknown[][], meta: PayMetadata]> = [
    ['text/plain only', [['text/plain', 'lorem ipsum blah blah']], { description: 'lorem ipsum blah blah' }],
    [
      'every known entry',
      [
        ['text/plain', 'Tip'],
        ['text/long-desc', 'Line one\nline two'],
        ['image/png;base64', IMAGE],
        ['text/identifier', 'tips@service.com'],
      ],
      { description: 'Tip', longDescription: 'Line one\nline two', image: `data:image/png;base64,${IMAGE}`, identifier: 'tips@service.com' },
    ],
    ['a jpeg thumbnail', [['text/plain', 'x'], ['image/jpeg;base64', IMAGE]], { description: 'x', image: `data:image/jpeg;base64,${IMAGE}` }],
    ['an image of exactly 136536 characters', [['text/plain', 'x'], ['image/png;base64', 'A'.repeat(136_536)]], { description: 'x', image: `data:image/png;base64,${'A'.repeat(136_536)}` }],
    [
      'future entries of any JSON type are ignored',
      [['text/plain', 'x'], ['application/x-future', { a: 1 }], ['text/vcard', 1, 2, 3], ['x']],
      { description: 'x' },
    ],
    ['an optional entry whose value is not text is skipped', [['text/plain', 'x'], ['text/long-desc', 42]], { description: 'x' }],
  ];
  for (const [why, entries, meta] of good) it(why, () => expect(parsePayMetadata(JSON.stringify(entries))).toEqual(meta));

  const bad: Array<[why: string, raw: string]> = [
    ['not JSON', '[[text/plain'],
    ['an object', '{"text/plain":"x"}'],
    ['an empty array', '[]'],
    ['two text/plain entries', JSON.stringify([['text/plain', 'a'], ['text/plain', 'b']])],
    ['text/plain that is not text', JSON.stringify([['text/plain', 7]])],
    ['text/plain without a value', JSON.stringify([['text/plain']])],
    ['an entry that is a string', JSON.stringify(['text/plain', 'x'])],
    ['an entry whose type is not a string', JSON.stringify([['text/plain', 'x'], [1, 'y']])],
    ['an empty entry', JSON.stringify([['text/plain', 'x'], []])],
    ['a png and a jpeg', JSON.stringify([['text/plain', 'x'], ['image/png;base64', IMAGE], ['image/jpeg;base64', IMAGE]])],
    ['two pngs', JSON.stringify([['text/plain', 'x'], ['image/png;base64', IMAGE], ['image/png;base64', IMAGE]])],
    ['an image that is not base64', JSON.stringify([['text/plain', 'x'], ['image/png;base64', '"><script>']])],
    ['an image over 136536 characters', JSON.stringify([['text/plain', 'x'], ['image/png;base64', 'A'.repeat(136_537)]])],
  ];
  for (const [why, raw] of bad) it(`LNURL_BAD_RESPONSE for ${why}`, () => expect(thrownCode(() => parsePayMetadata(raw))).toBe('LNURL_BAD_RESPONSE'));
});

describe('LUD-06 second step: the invoice', () => {
  const AMOUNT = 5000;
  const withHash = signedInvoice({ amountMsat: BigInt(AMOUNT), descriptionHashOf: METADATA });

  it('asks the callback for the amount (its own query kept) and checks the invoice', async () => {
    const svc = service({ json: PAY }, { json: { pr: withHash, routes: [] } });
    const got = await requestPayInvoice(await payParams(svc), AMOUNT, { fetch: svc.fetch });
    expect(svc.calls[1]!.url.href).toBe(`${SERVICE}/cb?id=7&amount=5000`);
    expect(got).toMatchObject({ paymentRequest: withHash, amountMsat: AMOUNT });
    expect(got.invoice.amountMsat).toBe(5000n);
    expect(got.successAction).toBeUndefined();
  });

  it('a callback without a query gets ?amount=', async () => {
    const svc = service({ json: { ...PAY, callback: `${SERVICE}/cb` } }, { json: { pr: withHash, routes: [] } });
    await requestPayInvoice(await payParams(svc), AMOUNT, { fetch: svc.fetch });
    expect(svc.calls[1]!.url.href).toBe(`${SERVICE}/cb?amount=5000`);
  });

  // LUD-06 step 6: the h tag is what ties the invoice to the description the person approved.
  const unbound: Array<[why: string, pr: string]> = [
    ['only a plain description, even the metadata itself', signedInvoice({ amountMsat: BigInt(AMOUNT), description: METADATA })],
    ['a hash of other metadata', signedInvoice({ amountMsat: BigInt(AMOUNT), descriptionHashOf: '[["text/plain","something else"]]' })],
  ];
  for (const [why, pr] of unbound) {
    it(`LNURL_METADATA_MISMATCH for an invoice with ${why}`, async () => {
      const svc = service({ json: PAY }, { json: { pr, routes: [] } });
      const e = await rejectedWith(requestPayInvoice(await payParams(svc), AMOUNT, { fetch: svc.fetch }));
      expect([e.code, e.message]).toEqual(['LNURL_METADATA_MISMATCH', expect.stringMatching(/^lnurl: invoice does not commit to the metadata \(h tag\)=/)]);
    });
  }

  it('routes may be missing (only pr matters)', async () => {
    const svc = service({ json: PAY }, { json: { pr: withHash } });
    expect((await requestPayInvoice(await payParams(svc), AMOUNT, { fetch: svc.fetch })).paymentRequest).toBe(withHash);
  });

  it('passes on a LUD-21 verify URL', async () => {
    const verify = `${SERVICE}/verify/894e7f7e`;
    const svc = service({ json: PAY }, { json: { pr: withHash, routes: [], verify } });
    expect((await requestPayInvoice(await payParams(svc), AMOUNT, { fetch: svc.fetch })).verify).toBe(verify);
  });

  it('drops a verify URL that breaks the https rule (it is only informational)', async () => {
    const svc = service({ json: PAY }, { json: { pr: withHash, routes: [], verify: 'http://service.com/verify/1' } });
    expect((await requestPayInvoice(await payParams(svc), AMOUNT, { fetch: svc.fetch })).verify).toBeUndefined();
  });

  const badAnswers: Array<[why: string, answer: Answer, code: string, message: RegExp]> = [
    ['an invoice for another amount', { json: { pr: signedInvoice({ amountMsat: 6000n, descriptionHashOf: METADATA }), routes: [] } }, 'LNURL_BAD_RESPONSE', /6000 msat ≠ 5000 msat/],
    ['an invoice without an amount', { json: { pr: signedInvoice({ descriptionHashOf: METADATA }), routes: [] } }, 'LNURL_BAD_RESPONSE', /none msat ≠ 5000 msat/],
    ['no pr', { json: { routes: [] } }, 'LNURL_BAD_RESPONSE', /no invoice/],
    ['a pr that is not an invoice', { json: { pr: 'lnbc1garbage', routes: [] } }, 'LNURL_BAD_RESPONSE', /invalid invoice/],
    ['status ERROR', { json: { status: 'ERROR', reason: 'amount too small' } }, 'LNURL_SERVICE_ERROR', /amount too small/],
    ['not JSON', { text: 'Internal Server Error' }, 'LNURL_BAD_RESPONSE', /not JSON/],
  ];
  for (const [why, answer, code, message] of badAnswers) {
    it(`${code} for ${why}`, async () => {
      const svc = service({ json: PAY }, answer);
      const p = requestPayInvoice(await payParams(svc), AMOUNT, { fetch: svc.fetch });
      await expect(p).rejects.toMatchObject({ code });
      await expect(p).rejects.toThrow(message);
    });
  }

  const badAmounts: Array<[why: string, amount: number]> = [
    ['below minSendable', 999],
    ['above maxSendable', 1_000_001],
    ['fractional', 1000.5],
    ['NaN', Number.NaN],
  ];
  for (const [why, amount] of badAmounts) {
    it(`LNURL_BAD_INPUT for an amount ${why}, and no request`, async () => {
      const svc = service({ json: PAY }, { json: { pr: withHash, routes: [] } });
      expect(await codeOf(requestPayInvoice(await payParams(svc), amount, { fetch: svc.fetch }))).toBe('LNURL_BAD_INPUT');
      expect(svc.calls).toHaveLength(1);
    });
  }

  it('the edges of the range are allowed', async () => {
    const svc = service({ json: PAY }, (url) => ({
      json: { pr: signedInvoice({ amountMsat: BigInt(url.searchParams.get('amount')!), descriptionHashOf: METADATA }), routes: [] },
    }));
    const params = await payParams(svc);
    expect((await requestPayInvoice(params, 1000, { fetch: svc.fetch })).amountMsat).toBe(1000);
    expect((await requestPayInvoice(params, 1_000_000, { fetch: svc.fetch })).amountMsat).toBe(1_000_000);
  });

  it('an http callback, or one on another host (params changed on the way), is refused before any request', async () => {
    const svc = service({ json: PAY }, { json: { pr: withHash, routes: [] } });
    const params = await payParams(svc);
    expect(await codeOf(requestPayInvoice({ ...params, callback: 'http://service.com/cb' }, AMOUNT, { fetch: svc.fetch }))).toBe('LNURL_INVALID');
    expect(await codeOf(requestPayInvoice({ ...params, callback: 'https://evil.example/cb' }, AMOUNT, { fetch: svc.fetch }))).toBe('LNURL_CALLBACK_HOST');
    expect(svc.calls).toHaveLength(1);
  });
});

describe('LUD-12 comments', () => {
  const AMOUNT = 5000;
  const pr = signedInvoice({ amountMsat: BigInt(AMOUNT), descriptionHashOf: METADATA });

  async function send(comment: string, first: object = PAY) {
    const svc = service({ json: first }, { json: { pr, routes: [] } });
    const result = requestPayInvoice(await payParams(svc), AMOUNT, { fetch: svc.fetch, comment });
    return { svc, result };
  }

  it('sends the comment in the callback query', async () => {
    const { svc, result } = await send('ok & 100%');
    await result;
    const url = svc.calls[1]!.url;
    expect(url.searchParams.get('comment')).toBe('ok & 100%');
    expect(url.searchParams.get('amount')).toBe('5000');
    expect(url.searchParams.get('id')).toBe('7');
  });

  it('counts characters, not UTF-16 units: ten emoji fit in commentAllowed 10', async () => {
    const { svc, result } = await send('⚡'.repeat(5) + '🙂'.repeat(5));
    await result;
    expect(svc.calls[1]!.url.searchParams.get('comment')).toBe('⚡'.repeat(5) + '🙂'.repeat(5));
  });

  it('an empty comment is not sent', async () => {
    const { svc, result } = await send('');
    await result;
    expect(svc.calls[1]!.url.searchParams.has('comment')).toBe(false);
  });

  it('LNURL_BAD_INPUT for a comment over commentAllowed, and no request', async () => {
    const { svc, result } = await send('eleven char');
    await expect(result).rejects.toMatchObject({ code: 'LNURL_BAD_INPUT', message: 'lnurl: comment may have at most 10 characters=11' });
    expect(svc.calls).toHaveLength(1);
  });

  it('LNURL_BAD_INPUT for a comment when the service takes none', async () => {
    const { svc, result } = await send('hi', { ...PAY, commentAllowed: 0 });
    await expect(result).rejects.toThrow('this service takes no comment');
    expect(svc.calls).toHaveLength(1);
  });
});
