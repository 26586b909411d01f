import { describe, expect, it } from 'vitest';
import { codeOf, thrownCode } from '../testing/expect-code.ts';
import { isLightningAddress, lightningAddressUrl, parseLightningAddress } from './address.ts';
import { decodeLnurl } from './decode.ts';
import { fetchLnurlParams } from './params.ts';
import { fakeService } from './testing.ts';

describe('LUD-16 lightning addresses', () => {
  // The LUD's example first.
  const cases: Array<[input: string, url: string, address: string]> = [
    ['satoshi@bitcoin.org', 'https://bitcoin.org/.well-known/lnurlp/satoshi', 'satoshi@bitcoin.org'],
    ['lightning:satoshi@bitcoin.org', 'https://bitcoin.org/.well-known/lnurlp/satoshi', 'satoshi@bitcoin.org'],
    ['Satoshi@Bitcoin.ORG', 'https://bitcoin.org/.well-known/lnurlp/satoshi', 'satoshi@bitcoin.org'],
    ['a.b-c_d+tip@x.y.z.com', 'https://x.y.z.com/.well-known/lnurlp/a.b-c_d+tip', 'a.b-c_d+tip@x.y.z.com'],
    ['007@pay.example', 'https://pay.example/.well-known/lnurlp/007', '007@pay.example'],
    ['tips@shop.com:8443', 'https://shop.com:8443/.well-known/lnurlp/tips', 'tips@shop.com:8443'],
    ['bob@examplennnnnnnn.onion', 'http://examplennnnnnnn.onion/.well-known/lnurlp/bob', 'bob@examplennnnnnnn.onion'],
  ];
  for (const [input, url, address] of cases) {
    it(`${input} → ${url}`, () => {
      expect(decodeLnurl(input)).toEqual({ url, domain: new URL(url).hostname, expectedTag: 'payRequest', address });
      expect(isLightningAddress(input.replace(/^lightning:/, ''))).toBe(true);
    });
  }

  it('a local address is refused, and allowed (over http) only with allowInsecureLocalhost', () => {
    expect(() => decodeLnurl('tips@127.0.0.1:8080')).toThrow(/private network/);
    expect(decodeLnurl('tips@127.0.0.1:8080', { allowInsecureLocalhost: true }).url).toBe('http://127.0.0.1:8080/.well-known/lnurlp/tips');
  });

  it('lightningAddressUrl from the parts', () => {
    expect(lightningAddressUrl(parseLightningAddress('alice@site.com'))).toBe('https://site.com/.well-known/lnurlp/alice');
  });

  const bad: Array<[string, string, RegExp]> = [
    ['no name', '@site.com', /may use only/],
    ['no domain', 'alice@', /not a domain name/],
    ['a space in the name', 'al ice@site.com', /may use only/],
    ['a symbol outside the set', 'alice!@site.com', /may use only/],
    ['a non-ASCII name', 'älice@site.com', /may use only/],
    ['two @', 'a@b@site.com', /may use only/],
    ['a path after the domain', 'alice@site.com/x', /not a domain name/],
    ['a query after the domain', 'alice@site.com?x=1', /not a domain name/],
    ['a space in the domain', 'alice@si te.com', /not a domain name/],
    ['a default port written out', 'alice@site.com:443', /not a domain name/],
  ];
  for (const [name, input, reason] of bad) {
    it(`LNURL_INVALID for ${name}`, () => {
      expect(thrownCode(() => decodeLnurl(input))).toBe('LNURL_INVALID');
      expect(() => parseLightningAddress(input)).toThrow(reason);
      expect(isLightningAddress(input)).toBe(false);
    });
  }
});

describe('fetching an address', () => {
  const metadata = JSON.stringify([
    ['text/plain', 'Pay alice'],
    ['text/identifier', 'alice@site.com'],
  ]);
  const pay = { tag: 'payRequest', callback: 'https://site.com/cb/alice', minSendable: 1000, maxSendable: 5000, metadata };

  it('GETs the well-known URL and keeps the address and identifier', async () => {
    const svc = fakeService({ 'https://site.com/.well-known/lnurlp/alice': { json: pay } });
    const params = await fetchLnurlParams('alice@site.com', { fetch: svc.fetch });
    expect(svc.calls.map((c) => c.url.href)).toEqual(['https://site.com/.well-known/lnurlp/alice']);
    expect(params).toMatchObject({ tag: 'payRequest', domain: 'site.com', address: 'alice@site.com', meta: { identifier: 'alice@site.com' } });
  });

  it('text/email is read too', async () => {
    const withEmail = { ...pay, metadata: JSON.stringify([['text/plain', 'x'], ['text/email', 'alice@site.com']]) };
    const svc = fakeService({ 'https://site.com/.well-known/lnurlp/alice': { json: withEmail } });
    expect(await fetchLnurlParams('alice@site.com', { fetch: svc.fetch })).toMatchObject({ meta: { email: 'alice@site.com' } });
  });

  it('an address answered with withdrawRequest: LNURL_BAD_RESPONSE', async () => {
    const withdraw = { tag: 'withdrawRequest', callback: 'https://site.com/w', k1: 'k', minWithdrawable: 1, maxWithdrawable: 1, defaultDescription: '' };
    const svc = fakeService({ 'https://site.com/.well-known/lnurlp/alice': { json: withdraw } });
    expect(await codeOf(fetchLnurlParams('alice@site.com', { fetch: svc.fetch }))).toBe('LNURL_BAD_RESPONSE');
  });

  it('an unknown user: the service ERROR reaches the caller', async () => {
    const svc = fakeService({ 'https://site.com/.well-known/lnurlp/nobody': { json: { status: 'ERROR', reason: 'no such user' } } });
    await expect(fetchLnurlParams('nobody@site.com', { fetch: svc.fetch })).rejects.toMatchObject({
      code: 'LNURL_SERVICE_ERROR',
      details: { reason: 'no such user', domain: 'site.com' },
    });
  });
});
