/**
 * LNURL-auth keys. LUD-05 derives one linking key per service domain from the wallet seed;
 * LUD-04 signs the service's k1 challenge with it.
 *
 * | step | LUD-05                                                              |
 * | ---- | ------------------------------------------------------------------- |
 * | 1    | hashingKey = private key at m/138'/0                                |
 * | 2    | material = hmacSha256(key = hashingKey, message = utf8(domain))     |
 * | 3    | i1..i4 = uint32 big-endian of material[0..4], [4..8], [8..12], [12..16] |
 * | 4    | linkingKey = m/138'/i1/i2/i3/i4                                     |
 *
 * The i's are raw BIP32 child indexes: one ≥ 2^31 is a hardened step, as in the LUD's Scala.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import * as secp from '@noble/secp256k1';
import type { HDKey } from '@scure/bip32';
import { moduleErrors } from '../errors.ts';
import { compactFromDer, derFromCompact } from './ecdsa-der.ts';
import { assertRoot } from './root.ts';

const err = moduleErrors('keys');

export const LNURL_AUTH_ROOT_PATH = "m/138'";
export const LNURL_AUTH_HASHING_PATH = "m/138'/0";
export type LinkingPathSuffix = [number, number, number, number];

const K1_HEX = /^[0-9a-f]{64}$/i;
const PUBKEY_HEX = /^0[23][0-9a-f]{64}$/i;

/** LUD-05 steps 2–3: the four child indexes after m/138' for `domain`. */
export function linkingPathSuffix(hashingKey: Uint8Array, domain: string): LinkingPathSuffix {
  const material = hmac(sha256, hashingKey, utf8ToBytes(lnurlAuthDomain(domain)));
  const view = new DataView(material.buffer, material.byteOffset, 16);
  return [view.getUint32(0), view.getUint32(4), view.getUint32(8), view.getUint32(12)];
}

/** LUD-05 linking key of `root` (a master private key) for the service at `domain`. */
export function linkingKeyFor(root: HDKey, domain: string): HDKey {
  assertRoot(root);
  const hashingKey = root.derive(LNURL_AUTH_HASHING_PATH).privateKey!;
  return linkingPathSuffix(hashingKey, domain).reduce((key, index) => key.deriveChild(index), root.derive(LNURL_AUTH_ROOT_PATH));
}

/** LUD-04: sign the 32-byte challenge k1 (no prehash) → DER hex sig (low-S) and compressed key hex. */
export function signK1(linkingKey: HDKey, k1Hex: string): { sig: string; key: string } {
  if (!K1_HEX.test(k1Hex)) throw err('K1_INVALID', 'k1 must be 32 bytes hex, got', k1Hex);
  if (linkingKey.privateKey === null || linkingKey.publicKey === null) throw err('KEY_NOT_PRIVATE', 'linking key has no private key');
  // HDKey.sign: RFC6979 ECDSA over the given 32 bytes, low-S.
  const compact = linkingKey.sign(hexToBytes(k1Hex));
  return { sig: bytesToHex(derFromCompact(compact)), key: bytesToHex(linkingKey.publicKey) };
}

/** The service side of LUD-04: does `sig` (DER hex) by `key` (compressed hex) sign k1? */
export function verifyK1(k1Hex: string, sigHex: string, keyHex: string): boolean {
  if (!K1_HEX.test(k1Hex) || !PUBKEY_HEX.test(keyHex) || !/^([0-9a-f]{2})+$/i.test(sigHex)) return false;
  try {
    const compact = compactFromDer(hexToBytes(sigHex));
    return secp.verify(compact, hexToBytes(k1Hex), hexToBytes(keyHex), { prehash: false });
  } catch {
    return false;
  }
}

/**
 * The domain as LUD-05 hashes it: the URL's hostname, final dot dropped. Anything else (case,
 * port, path) is refused rather than fixed up, so one site can never get two identities.
 */
export function lnurlAuthDomain(domain: string): string {
  const host = domain.endsWith('.') ? domain.slice(0, -1) : domain;
  let parsed = '';
  try {
    parsed = new URL(`https://${host}/`).hostname;
  } catch {
    // left empty: refused below
  }
  if (host === '' || parsed !== host) throw err('LNURL_AUTH_DOMAIN', 'domain must be a URL hostname, got', domain);
  return host;
}
