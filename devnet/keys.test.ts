import * as secp from '@noble/secp256k1';
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, utf8Bytes } from './codec.ts';
import { deriveKey, recoverMessageSigner, signMessage } from './keys.ts';
import { zbase32Decode, zbase32Encode } from './zbase32.ts';

describe('zbase32', () => {
  it('encodes bits most-significant first with zero padding (0xF0 → 11110 000|00 → "6y")', () => {
    expect(zbase32Encode(Uint8Array.of(0xf0))).toBe('6y');
    expect(zbase32Decode('6y')).toEqual(Uint8Array.of(0xf0));
  });
  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
        expect(zbase32Decode(zbase32Encode(b))).toEqual(b);
      }),
    );
  });
  it('writes 65 bytes as 104 characters', () => expect(zbase32Encode(new Uint8Array(65))).toHaveLength(104));
  it('rejects characters outside the alphabet', () => expect(() => zbase32Decode('6l')).toThrow(/invalid character="l"/));
  it('rejects non-zero padding bits', () => expect(() => zbase32Decode('6b')).toThrow(/non-zero padding/));
  it('rejects a dangling character', () => expect(() => zbase32Decode('6yy')).toThrow(/non-zero padding/));
});

describe('node keys', () => {
  it('derive the same key from the same seed and name', () => {
    expect(deriveKey('s', 'alice').pubkeyHex).toBe(deriveKey('s', 'alice').pubkeyHex);
    expect(deriveKey('s', 'alice').pubkeyHex).toMatch(/^0[23][0-9a-f]{64}$/);
  });
  it('differ across names and seeds', () => {
    expect(deriveKey('s', 'alice').pubkeyHex).not.toBe(deriveKey('s', 'bob').pubkeyHex);
    expect(deriveKey('s', 'alice').pubkeyHex).not.toBe(deriveKey('t', 'alice').pubkeyHex);
  });
});

describe('lnd message signatures', () => {
  const key = deriveKey('s', 'alice');
  const msg = utf8Bytes('hello satnav');

  it('recover the signer', () => expect(recoverMessageSigner(msg, signMessage(msg, key.secret))).toBe(key.pubkeyHex));

  it('are compact signatures over double-sha256 of the prefixed message (checked with noble directly)', () => {
    const sig = zbase32Decode(signMessage(msg, key.secret));
    expect(sig).toHaveLength(65);
    expect(sig[0]).toBeGreaterThanOrEqual(31); // 27 + 4 (compressed) + recovery id
    expect(sig[0]).toBeLessThanOrEqual(34);
    const digest = sha256(sha256(concat(utf8Bytes('Lightning Signed Message:'), msg)));
    expect(secp.verify(sig.subarray(1), digest, key.pubkey, { prehash: false })).toBe(true);
  });

  it('recover some other key for a different message', () => {
    const sig = signMessage(msg, key.secret);
    expect(recoverMessageSigner(utf8Bytes('hello satnav!'), sig)).not.toBe(key.pubkeyHex);
  });

  it('with single_hash do not verify as double-hash signatures', () => {
    expect(recoverMessageSigner(msg, signMessage(msg, key.secret, true))).not.toBe(key.pubkeyHex);
  });

  it('give no signer for text that is not a signature', () => {
    expect(recoverMessageSigner(msg, 'not-zbase32!')).toBeUndefined();
    expect(recoverMessageSigner(msg, zbase32Encode(new Uint8Array(64)))).toBeUndefined();
    expect(recoverMessageSigner(msg, zbase32Encode(new Uint8Array(65)))).toBeUndefined();
  });
});
