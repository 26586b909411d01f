/**
 * Byte encodings used on the wire. lnd's REST JSON writes `bytes` as standard base64 in bodies and
 * reads them as standard or URL-safe base64 (paths and queries use the URL-safe form); tapd's REST
 * writes `bytes` as hex. Hash fields that lnd types as `string` are hex.
 */
import { base64, base64urlnopad, hex as hexCoder, utf8 } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';

export const toHex = (b: Uint8Array): string => hexCoder.encode(b);
export const toB64 = (b: Uint8Array): string => base64.encode(b);
export const toB64urlNoPad = (b: Uint8Array): string => base64urlnopad.encode(b);
export const utf8Bytes = (s: string): Uint8Array => utf8.decode(s);
export const bytesUtf8 = (b: Uint8Array): string => utf8.encode(b);
export const sha256Bytes = (b: Uint8Array): Uint8Array => sha256(b);
export const sha256Hex = (s: string): string => toHex(sha256(utf8Bytes(s)));

/** Throws on anything that is not an even-length hex string. */
export function fromHex(s: string): Uint8Array {
  return hexCoder.decode(s.toLowerCase());
}

/** Standard or URL-safe base64, padded or not, as protojson reads `bytes` in bodies. Throws on bad input. */
export function fromB64(s: string): Uint8Array {
  const std = s.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (std.length % 4 === 1) throw new Error(`illegal base64 data at input byte ${s.length}`);
  return base64.decode(std + '='.repeat((4 - (std.length % 4)) % 4));
}

/** Padded standard or URL-safe base64 only, as grpc-gateway reads `bytes` in paths and queries. */
export function fromB64Padded(s: string): Uint8Array {
  const mixedAlphabets = /[+/]/.test(s) && /[-_]/.test(s);
  if (s.length % 4 !== 0 || mixedAlphabets) {
    throw new Error(`illegal base64 data at input byte ${s.length - (s.length % 4)}`);
  }
  return fromB64(s);
}

export const isHex = (s: string): boolean => /^(?:[0-9a-fA-F]{2})*$/.test(s);

export const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

export const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
