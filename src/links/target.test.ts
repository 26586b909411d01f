import { describe, expect, it } from 'vitest';
import { encodeLnurl } from '../lnurl/index.ts';
import { signedInvoice } from '../lnurl/testing.ts';
import { linkTarget, MAX_LINK_LENGTH } from './target.ts';

const BASE = 'https://news.example/articles/1';
const LNURL = encodeLnurl('https://news.example/lnurl/withdraw');
const INVOICE = signedInvoice({ amountMsat: 21_000n });

describe('linkTarget: what a click sends, decided without decoding', () => {
  const taken: Array<[what: string, href: string, sent: string]> = [
    ['lightning: + invoice', `lightning:${INVOICE}`, `lightning:${INVOICE}`],
    ['LIGHTNING: + upper-case LNURL', `LIGHTNING:${LNURL.toUpperCase()}`, `LIGHTNING:${LNURL.toUpperCase()}`],
    ['lightning: + address', 'lightning:tips@news.example', 'lightning:tips@news.example'],
    ['lnurlw:// (LUD-17)', 'lnurlw://news.example/lnurl/withdraw?k1=ab', 'lnurlw://news.example/lnurl/withdraw?k1=ab'],
    ['lnurlp://', 'lnurlp://news.example/lnurl/pay', 'lnurlp://news.example/lnurl/pay'],
    ['lnurlc:// (the worker says it is unsupported)', 'lnurlc://news.example/c', 'lnurlc://news.example/c'],
    ['keyauth://', 'keyauth://news.example/login?k1=00&tag=login', 'keyauth://news.example/login?k1=00&tag=login'],
    ['a bare bech32 LNURL, spaces around', `  ${LNURL} `, LNURL],
    ['LUD-01 fallback, absolute', `https://pay.example/?lightning=${LNURL}`, `https://pay.example/?lightning=${LNURL}`],
    ['LUD-01 fallback, relative', `/claim?lightning=${LNURL.toUpperCase()}`, `https://news.example/claim?lightning=${LNURL.toUpperCase()}`],
    ['LUD-01 fallback carrying LUD-17', '?lightning=lnurlw://news.example/w', 'https://news.example/articles/1?lightning=lnurlw://news.example/w'],
  ];
  for (const [what, href, sent] of taken) it(`takes ${what}`, () => expect(linkTarget(href, BASE)).toBe(sent));

  const left: Array<[what: string, href: string]> = [
    ['an ordinary link', 'https://news.example/next'],
    ['a relative link', '/about'],
    ['a fragment', '#comments'],
    ['mailto:', 'mailto:desk@news.example'],
    ['javascript:', 'javascript:void(0)'],
    ['bitcoin: (on-chain is not Satnav’s)', 'bitcoin:bc1qxyz?amount=1'],
    ['lightning= that is not an LNURL', '/x?lightning=hello'],
    ['lightning= on a non-web URL', `ftp://news.example/?lightning=${LNURL}`],
    ['lnurl1 with characters bech32 lacks', 'lnurl1bio'],
    ['a scheme that merely starts alike', 'lnurlx://news.example'],
    ['empty', '   '],
    ['longer than any payment code', `lightning:${'q'.repeat(MAX_LINK_LENGTH)}`],
  ];
  for (const [what, href] of left) it(`leaves ${what}`, () => expect(linkTarget(href, BASE)).toBeUndefined());
});
