import { describe, expect, it } from 'vitest';
import { thrownCode as code } from '../testing/expect-code.ts';
import { parseLndConnect, parseManualConnection } from './lndconnect.ts';

// A v2 macaroon starts 0x02, then location/identifier fields; the tail stands in for the rest.
// 13 bytes: standard base64 has '+', '/' and '=' padding.
const MACAROON = Uint8Array.from([0x02, 0x01, 0x03, ...new TextEncoder().encode('lnd'), 0x02, 0xf8, 0xfb, 0xef, 0xbe, 0x3e, 0x07]);
const MAC_HEX = Buffer.from(MACAROON).toString('hex');
const MAC_B64URL = Buffer.from(MACAROON).toString('base64url');
const MAC_B64 = Buffer.from(MACAROON).toString('base64');
const MAC_B64URL_PADDED = MAC_B64.replace(/\+/g, '-').replace(/\//g, '_');
const CERT = Uint8Array.of(0x30, 0x82, 0x01, 0x0a, 0xfb, 0xff);
const CERT_B64URL = Buffer.from(CERT).toString('base64url');

describe('parseLndConnect: good URIs', () => {
  const good: [string, string, string][] = [
    ['host and port', `lndconnect://node.example.com:8081?macaroon=${MAC_B64URL}`, 'https://node.example.com:8081'],
    ['default port 8080', `lndconnect://10.0.0.5?macaroon=${MAC_B64URL}`, 'https://10.0.0.5:8080'],
    ['IPv6 in brackets', `lndconnect://[2001:db8::1]:10009?macaroon=${MAC_B64URL}`, 'https://[2001:db8::1]:10009'],
    ['IPv6 without port', `lndconnect://[::1]?macaroon=${MAC_B64URL}`, 'https://[::1]:8080'],
    ['trailing slash', `lndconnect://abc.onion:8080/?macaroon=${MAC_B64URL}`, 'https://abc.onion:8080'],
    ['upper-case scheme and host', `LNDCONNECT://Node.Example.com:8080?macaroon=${MAC_B64URL}`, 'https://node.example.com:8080'],
    ['standard base64 with an unencoded +', `lndconnect://h:1?macaroon=${MAC_B64}`, 'https://h:1'],
    ['standard base64, %-encoded', `lndconnect://h:1?macaroon=${encodeURIComponent(MAC_B64)}`, 'https://h:1'],
    ['padded base64url', `lndconnect://h:1?macaroon=${MAC_B64URL_PADDED}`, 'https://h:1'],
    ['params in any order, unknown ones ignored', `lndconnect://h:1?x=1&macaroon=${MAC_B64URL}`, 'https://h:1'],
  ];
  for (const [name, uri, url] of good) {
    it(name, () => {
      const c = parseLndConnect(uri);
      expect(c.restUrl).toBe(url);
      expect(c.macaroonHex).toBe(MAC_HEX);
      expect(c.certDer).toBeUndefined();
    });
  }
  it('keeps the certificate as DER', () => {
    const c = parseLndConnect(`lndconnect://h:8080?cert=${CERT_B64URL}&macaroon=${MAC_B64URL}`);
    expect(c.certDer).toEqual(CERT);
  });
});

describe('parseLndConnect: bad URIs', () => {
  const bad: [string, unknown][] = [
    ['empty', ''],
    ['not a string', 42],
    ['https URL', `https://h:8080?macaroon=${MAC_B64URL}`],
    ['lndconnect with one slash', `lndconnect:/h:8080?macaroon=${MAC_B64URL}`],
    ['lndhub', `lndhub://admin:pw@https://h`],
    ['missing macaroon', 'lndconnect://h:8080?cert=' + CERT_B64URL],
    ['empty macaroon', 'lndconnect://h:8080?macaroon='],
    ['macaroon is not base64', 'lndconnect://h:8080?macaroon=%%%'],
    ['macaroon impossible length', 'lndconnect://h:8080?macaroon=AgEDb'],
    ['macaroon is not v2', `lndconnect://h:8080?macaroon=${Buffer.from('hello macaroon').toString('base64url')}`],
    ['port zero', `lndconnect://h:0?macaroon=${MAC_B64URL}`],
    ['port too big', `lndconnect://h:70000?macaroon=${MAC_B64URL}`],
    ['port not a number', `lndconnect://h:abc?macaroon=${MAC_B64URL}`],
    ['empty host', `lndconnect://:8080?macaroon=${MAC_B64URL}`],
    ['user info in host', `lndconnect://user@h:8080?macaroon=${MAC_B64URL}`],
    ['space in host', `lndconnect://h h:8080?macaroon=${MAC_B64URL}`],
    ['unclosed IPv6', `lndconnect://[::1:8080?macaroon=${MAC_B64URL}`],
    ['path after host', `lndconnect://h:8080/api?macaroon=${MAC_B64URL}`],
    ['cert not DER', `lndconnect://h:8080?cert=${Buffer.from('-----BEGIN').toString('base64url')}&macaroon=${MAC_B64URL}`],
    ['cert not base64', `lndconnect://h:8080?cert=***&macaroon=${MAC_B64URL}`],
  ];
  for (const [name, uri] of bad) {
    it(name, () => {
      expect(code(() => parseLndConnect(uri as string))).toBe('LNDCONNECT_INVALID');
    });
  }
});

describe('parseManualConnection', () => {
  it('accepts https with a hex or base64 macaroon', () => {
    expect(parseManualConnection('https://node.example.com:8080/', MAC_HEX)).toEqual({
      restUrl: 'https://node.example.com:8080',
      macaroonHex: MAC_HEX,
    });
    expect(parseManualConnection(' https://node.example.com ', MAC_B64).macaroonHex).toBe(MAC_HEX);
    expect(parseManualConnection('https://proxy.example.com/lnd/', MAC_B64URL).restUrl).toBe('https://proxy.example.com/lnd');
  });
  it('allows plain http only to this machine', () => {
    for (const local of ['http://localhost:8080', 'http://127.0.0.1:8080', 'http://[::1]:8080']) {
      expect(parseManualConnection(local, MAC_HEX).restUrl).toBe(local);
    }
    for (const remote of ['http://192.168.1.20:8080', 'http://node.example.com', 'http://localhost.evil.com']) {
      expect(code(() => parseManualConnection(remote, MAC_HEX))).toBe('NODE_INSECURE_URL');
    }
  });
  const bad: [string, string, string][] = [
    ['not a URL', 'node:8080', MAC_HEX],
    ['ftp', 'ftp://node.example.com', MAC_HEX],
    ['credentials in URL', 'https://u:p@node.example.com', MAC_HEX],
    ['query in URL', 'https://node.example.com?x=1', MAC_HEX],
    ['empty macaroon', 'https://node.example.com', ''],
    ['odd hex / bad base64', 'https://node.example.com', '02010'],
    ['not a macaroon', 'https://node.example.com', 'deadbeef'],
  ];
  for (const [name, url, mac] of bad) {
    it(`rejects: ${name}`, () => {
      expect(code(() => parseManualConnection(url, mac))).toBe('NODE_CONFIG_INVALID');
    });
  }
});
