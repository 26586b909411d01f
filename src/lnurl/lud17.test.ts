import { describe, expect, it } from 'vitest';
import { codeOf, thrownCode } from '../testing/expect-code.ts';
import { decodeLnurl, encodeLnurl, type LnurlTag } from './decode.ts';
import { fetchLnurlParams } from './params.ts';
import { fakeService } from './testing.ts';

const ONION = 'examplennnnnnnn.onion';

describe('LUD-17 schemes', () => {
  // The LUD's own examples first.
  const cases: Array<[input: string, url: string, tag: LnurlTag]> = [
    ['lnurlw://domain.com/path', 'https://domain.com/path', 'withdrawRequest'],
    [`lnurlp://${ONION}/path`, `http://${ONION}/path`, 'payRequest'],
    ['lnurlc://domain.com/channel?x=1', 'https://domain.com/channel?x=1', 'channelRequest'],
    ['keyauth://site.com/auth?tag=login&k1=ab', 'https://site.com/auth?tag=login&k1=ab', 'login'],
    ['LNURLP://Domain.com/Path', 'https://domain.com/Path', 'payRequest'],
    ['lightning:lnurlp://domain.com/p', 'https://domain.com/p', 'payRequest'],
    ['lnurlp://domain.com:8443/p', 'https://domain.com:8443/p', 'payRequest'],
    ['lnurlp://pay.example.com:8443/p', 'https://pay.example.com:8443/p', 'payRequest'],
    ['https://shop.com/checkout?lightning=lnurlw://domain.com/w', 'https://domain.com/w', 'withdrawRequest'],
  ];
  for (const [input, url, tag] of cases) {
    it(`${input} → ${url} (${tag})`, () => {
      expect(decodeLnurl(input)).toEqual({ url, domain: new URL(url).hostname, expectedTag: tag });
    });
  }

  it('a local address maps to http only with allowInsecureLocalhost', () => {
    expect(decodeLnurl('lnurlp://127.0.0.1:8080/p', { allowInsecureLocalhost: true }).url).toBe('http://127.0.0.1:8080/p');
    expect(decodeLnurl('lnurlw://localhost:8080/w', { allowInsecureLocalhost: true }).url).toBe('http://localhost:8080/w');
  });

  const bad: Array<[string, string]> = [
    ['an unknown scheme', 'lnurlx://domain.com/p'],
    ['a scheme named like an object property', 'constructor://domain.com/p'],
    ['no host', 'lnurlp:///path'],
    ['a backslash for a host', 'lnurlp://\\path'],
    ['a user name', 'lnurlp://shop.com@evil.com/p'],
    ['a bad host', 'lnurlw://exa mple.com/w'],
    ['a loopback host from a page not on this machine', 'lnurlp://127.0.0.1:8080/p'],
    ['a private-network host', 'lnurlw://192.168.1.20/w'],
    ['a .local name', 'keyauth://printer.local/login?tag=login&k1=00'],
  ];
  for (const [name, input] of bad) it(`LNURL_INVALID for ${name}`, () => expect(thrownCode(() => decodeLnurl(input))).toBe('LNURL_INVALID'));
});

describe('the answer must be what the scheme promised', () => {
  const pay = { tag: 'payRequest', callback: 'https://domain.com/cb', minSendable: 1000, maxSendable: 2000, metadata: '[["text/plain","x"]]' };
  const withdraw = { tag: 'withdrawRequest', callback: 'https://domain.com/cb', k1: 'k', minWithdrawable: 0, maxWithdrawable: 0, defaultDescription: '' };

  it('lnurlp:// answered with payRequest', async () => {
    const svc = fakeService({ 'https://domain.com/p': { json: pay } });
    expect((await fetchLnurlParams('lnurlp://domain.com/p', { fetch: svc.fetch })).tag).toBe('payRequest');
  });

  it('lnurlp:// answered with withdrawRequest: LNURL_BAD_RESPONSE', async () => {
    const svc = fakeService({ 'https://domain.com/p': { json: withdraw } });
    await expect(fetchLnurlParams('lnurlp://domain.com/p', { fetch: svc.fetch })).rejects.toThrow('payRequest link answered with tag=withdrawRequest');
  });

  it('lnurlw:// answered with payRequest: LNURL_BAD_RESPONSE', async () => {
    const svc = fakeService({ 'https://domain.com/w': { json: pay } });
    expect(await codeOf(fetchLnurlParams('lnurlw://domain.com/w', { fetch: svc.fetch }))).toBe('LNURL_BAD_RESPONSE');
  });

  it('a bech32 LNURL has no promise: any known tag goes', async () => {
    const svc = fakeService({ 'https://domain.com/w': { json: withdraw } });
    expect((await fetchLnurlParams(encodeLnurl('https://domain.com/w'), { fetch: svc.fetch })).tag).toBe('withdrawRequest');
  });

  it('lnurlc:// (channelRequest) is LNURL_UNSUPPORTED', async () => {
    const svc = fakeService({ 'https://domain.com/c': { json: { tag: 'channelRequest', uri: 'x', callback: 'https://domain.com/cb', k1: 'k' } } });
    expect(await codeOf(fetchLnurlParams('lnurlc://domain.com/c', { fetch: svc.fetch }))).toBe('LNURL_UNSUPPORTED');
  });

  it('keyauth:// without tag=login: LNURL_INVALID, and nothing fetched', async () => {
    const svc = fakeService({});
    expect(await codeOf(fetchLnurlParams('keyauth://site.com/auth?k1=ab', { fetch: svc.fetch }))).toBe('LNURL_INVALID');
    expect(svc.calls).toHaveLength(0);
  });

  it('lnurlp:// holding tag=login: LNURL_INVALID', async () => {
    const svc = fakeService({});
    const k1 = 'ab'.repeat(32);
    expect(await codeOf(fetchLnurlParams(`lnurlp://site.com/auth?tag=login&k1=${k1}`, { fetch: svc.fetch }))).toBe('LNURL_INVALID');
  });
});
