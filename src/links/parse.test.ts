import { describe, expect, it } from 'vitest';
import { encodeLnurl } from '../lnurl/index.ts';
import { signedInvoice } from '../lnurl/testing.ts';
import { thrownCode } from '../testing/expect-code.ts';
import { linkRequest, parseLink } from './parse.ts';
import { MAX_LINK_LENGTH } from './target.ts';

const INVOICE = signedInvoice({ amountMsat: 21_000n, description: 'coffee' });
const LNURL = encodeLnurl('https://news.example/lnurl/withdraw');

describe('parseLink: the worker reads the target again, in full', () => {
  it('lightning: + invoice → the invoice, normalised', () => {
    expect(parseLink(`lightning:${INVOICE.toUpperCase()}`)).toEqual({ kind: 'invoice', paymentRequest: INVOICE });
    expect(parseLink(`LIGHTNING://${INVOICE}`)).toEqual({ kind: 'invoice', paymentRequest: INVOICE });
  });
  const lnurls = [`lightning:${LNURL}`, LNURL, 'lnurlw://news.example/w', 'lnurlp://news.example/p', 'keyauth://news.example/l?tag=login&k1=00', 'lightning:tips@news.example', `https://pay.example/?lightning=${LNURL}`];
  for (const href of lnurls) it(`${href.slice(0, 40)} → the LNURL flow`, () => expect(parseLink(href)).toEqual({ kind: 'lnurl', text: href }));

  const refused: Array<[what: string, href: string, code: string]> = [
    ['a channel request (LUD-17 lnurlc)', 'lnurlc://news.example/channel', 'LNURL_UNSUPPORTED'],
    ['a forged invoice (bad checksum)', `lightning:${INVOICE.slice(0, -1)}${INVOICE.endsWith('q') ? 'p' : 'q'}`, 'INVOICE_INVALID'],
    ['a damaged LNURL', `${LNURL.slice(0, -1)}${LNURL.endsWith('q') ? 'p' : 'q'}`, 'LNURL_INVALID'],
    ['an LNURL to plain http', `lightning:${encodeLnurl('http://news.example/w')}`, 'LNURL_INVALID'],
    ['a web link without lightning=', 'https://news.example/', 'LNURL_INVALID'],
    ['lightning: and nothing', 'lightning:', 'PAYMENT_CODE_UNKNOWN'],
    ['a BOLT12 offer', 'lightning:lno1qcp4256ypq', 'PAYMENT_CODE_OFFER'],
    ['junk', 'lightning:hello', 'PAYMENT_CODE_UNKNOWN'],
  ];
  for (const [what, href, code] of refused) it(`refuses ${what} with ${code}`, () => expect(thrownCode(() => parseLink(href))).toBe(code));

  it('plain http to this machine only where the devnet is allowed', () => {
    const local = 'lnurlw://127.0.0.1:8099/w';
    expect(parseLink(local, { allowInsecureLocalhost: true })).toEqual({ kind: 'lnurl', text: local });
    expect(thrownCode(() => parseLink(local))).toBe('LNURL_INVALID');
  });
});

describe('linkRequest: the one message a content script sends', () => {
  it('takes {href}', () => expect(linkRequest.safeParse({ href: 'lnurlw://a.example/w' }).success).toBe(true));
  const bad: Array<[string, unknown]> = [
    ['no href', {}],
    ['an empty href', { href: '' }],
    ['a number', { href: 1 }],
    ['too long', { href: 'x'.repeat(MAX_LINK_LENGTH + 1) }],
    ['an origin of its own', { href: 'lnurlw://a.example/w', origin: 'https://bank.example' }],
    ['not an object', 'lnurlw://a.example/w'],
  ];
  for (const [what, raw] of bad) it(`refuses ${what}`, () => expect(linkRequest.safeParse(raw).success).toBe(false));
});
