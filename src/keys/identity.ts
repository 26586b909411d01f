/**
 * Satnav's own identity key, for WebLN signMessage / verifyMessage when no node is connected,
 * in lnd's message-signing format so signatures check with `lncli verifymessage` and Core
 * Lightning's `checkmessage`:
 *
 * | part      | value                                                                  |
 * | --------- | ---------------------------------------------------------------------- |
 * | digest    | sha256(sha256(utf8("Lightning Signed Message:") ‖ message))            |
 * | signature | 65 bytes: header = 31 + recid (27 + 4 for a compressed key), r, s       |
 * | text      | zbase32 of the 65 bytes                                                 |
 *
 * Path m/1017'/0'/0': 1017' is the purpose lnd uses for Lightning keys, so the key lives apart
 * from on-chain accounts (44'/49'/84'/86') and LNURL-auth (138'); every step hardened, so an
 * xpub that leaks beside this private key cannot lead back to the root or its siblings.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import * as secp from '@noble/secp256k1';
import type { HDKey } from '@scure/bip32';
import { assertRoot } from './root.ts';
import { zbase32Decode, zbase32Encode } from './zbase32.ts';

export const IDENTITY_PATH = "m/1017'/0'/0'";

const MESSAGE_PREFIX = utf8ToBytes('Lightning Signed Message:');
const HEADER_BASE = 27;
const HEADER_COMPRESSED = 4;
const SIGNATURE_BYTES = 65;

export type VerifiedMessage = { valid: boolean; pubkey: string };

export function identityKeyFor(root: HDKey): HDKey {
  assertRoot(root);
  return root.derive(IDENTITY_PATH);
}

/** zbase32 signature of `message` (a string is signed as its utf8 bytes). */
export async function signMessage(privateKey: Uint8Array, message: string | Uint8Array): Promise<string> {
  const recovered = await secp.signAsync(messageDigest(message), privateKey, { prehash: false, format: 'recovered' });
  // noble's recovered format is recid ‖ r ‖ s; lnd wants the header byte in front instead.
  const header = HEADER_BASE + HEADER_COMPRESSED + recovered[0]!;
  return zbase32Encode(concatBytes(Uint8Array.of(header), recovered.subarray(1)));
}

/**
 * Recover the signer. `valid` means the signature is well formed and verifies for the recovered
 * `pubkey` (compressed hex); whether that key is one the caller trusts is the caller's question,
 * as with lnd, which also checks its channel graph. Malformed input gives valid: false.
 */
export function verifyMessage(message: string | Uint8Array, signature: string): VerifiedMessage {
  const invalid = { valid: false, pubkey: '' };
  let bytes: Uint8Array;
  try {
    bytes = zbase32Decode(signature);
  } catch {
    return invalid;
  }
  const header = bytes[0];
  if (bytes.length !== SIGNATURE_BYTES || header === undefined || header < HEADER_BASE || header >= HEADER_BASE + 8) return invalid;
  const digest = messageDigest(message);
  const recid = (header - HEADER_BASE) & 3;
  try {
    const pubkey = secp.recoverPublicKey(concatBytes(Uint8Array.of(recid), bytes.subarray(1)), digest, { prehash: false });
    const valid = secp.verify(bytes.subarray(1), digest, pubkey, { prehash: false, lowS: false });
    return valid ? { valid, pubkey: bytesToHex(pubkey) } : invalid;
  } catch {
    return invalid;
  }
}

function messageDigest(message: string | Uint8Array): Uint8Array {
  const bytes = typeof message === 'string' ? utf8ToBytes(message) : message;
  return sha256(sha256(concatBytes(MESSAGE_PREFIX, bytes)));
}
