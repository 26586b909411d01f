/**
 * The minter (tests and the demo server) against the macaroon signature chain's published
 * vectors, then round trips through the wallet's decoder.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrownCode } from '../testing/expect-code.ts';
import { utf8Bytes } from './codec.ts';
import { decodeMacaroon, readMacaroonV2 } from './macaroon.ts';
import { attenuate, encodeMacaroonV2, l402Identifier, macaroonToBase64, mintMacaroon, signatureChain, verifyMacaroon } from './macaroon-mint.ts';

// libmacaroons README (rescrv/libmacaroons), reproduced by every port: root key, identifier, and
// the signature after each first-party caveat.
const KEY = 'this is our super secret key; only we should know it';
const ID = utf8Bytes('we used our secret key');
const CAVEATS = ['account = 3735928559', 'time < 2020-01-01T00:00', 'email = alice@example.org'];
const SIGNATURES = [
  'e3d9e02908526c4c0039ae15114115d97fdd68bf2ba379b342aaf0f617d0552f',
  '1efe4763f290dbce0c1d08477367e11f4eee456a64933cf662d79772dbb82128',
  'b5f06c8c8ef92f6c82c6ff282cd1f8bd1849301d09a2db634ba182536a611c49',
  'ddf553e46083e55b8d71ab822be3d8fcf21d6bf19c40d617bb9fb438934474b6',
];

describe('libmacaroons signature chain', () => {
  SIGNATURES.forEach((expected, n) => {
    it(`signature after ${n} caveat(s)`, () => {
      expect(bytesToHex(signatureChain(KEY, ID, CAVEATS.slice(0, n).map(utf8Bytes)))).toBe(expected);
      const bytes = mintMacaroon({ rootKey: KEY, identifier: ID, location: 'http://mybank/', caveats: CAVEATS.slice(0, n) });
      expect(bytesToHex(readMacaroonV2(bytes).signature)).toBe(expected);
      expect(verifyMacaroon(bytes, KEY)).toBe(true);
    });
  });
  it('attenuating a token gives the same signature as minting with the caveat', () => {
    const base = mintMacaroon({ rootKey: KEY, identifier: ID, caveats: CAVEATS.slice(0, 2) });
    expect(bytesToHex(readMacaroonV2(attenuate(base, CAVEATS[2] as string)).signature)).toBe(SIGNATURES[3]);
  });
});

const HASH = '11'.repeat(32);
const id = l402Identifier(HASH, '22'.repeat(32));

describe('L402 tokens', () => {
  it('writes the 66-byte identifier: version 0, hash, token id', () => expect(bytesToHex(id)).toBe(`0000${'11'.repeat(32)}${'22'.repeat(32)}`));
  it('mints what Aperture mints and the wallet reads it', () => {
    const text = macaroonToBase64(mintMacaroon({ rootKey: 'root', identifier: id, location: 'lsat', caveats: ['services=demo:0', 'demo_capabilities=', 'demo_valid_until=1900000000'] }));
    const m = decodeMacaroon(text);
    expect(m.identifier.paymentHash).toBe(HASH);
    expect(m.services).toEqual([{ name: 'demo', tier: 0 }]);
    expect(m.expiresAt).toBe(1900000000);
    expect(decodeMacaroon(macaroonToBase64(mintMacaroon({ rootKey: 'root', identifier: id }), 'url')).identifier.paymentHash).toBe(HASH);
  });
  it('refuses a wrong root key, a changed caveat, a dropped caveat and a changed identifier', () => {
    const bytes = mintMacaroon({ rootKey: 'root', identifier: id, caveats: ['services=demo:0', 'demo_valid_until=5'] });
    const raw = readMacaroonV2(bytes);
    expect(verifyMacaroon(bytes, 'toor')).toBe(false);
    expect(verifyMacaroon(encodeMacaroonV2({ ...raw, caveats: [raw.caveats[0]!, { id: utf8Bytes('demo_valid_until=9') }] }), 'root')).toBe(false);
    expect(verifyMacaroon(encodeMacaroonV2({ ...raw, caveats: raw.caveats.slice(0, 1) }), 'root')).toBe(false);
    expect(verifyMacaroon(encodeMacaroonV2({ ...raw, identifier: l402Identifier('33'.repeat(32), '22'.repeat(32)) }), 'root')).toBe(false);
  });
  it('does not sign the location (as the macaroon format says)', () => {
    const raw = readMacaroonV2(mintMacaroon({ rootKey: 'root', identifier: id, location: 'a' }));
    expect(verifyMacaroon(encodeMacaroonV2({ ...raw, location: 'b' }), 'root')).toBe(true);
  });
  it('answers false for a third-party caveat (L402 never uses one)', () => {
    const raw = readMacaroonV2(mintMacaroon({ rootKey: 'root', identifier: id }));
    expect(verifyMacaroon(encodeMacaroonV2({ ...raw, caveats: [{ id: utf8Bytes('x'), location: 'l', verificationId: new Uint8Array(8) }] }), 'root')).toBe(false);
  });
  it('refuses identifier parts of the wrong size and a short signature', () => {
    expect(thrownCode(() => l402Identifier('11', '22'.repeat(32)))).toBe('L402_MACAROON_INVALID');
    expect(thrownCode(() => l402Identifier(HASH, new Uint8Array(31)))).toBe('L402_MACAROON_INVALID');
    expect(thrownCode(() => encodeMacaroonV2({ identifier: id, caveats: [], signature: new Uint8Array(31) }))).toBe('L402_MACAROON_INVALID');
  });
  it('writes lengths of 128 bytes and more as multi-byte varints', () => {
    const long = 'x='.padEnd(300, 'y');
    const m = decodeMacaroon(macaroonToBase64(mintMacaroon({ rootKey: 'k', identifier: id, caveats: [long] })));
    expect(m.caveats[0]?.value).toBe(long.slice(2));
  });
  it('round-trips any caveats and location through mint, decode and verify', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 40 });
    fc.assert(
      fc.property(fc.array(text, { maxLength: 6 }), text, fc.uint8Array({ minLength: 1, maxLength: 64 }), (caveats, location, rootKey) => {
        const bytes = mintMacaroon({ rootKey, identifier: id, location, caveats: caveats.map((c) => `note=${c}`) });
        const m = decodeMacaroon(macaroonToBase64(bytes));
        expect(m.caveats.map((c) => c.value)).toEqual(caveats.map((c) => c.trim()));
        expect(m.location).toBe(location === '' ? undefined : location);
        expect(verifyMacaroon(bytes, rootKey)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
