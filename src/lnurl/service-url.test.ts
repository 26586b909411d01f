import { describe, expect, it } from 'vitest';
import { checkServiceUrl, isPrivateHost } from './service-url.ts';

describe('isPrivateHost: hosts a page must not make the wallet contact', () => {
  const privateHosts = [
    'localhost', 'LOCALHOST', 'printer.local', 'nas.lan', 'db.internal', 'router.home.arpa',
    '127.0.0.1', '127.1.2.3', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0',
    '[::1]', '::1', '::', '[fd00::1]', 'fc00::2', 'fe80::1', '::ffff:10.0.0.1',
  ];
  for (const host of privateHosts) it(`private: ${host}`, () => expect(isPrivateHost(host)).toBe(true));
  const publicHosts = ['example.com', 'localhost.example.com', 'pay.lan-party.org', '8.8.8.8', '172.32.0.1', '172.15.0.1', '100.128.0.1', '192.169.0.1', '2001:db8::1', 'abc.onion'];
  for (const host of publicHosts) it(`public: ${host}`, () => expect(isPrivateHost(host)).toBe(false));
});

describe('checkServiceUrl', () => {
  it('refuses private hosts unless the asking page is on this machine', () => {
    expect(() => checkServiceUrl('https://192.168.1.20/lnurl', 'LNURL')).toThrow(/LNURL points into a private network=192\.168\.1\.20/);
    expect(() => checkServiceUrl('https://[::1]:8080/cb', 'callback')).toThrow(/callback points into a private network/);
    expect(checkServiceUrl('https://192.168.1.20/lnurl', 'LNURL', { allowInsecureLocalhost: true }).hostname).toBe('192.168.1.20');
    expect(checkServiceUrl('http://127.0.0.1:8900/lnurl/pay', 'LNURL', { allowInsecureLocalhost: true }).protocol).toBe('http:');
  });
  it('public https and onion http pass', () => {
    expect(checkServiceUrl('https://pay.example.com/x', 'LNURL').host).toBe('pay.example.com');
    expect(checkServiceUrl('http://abcdefgh.onion/x', 'LNURL').protocol).toBe('http:');
  });
});
