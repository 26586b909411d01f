import { describe, expect, it } from 'vitest';
import { hostKind, isLoopbackHost, isNonPublicHost, type HostKind } from './net.ts';

const TABLE: Array<[host: string, kind: HostKind]> = [
  // names
  ['localhost', 'loopback'],
  ['LOCALHOST', 'loopback'],
  ['localhost.', 'loopback'],
  ['app.localhost', 'loopback'],
  ['localhost:5173', 'loopback'],
  ['printer.local', 'private'],
  ['nas.lan', 'private'],
  ['db.internal', 'private'],
  ['router.home.arpa', 'private'],
  ['router', 'private'],
  ['example.com', 'public'],
  ['example.com.', 'public'],
  ['localhost.example.com', 'public'],
  ['127.0.0.1.nip.io', 'public'],
  ['pay.lan-party.org', 'public'],
  ['local.example', 'public'],
  ['abcdefgh.onion', 'public'],
  ['xn--mnchen-3ya.de', 'public'],
  // IPv4, in every spelling the URL parser accepts
  ['127.0.0.1', 'loopback'],
  ['127.255.0.9', 'loopback'],
  ['127.1', 'loopback'],
  ['0x7f.1', 'loopback'],
  ['2130706433', 'loopback'],
  ['127.0.0.1:8080', 'loopback'],
  ['0.0.0.0', 'private'],
  ['10.0.0.1', 'private'],
  ['100.64.0.1', 'private'],
  ['100.127.255.255', 'private'],
  ['169.254.169.254', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['198.18.0.1', 'private'],
  ['224.0.0.251', 'private'],
  ['255.255.255.255', 'private'],
  ['8.8.8.8', 'public'],
  ['100.63.255.255', 'public'],
  ['100.128.0.1', 'public'],
  ['172.15.0.1', 'public'],
  ['172.32.0.1', 'public'],
  ['192.169.0.1', 'public'],
  ['128.0.0.1', 'public'],
  // IPv6, bracketed as in URLs and bare as webRequest reports it
  ['[::1]', 'loopback'],
  ['::1', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['[::1]:8080', 'loopback'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['[::ffff:7f00:1]', 'loopback'],
  ['::', 'private'],
  ['[::2]', 'private'],
  ['::ffff:10.0.0.1', 'private'],
  ['::ffff:192.168.1.1', 'private'],
  ['64:ff9b::10.0.0.1', 'private'],
  ['fc00::2', 'private'],
  ['[fd00::1]', 'private'],
  ['FD12:3456::1', 'private'],
  ['fe80::1', 'private'],
  ['fe80::1%eth0', 'private'],
  ['febf::1', 'private'],
  ['fec0::1', 'private'],
  ['ff02::1', 'private'],
  ['::ffff:8.8.8.8', 'public'],
  ['64:ff9b::8.8.8.8', 'public'],
  ['2001:db8::1', 'public'],
  ['[2606:4700::1111]', 'public'],
  ['fbff::1', 'public'],
  // not a host: the safe answer
  ['', 'private'],
  ['a b', 'private'],
  ['[fe80::1%25eth0]', 'private'],
];

describe('hostKind', () => {
  for (const [host, kind] of TABLE) it(`${JSON.stringify(host)} → ${kind}`, () => expect(hostKind(host)).toBe(kind));
});

describe('isLoopbackHost / isNonPublicHost', () => {
  it('loopback is non-public; private is non-public but not loopback; public is neither', () => {
    expect([isLoopbackHost('127.0.0.1'), isNonPublicHost('127.0.0.1')]).toEqual([true, true]);
    expect([isLoopbackHost('192.168.1.1'), isNonPublicHost('192.168.1.1')]).toEqual([false, true]);
    expect([isLoopbackHost('example.com'), isNonPublicHost('example.com')]).toEqual([false, false]);
  });
});
