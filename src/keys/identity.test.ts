import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import * as secp from '@noble/secp256k1';
import { describe, expect, it } from 'vitest';
import { IDENTITY_PATH, identityKeyFor, signMessage, verifyMessage } from './identity.ts';
import { linkingKeyFor } from './lnurl-auth.ts';
import { rootFromSeed } from './root.ts';
import { zbase32Decode, zbase32Encode } from './zbase32.ts';

// Core Lightning's `checkmessage` doc, example 1: a zbase signature and the node that made it.
const CLN_CHECKMESSAGE = {
  message: 'testcase to check new rpc error',
  zbase: 'd66bqz3qsku5fxtqsi37j11pci47ydxa95iusphutggz9ezaxt56neh77kxe5hyr41kwgkncgiu94p9ecxiexgpgsz8daoq4tw8kj8yx',
  pubkey: '03be3b0e9992153b1d5a6e1623670b6c3663f72ce6cf2e0dd39c0a373a7de5a3b7',
};

const root = rootFromSeed(hexToBytes('000102030405060708090a0b0c0d0e0f'));
const priv = identityKeyFor(root).privateKey!;
const pub = bytesToHex(identityKeyFor(root).publicKey!);

describe('verifyMessage', () => {
  it('recovers the signer of a Core Lightning (lnd-format) signature', () => {
    expect(verifyMessage(CLN_CHECKMESSAGE.message, CLN_CHECKMESSAGE.zbase)).toEqual({ valid: true, pubkey: CLN_CHECKMESSAGE.pubkey });
  });

  it('another message recovers another key: the caller compares pubkeys', () => {
    const r = verifyMessage(`${CLN_CHECKMESSAGE.message}!`, CLN_CHECKMESSAGE.zbase);
    expect(r.pubkey).not.toBe(CLN_CHECKMESSAGE.pubkey);
  });

  const sig = zbase32Decode(CLN_CHECKMESSAGE.zbase);
  const withHeader = (h: number) => zbase32Encode(concatBytes(Uint8Array.of(h), sig.subarray(1)));
  const bad: [string, string][] = [
    ['not zbase32', 'l'.repeat(104)],
    ['empty', ''],
    ['64 bytes', zbase32Encode(sig.subarray(1))],
    ['66 bytes', zbase32Encode(concatBytes(sig, Uint8Array.of(0)))],
    ['header 26', withHeader(26)],
    ['header 35', withHeader(35)],
    ['r = 0', zbase32Encode(concatBytes(sig.subarray(0, 1), new Uint8Array(32), sig.subarray(33)))],
  ];
  for (const [why, text] of bad) it(`valid: false for ${why}`, () => expect(verifyMessage('m', text)).toEqual({ valid: false, pubkey: '' }));
});

describe('signMessage', () => {
  it('round trips through verifyMessage to the identity public key', async () => {
    const sig = await signMessage(priv, 'hello from satnav');
    expect(sig).toHaveLength(104); // 65 bytes
    expect(verifyMessage('hello from satnav', sig)).toEqual({ valid: true, pubkey: pub });
  });

  it('lnd wire format: header 31 + recid, then r‖s over dsha256("Lightning Signed Message:" ‖ msg)', async () => {
    const message = 'Grüße, 你好 ⚡';
    const bytes = zbase32Decode(await signMessage(priv, message));
    const recid = bytes[0]! - 31;
    expect([0, 1, 2, 3]).toContain(recid);
    const digest = sha256(sha256(concatBytes(utf8ToBytes('Lightning Signed Message:'), utf8ToBytes(message))));
    expect(secp.verify(bytes.subarray(1), digest, hexToBytes(pub), { prehash: false })).toBe(true);
    const recovered = secp.recoverPublicKey(concatBytes(Uint8Array.of(recid), bytes.subarray(1)), digest, { prehash: false });
    expect(bytesToHex(recovered)).toBe(pub);
  });

  it('signs a string as its utf8 bytes, deterministically', async () => {
    expect(await signMessage(priv, utf8ToBytes('abc'))).toBe(await signMessage(priv, 'abc'));
  });
});

describe('identityKeyFor', () => {
  it(`lives at ${IDENTITY_PATH}, hardened at every step`, () => {
    const key = identityKeyFor(root);
    expect(key.depth).toBe(3);
    expect(key.index).toBe(2 ** 31);
    expect(key.privateExtendedKey).toBe(root.derive(IDENTITY_PATH).privateExtendedKey);
  });

  it('is not any LNURL-auth linking key', () => {
    expect(identityKeyFor(root).publicKey).not.toEqual(linkingKeyFor(root, 'site.com').publicKey);
  });
});
