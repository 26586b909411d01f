/**
 * Stateless server nonces (docs/deposit-wall.md §3): an HMAC of the payment hash and a 5-minute
 * window under the site's secret. Any server holding the secret issues and checks them; nothing
 * is stored, so a nonce can be presented again within its life (the same credential only).
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { moduleErrors } from '../errors.ts';

const err = moduleErrors('deposit');

export const DEPOSIT_NONCE_TAG = 'satnav-deposit-nonce/1';
export const NONCE_WINDOW_SECONDS = 300;

const HEX32 = /^[0-9a-f]{64}$/;

export const nonceWindow = (nowSeconds: number): number => Math.floor(nowSeconds / NONCE_WINDOW_SECONDS);

/** hex(HMAC-SHA256(secret, UTF-8(tag) ‖ payment hash (32 bytes) ‖ uint64 BE(window))). */
export function depositNonce(secret: Uint8Array, paymentHash: string, window: number): string {
  if (!HEX32.test(paymentHash)) throw err('DEPOSIT_CREDENTIAL_INVALID', 'payment hash must be 32 bytes lowercase hex', paymentHash);
  if (!Number.isSafeInteger(window) || window < 0) throw err('DEPOSIT_CREDENTIAL_INVALID', 'nonce window', window);
  const w = new Uint8Array(8);
  new DataView(w.buffer).setBigUint64(0, BigInt(window));
  return bytesToHex(hmac(sha256, secret, concatBytes(utf8ToBytes(DEPOSIT_NONCE_TAG), hexToBytes(paymentHash), w)));
}

/** The nonce a server hands out now (in a challenge or a `Deposit-Nonce` header). */
export const currentDepositNonce = (secret: Uint8Array, paymentHash: string, nowSeconds: number): string =>
  depositNonce(secret, paymentHash, nonceWindow(nowSeconds));

/** Issued for this hash in the current or the previous window: at most 10 minutes old. */
export function isFreshDepositNonce(secret: Uint8Array, paymentHash: string, nonce: string, nowSeconds: number): boolean {
  if (!HEX32.test(paymentHash) || !HEX32.test(nonce)) return false;
  const w = nonceWindow(nowSeconds);
  return [w, w - 1].some((x) => x >= 0 && sameHex(depositNonce(secret, paymentHash, x), nonce));
}

/** Compares in time independent of where the strings differ (a MAC check). */
function sameHex(a: string, b: string): boolean {
  let d = a.length ^ b.length;
  for (let i = 0; i < a.length && i < b.length; i++) d |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return d === 0;
}
