import { describe, expect, it } from 'vitest';
import { registrableDomain } from './site.ts';

describe('registrableDomain', () => {
  it.each([
    ['evil.com', 'evil.com'],
    ['a1.evil.com', 'evil.com'],
    ['https://a2.b.evil.com:8443', 'evil.com'],
    ['WWW.Example.COM', 'example.com'],
    ['example.com.', 'example.com'],
  ])('a subdomain belongs to its eTLD+1: %s → %s', (input, site) => {
    expect(registrableDomain(input)).toBe(site);
  });

  it('multi-label public suffixes: co.uk is a suffix, not a site', () => {
    expect(registrableDomain('shop.example.co.uk')).toBe('example.co.uk');
    expect(registrableDomain('https://a.shop.example.co.uk')).toBe('example.co.uk');
    expect(registrableDomain('other.co.uk')).not.toBe(registrableDomain('example.co.uk'));
    // A bare public suffix has nothing registrable above it: it is its own key.
    expect(registrableDomain('co.uk')).toBe('co.uk');
  });

  it('private-section suffixes: each github.io user is a different site', () => {
    expect(registrableDomain('https://alice.github.io')).toBe('alice.github.io');
    expect(registrableDomain('docs.alice.github.io')).toBe('alice.github.io');
    expect(registrableDomain('bob.github.io')).not.toBe(registrableDomain('alice.github.io'));
  });

  it('IP literals are their own site (no suffix walk on numbers)', () => {
    expect(registrableDomain('127.0.0.1')).toBe('127.0.0.1');
    expect(registrableDomain('http://192.168.1.20:3000')).toBe('192.168.1.20');
    expect(registrableDomain('[::1]')).toBe('[::1]');
    expect(registrableDomain('http://[::1]:8080')).toBe('[::1]');
    expect(registrableDomain('http://10.0.0.1')).not.toBe(registrableDomain('http://10.0.0.2'));
  });

  it('localhost and single-label names are their own site', () => {
    expect(registrableDomain('localhost')).toBe('localhost');
    expect(registrableDomain('http://localhost:5173')).toBe('localhost');
    expect(registrableDomain('intranet')).toBe('intranet');
  });

  it('Unicode and punycode spellings of one host are one site', () => {
    expect(registrableDomain('https://shop.münchen.de')).toBe('xn--mnchen-3ya.de');
    expect(registrableDomain('xn--mnchen-3ya.de')).toBe('xn--mnchen-3ya.de');
  });

  it.each(['', 'https://', 'file:///etc/passwd', 'a b'])('refuses what is not a host or origin: %j', (input) => {
    expect(() => registrableDomain(input)).toThrow(expect.objectContaining({ code: 'INVALID_HOST' }));
  });
});
