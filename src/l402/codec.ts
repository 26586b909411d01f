/**
 * Byte and text codecs the three 402 schemes use, each exactly as strict as its spec:
 *
 * | who                         | alphabet        | padding             | trailing bits |
 * | --------------------------- | --------------- | ------------------- | ------------- |
 * | Payment (MPP) tokens        | url (RFC 4648 §5) | optional, at the end, to a multiple of 4 | must be zero |
 * | L402 macaroons              | std or url, not mixed | optional      | must be zero  |
 * | x402 headers                | std (RFC 4648 §4) | optional          | must be zero  |
 *
 * Zero trailing bits matter: a lenient decoder gives one payload several spellings, and the
 * Payment scheme's vectors pin that a second spelling is refused.
 */
import { base64, base64nopad, base64url, base64urlnopad } from '@scure/base';
import { moduleErrors } from '../errors.ts';

const err = moduleErrors('l402');

const URL_ALPHABET = /^[A-Za-z0-9_-]*={0,2}$/;
const STD_ALPHABET = /^[A-Za-z0-9+/]*={0,2}$/;

/** Padding, when present, must bring the length to a multiple of 4 (scure checks the rest). */
function decodeWith(s: string, padded: typeof base64, bare: typeof base64): Uint8Array | undefined {
  try {
    return s.endsWith('=') ? padded.decode(s) : bare.decode(s);
  } catch {
    return undefined;
  }
}

/** base64url, optional padding, zero trailing bits; undefined when `s` is anything else. */
export function base64urlToBytes(s: string): Uint8Array | undefined {
  if (!URL_ALPHABET.test(s)) return undefined;
  return decodeWith(s, base64url, base64urlnopad);
}

/** Unpadded base64url: the one spelling the Payment scheme emits. */
export function bytesToBase64url(b: Uint8Array): string {
  return base64urlnopad.encode(b);
}

/** Standard base64, optional padding, zero trailing bits. */
export function base64ToBytes(s: string): Uint8Array | undefined {
  if (!STD_ALPHABET.test(s)) return undefined;
  return decodeWith(s, base64, base64nopad);
}

/** Padded standard base64: what btoa and Go's StdEncoding write. */
export function bytesToBase64(b: Uint8Array): string {
  return base64.encode(b);
}

/** Either alphabet (never both in one string), with or without padding. */
export function anyBase64ToBytes(s: string): Uint8Array | undefined {
  return base64ToBytes(s) ?? base64urlToBytes(s);
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

export function utf8(b: Uint8Array): string | undefined {
  try {
    return utf8Decoder.decode(b);
  } catch {
    return undefined;
  }
}

export const utf8Bytes = (s: string): Uint8Array => utf8Encoder.encode(s);

/** JSON.parse that reports failure as undefined instead of throwing a SyntaxError. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A JSON object (not an array, not null): the only top-level shape any of these schemes sends. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** base64url → UTF-8 → JSON object, naming the field when any step fails. */
export function base64urlJsonObject(s: string, field: string): Record<string, unknown> {
  const code = 'L402_CHALLENGE_INVALID';
  const bytes = base64urlToBytes(s);
  if (bytes === undefined) throw err(code, `${field} is not base64url`, s);
  const text = utf8(bytes);
  if (text === undefined) throw err(code, `${field} is not UTF-8`, s);
  const json = parseJson(text);
  if (!isObject(json)) throw err(code, `${field} is not a JSON object`, text);
  return json;
}

const HEX64 = /^[0-9a-fA-F]{64}$/;

/** 32 bytes as 64 hex digits (either case on input); lowercased, as Aperture's matcher wants. */
export function hex32(v: unknown): string | undefined {
  return typeof v === 'string' && HEX64.test(v) ? v.toLowerCase() : undefined;
}

const RFC3339 = /^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]{1,9})?(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))$/;

/**
 * RFC 3339 date-time → unix seconds (fraction dropped); undefined for anything else, including
 * impossible dates (February 30th) that Date.parse would quietly roll over. Years before 1970 are
 * refused: no expiry the wallet reads can be that old, and Date.UTC maps 0–99 to 1900–1999.
 */
export function parseRfc3339(s: string): number | undefined {
  const m = typeof s === 'string' ? RFC3339.exec(s) : null;
  if (!m) return undefined;
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (y < 1970 || h > 23 || mi > 59 || sec > 60) return undefined; // 60: a leap second
  const t = Date.UTC(y, mo - 1, d, h, mi, sec);
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return undefined;
  let offsetMin = 0;
  if (m[7] === undefined) {
    const oh = Number(m[9]);
    const om = Number(m[10]);
    if (oh > 23 || om > 59) return undefined;
    offsetMin = (m[8] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return Math.floor(t / 1000) - offsetMin * 60;
}
