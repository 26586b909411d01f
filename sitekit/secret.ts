/**
 * What the site's secret derives (docs/deposit-wall.md §4.3): each hold invoice's preimage from a
 * random id written in the invoice memo, so forfeiting needs no database — the node's invoice says
 * which preimage to settle with, and proves the invoice is this wall's.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes, randomBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { moduleErrors } from '../src/errors.ts';

const err = moduleErrors('sitekit');

export const PREIMAGE_TAG = 'satnav-deposit-preimage/1';
const MEMO = /^deposit (.+) ([0-9a-f]{32})$/s;

/** A secret of at least 32 bytes, given as bytes or hex. */
export function secretBytes(secret: string | Uint8Array): Uint8Array {
  const bytes = typeof secret === 'string' && /^([0-9a-fA-F]{2})+$/.test(secret) ? hexToBytes(secret) : secret;
  if (!(bytes instanceof Uint8Array) || bytes.length < 32) throw err('INVALID_REQUEST', 'secret must be at least 32 bytes (64 hex)');
  return bytes;
}

export interface HoldSecret {
  readonly id: string;
  readonly preimage: string;
  readonly paymentHash: string;
  readonly memo: string;
}

/** preimage = HMAC-SHA256(secret, UTF-8(tag) ‖ id); the id is 16 bytes, hex in the memo. */
export function holdSecret(secret: Uint8Array, realm: string, id: string): HoldSecret {
  const preimage = hmac(sha256, secret, concatBytes(utf8ToBytes(PREIMAGE_TAG), hexToBytes(id)));
  return { id, preimage: bytesToHex(preimage), paymentHash: bytesToHex(sha256(preimage)), memo: `deposit ${realm} ${id}` };
}

export const newHoldSecret = (secret: Uint8Array, realm: string): HoldSecret => holdSecret(secret, realm, bytesToHex(randomBytes(16)));

/** The hold secret of an invoice, when its memo names this realm and its id hashes to `paymentHash`. */
export function ownHoldSecret(secret: Uint8Array, realm: string, memo: string, paymentHash: string): HoldSecret | null {
  const m = MEMO.exec(memo);
  if (!m || m[1] !== realm) return null;
  const h = holdSecret(secret, realm, m[2]!);
  return h.paymentHash === paymentHash ? h : null;
}
