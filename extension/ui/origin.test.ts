import { describe, expect, it } from 'vitest';
import { isSameHost, originParts } from './origin.ts';

describe('originParts', () => {
  const cases: [string, string, string, boolean][] = [
    ['https://shop.example', 'https://', 'shop.example', true],
    ['https://shop.example:8443', 'https://', 'shop.example:8443', true],
    ['http://127.0.0.1:8900', 'http://', '127.0.0.1:8900', true],
    ['http://localhost:3000', 'http://', 'localhost:3000', true],
    ['http://app.localhost', 'http://', 'app.localhost', true],
    ['http://[::1]:8080', 'http://', '[::1]:8080', true],
    ['http://[::ffff:127.0.0.1]', 'http://', '[::ffff:7f00:1]', true],
    ['http://127.8.9.10', 'http://', '127.8.9.10', true],
    ['http://shop.example', 'http://', 'shop.example', false],
    ['http://192.168.1.20:8080', 'http://', '192.168.1.20:8080', false],
    ['http://0.0.0.0:8080', 'http://', '0.0.0.0:8080', false],
    ['http://[::ffff:c0a8:114]', 'http://', '[::ffff:c0a8:114]', false],
    // Lookalikes of loopback names are ordinary remote hosts.
    ['http://127.0.0.1.evil.example', 'http://', '127.0.0.1.evil.example', false],
    ['http://localhost.evil.example', 'http://', 'localhost.evil.example', false],
    ['http://xn--80ak6aa92e.com', 'http://', 'xn--80ak6aa92e.com', false],
  ];
  for (const [origin, scheme, host, secure] of cases) {
    it(origin, () => expect(originParts(origin)).toEqual({ scheme, host, secure }));
  }
  it('shows IDN hosts in punycode, as the browser reports them', () => expect(originParts('https://аррӏе.com').host).toBe('xn--80ak6aa92e.com'));
  for (const odd of ['null', '', 'not a url', 'file:///etc/passwd']) {
    it(`not a web origin: ${JSON.stringify(odd)}`, () => expect(originParts(odd)).toEqual({ scheme: '', host: odd, secure: false }));
  }
});

describe('isSameHost', () => {
  const same: [string, string][] = [
    ['https://shop.example', 'shop.example'],
    ['https://shop.example:8443', 'shop.example'],
    ['http://127.0.0.1:8900', '127.0.0.1'],
    ['https://Shop.Example', 'shop.example'],
    ['https://shop.example', 'SHOP.EXAMPLE.'],
    ['https://аррӏе.com', 'xn--80ak6aa92e.com'],
  ];
  for (const [origin, host] of same) it(`${origin} is ${host}`, () => expect(isSameHost(origin, host)).toBe(true));
  const other: [string, string][] = [
    ['https://shop.example', 'pay.shop.example'],
    ['https://pay.shop.example', 'shop.example'],
    ['https://shop.example', 'shop.example.evil'],
    ['https://shop.example', 'tips.example'],
    ['http://127.0.0.1:8900', 'localhost'],
    ['https://shop.example', ''],
    ['null', 'null'],
    ['not a url', 'not a url'],
  ];
  for (const [origin, host] of other) it(`${origin} is not ${JSON.stringify(host)}`, () => expect(isSameHost(origin, host)).toBe(false));
});
