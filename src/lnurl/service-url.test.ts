import { describe, expect, it } from 'vitest';
import { thrownCode, thrownError } from '../testing/expect-code.ts';
import { checkCallback, checkServiceUrl } from './service-url.ts';

describe('checkServiceUrl', () => {
  it('refuses private hosts unless on the devnet', () => {
    expect(() => checkServiceUrl('https://192.168.1.20/lnurl', 'LNURL')).toThrow(/LNURL points into a private network=192\.168\.1\.20/);
    expect(() => checkServiceUrl('https://[::1]:8080/cb', 'callback')).toThrow(/callback points into a private network/);
    expect(checkServiceUrl('https://192.168.1.20/lnurl', 'LNURL', { allowInsecureLocalhost: true }).hostname).toBe('192.168.1.20');
    expect(checkServiceUrl('http://127.0.0.1:8900/lnurl/pay', 'LNURL', { allowInsecureLocalhost: true }).protocol).toBe('http:');
  });

  // Every spelling the browser would send to the same private place.
  for (const url of ['https://0x7f.1/x', 'https://2130706433/x', 'https://[::ffff:192.168.1.1]/x', 'https://router/x', 'https://nas.local./x', 'https://app.localhost/x']) {
    it(`refuses ${url}`, () => expect(thrownError(() => checkServiceUrl(url, 'LNURL')).message).toMatch(/points into a private network/));
  }

  it('on the devnet, plain http still only to this machine', () => {
    expect(checkServiceUrl('http://app.localhost:8900/x', 'LNURL', { allowInsecureLocalhost: true }).protocol).toBe('http:');
    expect(() => checkServiceUrl('http://192.168.1.20/x', 'LNURL', { allowInsecureLocalhost: true })).toThrow(/must be https/);
  });

  it('public https and onion http pass', () => {
    expect(checkServiceUrl('https://pay.example.com/x', 'LNURL').host).toBe('pay.example.com');
    expect(checkServiceUrl('http://abcdefgh.onion/x', 'LNURL').protocol).toBe('http:');
  });

  it('a URL a service answered with is a bad answer, not a bad LNURL', () => {
    expect(thrownCode(() => checkServiceUrl('http://pay.example.com/x', 'callback'))).toBe('LNURL_INVALID');
    expect(thrownCode(() => checkServiceUrl('http://pay.example.com/x', 'callback', {}, 'LNURL_BAD_RESPONSE'))).toBe('LNURL_BAD_RESPONSE');
  });
});

describe('checkCallback: on the host that gave it', () => {
  it('the same host passes, whatever its port, path or query', () => {
    expect(checkCallback('https://shop.example:8443/cb?id=1', 'shop.example').href).toBe('https://shop.example:8443/cb?id=1');
  });
  for (const url of ['https://evil.example/cb', 'https://pay.shop.example/cb', 'https://shop.example.evil/cb', 'https://xn--shp-sna.example/cb']) {
    it(`refuses ${url} from shop.example`, () => {
      const e = thrownError(() => checkCallback(url, 'shop.example'));
      expect([e.code, e.message]).toEqual(['LNURL_CALLBACK_HOST', expect.stringMatching(/^lnurl: callback is on another host than the service=.* ≠ shop\.example$/)]);
    });
  }
  it('the https rule first', () => expect(thrownCode(() => checkCallback('http://shop.example/cb', 'shop.example'))).toBe('LNURL_INVALID'));
});
