/**
 * Macaroon minting, attenuation and verification — the server's half, kept tiny.
 *
 * Used by the tests and by the demo server (an L402 paywall on the devnet); the wallet itself
 * never mints or verifies a token (it has no root key). Not exported from `index.ts` for that
 * reason: import it from `src/l402/macaroon-mint.ts`.
 *
 * HMAC-SHA256 chain (macaroons paper §3; libmacaroons, go-macaroon `New`/`addCaveat`):
 *
 * | step                 | signature                                                      |
 * | -------------------- | -------------------------------------------------------------- |
 * | derive key           | k = HMAC-SHA256(key = "macaroons-key-generator", msg = root key) |
 * | mint                 | sig₀ = HMAC-SHA256(key = k, msg = identifier)                  |
 * | first-party caveat c | sigᵢ = HMAC-SHA256(key = sigᵢ₋₁, msg = c)                      |
 *
 * The location is not signed. Third-party caveats (a verification-id) are not minted here and make
 * `verifyMacaroon` answer false: L402 does not use them.
 *
 * Bytes are written as go-macaroon writes v2 (see the table in `macaroon.ts`): the decoder there
 * reads exactly what this writes, and real Aperture tokens decode with it too.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { moduleErrors } from '../errors.ts';
import { bytesToBase64, bytesToBase64url, utf8Bytes } from './codec.ts';
import { FIELD, readMacaroonV2, type RawCaveat, type RawMacaroon } from './macaroon.ts';

const err = moduleErrors('l402');
const fail = (problem: string, value?: unknown) => err('L402_MACAROON_INVALID', problem, value);

const KEY_GENERATOR = utf8Bytes('macaroons-key-generator');
const bytes = (v: Uint8Array | string): Uint8Array => (typeof v === 'string' ? utf8Bytes(v) : v);

function uvarint(n: number): number[] {
  const out: number[] = [];
  do {
    out.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  return out;
}

const packet = (tag: number, data: Uint8Array): number[] => [...uvarint(tag), ...uvarint(data.length), ...data];

/** go-macaroon's `appendBinaryV2`: the one layout every L402 server writes. */
export function encodeMacaroonV2(m: RawMacaroon): Uint8Array {
  if (m.signature.length !== 32) throw fail('signature length', m.signature.length);
  const out: number[] = [2];
  if (m.location) out.push(...packet(FIELD.location, utf8Bytes(m.location)));
  out.push(...packet(FIELD.identifier, m.identifier), FIELD.eos);
  for (const c of m.caveats) {
    if (c.location) out.push(...packet(FIELD.location, utf8Bytes(c.location)));
    out.push(...packet(FIELD.identifier, c.id));
    if (c.verificationId && c.verificationId.length > 0) out.push(...packet(FIELD.verificationId, c.verificationId));
    out.push(FIELD.eos);
  }
  out.push(FIELD.eos, ...packet(FIELD.signature, m.signature));
  return Uint8Array.from(out);
}

/** The 66-byte L402 identifier: version 0 ‖ payment hash ‖ token id. */
export function l402Identifier(paymentHash: Uint8Array | string, tokenId: Uint8Array | string): Uint8Array {
  const hash = typeof paymentHash === 'string' ? hexToBytes(paymentHash) : paymentHash;
  const id = typeof tokenId === 'string' ? hexToBytes(tokenId) : tokenId;
  if (hash.length !== 32) throw fail('payment hash length', hash.length);
  if (id.length !== 32) throw fail('token id length', id.length);
  return Uint8Array.from([0, 0, ...hash, ...id]);
}

export interface MintOptions {
  readonly rootKey: Uint8Array | string;
  readonly identifier: Uint8Array | string;
  /** Aperture writes "lsat". */
  readonly location?: string;
  /** First-party conditions, e.g. "services=demo:0", in order. */
  readonly caveats?: readonly (Uint8Array | string)[];
}

/** The signature chain over an identifier and first-party caveats. */
export function signatureChain(rootKey: Uint8Array | string, identifier: Uint8Array, caveats: readonly Uint8Array[]): Uint8Array {
  let sig = hmac(sha256, hmac(sha256, KEY_GENERATOR, bytes(rootKey)), identifier);
  for (const c of caveats) sig = hmac(sha256, sig, c);
  return sig;
}

export function mintMacaroon(o: MintOptions): Uint8Array {
  const identifier = bytes(o.identifier);
  const caveats = (o.caveats ?? []).map(bytes);
  return encodeMacaroonV2({
    ...(o.location !== undefined && { location: o.location }),
    identifier,
    caveats: caveats.map((id): RawCaveat => ({ id })),
    signature: signatureChain(o.rootKey, identifier, caveats),
  });
}

/** Adds a first-party caveat without the root key: anyone holding a token may narrow it. */
export function attenuate(macaroon: Uint8Array, condition: Uint8Array | string): Uint8Array {
  const m = readMacaroonV2(macaroon);
  const c = bytes(condition);
  return encodeMacaroonV2({ ...m, caveats: [...m.caveats, { id: c }], signature: hmac(sha256, m.signature, c) });
}

/** Compares without an early exit, so a server's check does not leak how much of a forgery matched. */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** Whether the signature is the chain from `rootKey` (first-party caveats only; conditions are not judged). */
export function verifyMacaroon(macaroon: Uint8Array, rootKey: Uint8Array | string): boolean {
  const m = readMacaroonV2(macaroon);
  if (m.caveats.some((c) => c.verificationId !== undefined)) return false;
  return equalBytes(signatureChain(rootKey, m.identifier, m.caveats.map((c) => c.id)), m.signature);
}

/** Text forms for a challenge: standard base64 with padding, as Aperture sends (or url-safe, as lsat-js). */
export function macaroonToBase64(macaroon: Uint8Array, alphabet: 'std' | 'url' = 'std'): string {
  return alphabet === 'std' ? bytesToBase64(macaroon) : bytesToBase64url(macaroon);
}
