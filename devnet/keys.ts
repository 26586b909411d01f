/**
 * Node identity keys and lnd's message signatures.
 *
 * Keys are derived from a seed and the node's name so that pubkeys, and so every invoice a wallet
 * stored, stay valid across devnet restarts.
 *
 * lnd SignMessage: digest = sha256(sha256("Lightning Signed Message:" ‖ msg)) (one sha256 with
 * `single_hash`), signature = 65-byte compact recoverable form `[27 + 4 + recid] ‖ r ‖ s`
 * (the +4 marks a compressed key), written in z-base-32.
 */
import * as secp from '@noble/secp256k1';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, toHex, utf8Bytes } from './codec.ts';
import { zbase32Decode, zbase32Encode } from '../src/keys/zbase32.ts';

// The synchronous signer needs these; setting them is idempotent for any other user of the module.
secp.hashes.sha256 = sha256;
secp.hashes.hmacSha256 = (key, msg) => hmac(sha256, key, msg);

export interface NodeKey {
  readonly secret: Uint8Array;
  readonly pubkey: Uint8Array;
  readonly pubkeyHex: string;
}

export function deriveKey(seed: string, label: string): NodeKey {
  let secret = sha256(utf8Bytes(`satnav-devnet/${seed}/${label}`));
  // A hash outside [1, n) is astronomically unlikely; rehash rather than reason about it.
  while (!secp.utils.isValidSecretKey(secret)) secret = sha256(secret);
  const pubkey = secp.getPublicKey(secret, true);
  return { secret, pubkey, pubkeyHex: toHex(pubkey) };
}

/** 65 bytes: recovery id, r, s — over a digest the caller already computed. */
export function signDigestRecoverable(digest: Uint8Array, secret: Uint8Array): Uint8Array {
  return secp.sign(digest, secret, { prehash: false, format: 'recovered' });
}

const MESSAGE_PREFIX = utf8Bytes('Lightning Signed Message:');

function messageDigest(msg: Uint8Array, singleHash: boolean): Uint8Array {
  const once = sha256(concat(MESSAGE_PREFIX, msg));
  return singleHash ? once : sha256(once);
}

export function signMessage(msg: Uint8Array, secret: Uint8Array, singleHash = false): string {
  const rec = signDigestRecoverable(messageDigest(msg, singleHash), secret);
  const compact = concat(Uint8Array.of(27 + 4 + (rec[0] ?? 0)), rec.subarray(1));
  return zbase32Encode(compact);
}

/** The signer's compressed pubkey (hex), or undefined when the signature does not parse or recover. */
export function recoverMessageSigner(msg: Uint8Array, signature: string): string | undefined {
  let compact: Uint8Array;
  try {
    compact = zbase32Decode(signature);
  } catch {
    return undefined;
  }
  const header = compact[0];
  if (compact.length !== 65 || header === undefined || header < 27 || header > 34) return undefined;
  const recid = (header - 27) & 3;
  const rec = concat(Uint8Array.of(recid), compact.subarray(1));
  try {
    return toHex(secp.recoverPublicKey(rec, messageDigest(msg, false), { prehash: false }));
  } catch {
    return undefined;
  }
}
