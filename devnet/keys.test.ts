import * as secp from '@noble/secp256k1';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { concat, utf8Bytes } from './codec.ts';
import { deriveKey, recoverMessageSigner, signMessage } from './keys.ts';
import { zbase32Decode, zbase32Encode } from '../src/keys/zbase32.ts';

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
