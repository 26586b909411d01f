import { readFileSync } from 'node:fs';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { parseChallenges } from './auth-header.ts';
import * as mpp from './mpp.ts';

// Aperture's cross-implementation vectors (MIT), kept unchanged in contracts/ (see contracts/SOURCES.md).
const vectorFile = new URL('../../contracts/aperture-mpp/vectors.json', import.meta.url);

interface Vectors {
  hmacSecretHex: string;
  canonicalization: Array<{ name: string; input: string; canonical?: string; error?: boolean }>;
  base64url: Array<{ name: string; encoded: string; decodedHex?: string; canonical: boolean; error?: boolean }>;
  challengeHeaders: Array<{ name: string; params: mpp.ChallengeParams; header: string; parsed: Record<string, string> }>;
  challengeLists: Array<{ name: string; header: string; challenges?: Array<Record<string, string>>; error?: boolean }>;
  challengeIds: Array<{ name: string; params: mpp.ChallengeParams; hmacInput: string }>;
  credentials: Array<{ name: string; credentialJson: string; header: string; error?: boolean }>;
  receipts: Array<{ name: string; receiptJson: string; header: string }>;
}
const V = JSON.parse(readFileSync(vectorFile, 'utf8')) as Vectors;
const REQUIRED = ['id', 'realm', 'method', 'intent', 'request'];

/** What a client keeps from a WWW-Authenticate value: complete Payment offers. */
const paymentOffers = (header: string) =>
  parseChallenges(header)
    .filter((c) => c.scheme.toLowerCase() === 'payment' && REQUIRED.every((k) => c.params[k]))
    .map((c) => c.params);

describe('Aperture MPP vectors', () => {
  it.each(V.canonicalization)('JCS: $name', (v) => {
    if (v.error) expect(() => mpp.canonicalJson(JSON.parse(v.input))).toThrow();
    else expect(mpp.canonicalJson(JSON.parse(v.input))).toBe(v.canonical);
  });

  it.each(V.base64url)('base64url: $name', (v) => {
    if (v.error) return void expect(() => mpp.b64urlDecode(v.encoded)).toThrow();
    const decoded = mpp.b64urlDecode(v.encoded);
    expect(bytesToHex(decoded)).toBe(v.decodedHex ?? '');
    if (v.canonical) expect(mpp.b64urlEncode(decoded)).toBe(v.encoded);
  });

  it.each(V.challengeHeaders)('challenge header: $name', (v) => {
    expect(mpp.challengeHeader(v.params)).toBe(v.header);
    expect(paymentOffers(v.header)).toEqual([v.parsed]);
  });

  it.each(V.challengeLists)('challenge list: $name', (v) => {
    expect(paymentOffers(v.header)).toEqual(v.error ? [] : v.challenges);
  });

  it.each(V.challengeIds)('challenge id: $name', (v) => {
    expect(mpp.hmacInput(v.params)).toBe(v.hmacInput);
    expect(mpp.challengeId(hexToBytes(V.hmacSecretHex), v.params)).toBe(v.params.id);
    expect(mpp.verifyChallengeId(hexToBytes(V.hmacSecretHex), v.params)).toBe(true);
    expect(mpp.verifyChallengeId(hexToBytes(V.hmacSecretHex), { ...v.params, request: `${v.params.request}x` })).toBe(false);
  });

  it.each(V.credentials)('credential: $name', (v) => {
    if (v.error) expect(() => mpp.parseCredential(v.header)).toThrow();
    else expect(mpp.parseCredential(v.header)).toEqual(JSON.parse(v.credentialJson));
  });

  // Receipts of the charge intent (Aperture's Receipt struct; session receipts are another struct).
  it.each(V.receipts.filter((r) => r.receiptJson.startsWith('{"status"')))('receipt: $name', (v) => {
    expect(mpp.encodeReceipt(JSON.parse(v.receiptJson) as mpp.Receipt)).toBe(v.header);
  });
});

describe('our own encoding', () => {
  it('a credential the client builds parses back, and its challenge id verifies', () => {
    const secret = new Uint8Array(32).fill(3);
    const p = { realm: 'r', method: 'lightning', intent: 'charge', request: mpp.encodeRequest({ amount: '10', currency: 'sat' }), expires: mpp.rfc3339(0) };
    const challenge = { id: mpp.challengeId(secret, p), ...p };
    const cred = mpp.parseCredential(mpp.encodeCredential(challenge, 'ab'.repeat(32)));
    expect(cred).toEqual({ challenge, payload: { preimage: 'ab'.repeat(32) } });
    expect(mpp.verifyChallengeId(secret, cred.challenge)).toBe(true);
    expect(p.expires).toBe('1970-01-01T00:00:00Z');
    expect(mpp.decodeRequest(p.request)).toEqual({ amount: '10', currency: 'sat' });
  });
});
