import { bech32, utf8 } from '@scure/base';
import { describe, expect, it } from 'vitest';
import luds from '../../test-vectors/luds.json' with { type: 'json' };
import { thrownCode } from '../testing/expect-code.ts';
import { decodeLnurl, encodeLnurl } from './decode.ts';
import { checkServiceUrl } from './service-url.ts';

// LUD-01 "An example LNURL", and the same LNURL as the LUD's decoding examples spell it
// (test-vectors/luds.json).
const VECTOR = luds.lud01.example;
const EXAMPLE_LNURL = luds.lud01.decodingExample.lnurl;

/** Any string as an LNURL, valid or not as a URL (bech32 itself is fine). */
const bech = (payload: string | Uint8Array) =>
  bech32.encode('lnurl', bech32.toWords(typeof payload === 'string' ? utf8.decode(payload) : payload), false);

describe('LUD-01 example', () => {
  it(`${VECTOR.lnurl.slice(0, 20)}… → ${VECTOR.url}`, () => {
    expect(decodeLnurl(VECTOR.lnurl)).toEqual({ url: VECTOR.url, domain: 'service.com' });
  });
  it('the decoding examples use the same LNURL', () => expect(EXAMPLE_LNURL).toBe(VECTOR.lnurl));
  it('encodes back to it (upper-cased for the QR code)', () => expect(encodeLnurl(VECTOR.url).toUpperCase()).toBe(VECTOR.lnurl));
});

describe('decodeLnurl: bech32 forms', () => {
  const ok: Array<[string, string]> = [
    ['lower case', VECTOR.lnurl.toLowerCase()],
    ['lightning: prefix', `lightning:${VECTOR.lnurl}`],
    ['LIGHTNING: prefix', `LIGHTNING:${VECTOR.lnurl}`],
    ['lightning:// prefix', `lightning://${VECTOR.lnurl.toLowerCase()}`],
    ['surrounding whitespace', `  ${VECTOR.lnurl}\n`],
    ['fallback scheme (LUD-01)', `https://service.com/giftcard/redeem?id=123&lightning=${VECTOR.lnurl}`],
  ];
  for (const [name, input] of ok) it(name, () => expect(decodeLnurl(input).url).toBe(VECTOR.url));

  it('has no length limit (bech32 normally stops at 90 characters)', () => {
    const url = `https://service.com/api?q=${'ab'.repeat(1000)}`;
    const lnurl = encodeLnurl(url);
    expect(lnurl.length).toBeGreaterThan(2000);
    expect(decodeLnurl(lnurl).url).toBe(url);
  });

  it('http onion URLs are allowed', () => {
    const url = 'http://examplennnnnnnnexamplennnnnnnnexamplennnnnnnnexampl.onion/lnurl?x=1';
    expect(decodeLnurl(bech(url))).toEqual({ url, domain: 'examplennnnnnnnexamplennnnnnnnexamplennnnnnnnexampl.onion' });
  });

  it('the domain is the URL host name without the port', () => {
    expect(decodeLnurl(bech('https://pay.service.com:8443/x')).domain).toBe('pay.service.com');
  });

  it('keeps the tag=login query for the next step', () => {
    expect(decodeLnurl(bech('https://site.com/auth?tag=login&k1=00')).url).toBe('https://site.com/auth?tag=login&k1=00');
  });
});

describe('allowInsecureLocalhost (local demo and devnet only)', () => {
  for (const url of ['http://127.0.0.1:8080/lnurl', 'http://localhost:3000/lnurl', 'http://[::1]:3000/lnurl']) {
    it(`${url}: refused by default, allowed when asked`, () => {
      expect(thrownCode(() => decodeLnurl(bech(url)))).toBe('LNURL_INVALID');
      expect(decodeLnurl(bech(url), { allowInsecureLocalhost: true }).url).toBe(url);
    });
  }
  for (const url of ['http://192.168.1.5/lnurl', 'http://127.0.0.1.example.com/x', 'http://localhost.evil.com/x']) {
    it(`${url}: refused even then`, () => {
      expect(thrownCode(() => decodeLnurl(bech(url), { allowInsecureLocalhost: true }))).toBe('LNURL_INVALID');
    });
  }
});

describe('decodeLnurl: refused with LNURL_INVALID and a readable reason', () => {
  const flipped = VECTOR.lnurl.slice(0, -1) + (VECTOR.lnurl.endsWith('S') ? 'Q' : 'S');
  const bad: Array<[string, string, RegExp]> = [
    ['empty', '   ', /empty/],
    ['only the prefix', 'lightning:', /empty/],
    ['mixed case', `${VECTOR.lnurl.slice(0, 10)}${VECTOR.lnurl.slice(10).toLowerCase()}`, /mixes upper and lower case/],
    ['a changed character (checksum)', flipped, /damaged/],
    ['no data', 'lnurl1', /damaged/],
    ['another bech32 prefix that starts like one', bech32.encode('lnurl1x', bech32.toWords(utf8.decode('https://a.com')), false), /not an LNURL prefix/],
    ['http clearnet URL', bech('http://service.com/api'), /must be https/],
    ['ftp URL', bech('ftp://service.com/api'), /must be https/],
    ['a URL with a user name', bech('https://service.com@evil.com/api'), /user name or password/],
    ['not a URL inside', bech('hello world'), /not a URL/],
    ['not UTF-8 inside', bech(Uint8Array.of(0xff, 0xfe, 0x68)), /does not hold a text URL/],
    ['a Lightning invoice', 'lnbcrt10u1pjexampleexampleexample', /Lightning invoice, not an LNURL/],
    ['plain text', 'hello', /not an LNURL or lightning address/],
    ['a web link without lightning=', 'https://service.com/giftcard?id=1', /only with a lightning= parameter/],
    ['lightning= that is not an LNURL', 'https://service.com/x?lightning=hello', /lightning= parameter is not an LNURL/],
    ['lightning= with a bad LNURL', `https://service.com/x?lightning=${flipped}`, /damaged/],
  ];
  for (const [name, input, reason] of bad) {
    it(name, () => {
      expect(thrownCode(() => decodeLnurl(input))).toBe('LNURL_INVALID');
      expect(() => decodeLnurl(input)).toThrow(reason);
    });
  }

  it('messages name the module', () => expect(() => decodeLnurl('hello')).toThrow(/^lnurl: /));
});

describe('checkServiceUrl', () => {
  it('names the URL it checks', () => expect(() => checkServiceUrl('http://a.com/cb', 'callback')).toThrow('lnurl: callback must be https'));
  it('refuses text that is no URL', () => expect(thrownCode(() => checkServiceUrl('/relative', 'callback'))).toBe('LNURL_INVALID'));
  it('passes https', () => expect(checkServiceUrl('https://a.com/cb?x=1', 'callback').href).toBe('https://a.com/cb?x=1'));
});
