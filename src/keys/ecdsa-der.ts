/**
 * DER form of an ECDSA signature (X.690, strict as in BIP66), which LUD-04 puts in `sig`:
 *
 * | byte(s) | value                                      |
 * | ------- | ------------------------------------------ |
 * | 0       | 0x30 SEQUENCE                              |
 * | 1       | length of the rest                         |
 * | 2       | 0x02 INTEGER                               |
 * | 3       | length of r                                |
 * | …       | r: big-endian, minimal, 0x00 before a byte ≥ 0x80 |
 * | …       | 0x02 INTEGER, length of s, s (same rules)  |
 */
import { moduleErrors } from '../errors.ts';

const err = moduleErrors('keys');

const SEQUENCE = 0x30;
const INTEGER = 0x02;
const SCALAR_BYTES = 32;

/** 64-byte r‖s → DER. */
export function derFromCompact(compact: Uint8Array): Uint8Array {
  if (compact.length !== 2 * SCALAR_BYTES) throw err('SIG_INVALID', 'compact signature length', compact.length);
  const r = derInteger(compact.subarray(0, SCALAR_BYTES));
  const s = derInteger(compact.subarray(SCALAR_BYTES));
  return Uint8Array.of(SEQUENCE, r.length + s.length, ...r, ...s);
}

/** DER → 64-byte r‖s. Rejects anything but the one minimal encoding (SIG_DER_INVALID). */
export function compactFromDer(der: Uint8Array): Uint8Array {
  if (der.length < 2 || der[0] !== SEQUENCE || der[1] !== der.length - 2) throw invalid('sequence');
  const r = readInteger(der, 2);
  const s = readInteger(der, r.end);
  if (s.end !== der.length) throw invalid('trailing bytes');
  const out = new Uint8Array(2 * SCALAR_BYTES);
  out.set(r.value, SCALAR_BYTES - r.value.length);
  out.set(s.value, 2 * SCALAR_BYTES - s.value.length);
  return out;
}

function derInteger(scalar: Uint8Array): Uint8Array {
  let start = 0;
  while (start < scalar.length - 1 && scalar[start] === 0) start++;
  const body = scalar.subarray(start);
  const pad = body[0]! >= 0x80 ? [0] : [];
  return Uint8Array.of(INTEGER, body.length + pad.length, ...pad, ...body);
}

function readInteger(der: Uint8Array, at: number): { value: Uint8Array; end: number } {
  const len = der[at + 1];
  if (der[at] !== INTEGER || len === undefined || len === 0 || at + 2 + len > der.length) throw invalid('integer');
  const body = der.subarray(at + 2, at + 2 + len);
  if (body[0]! >= 0x80) throw invalid('negative integer');
  if (len > 1 && body[0] === 0 && body[1]! < 0x80) throw invalid('integer not minimal');
  const value = body[0] === 0 && len > 1 ? body.subarray(1) : body;
  if (value.length > SCALAR_BYTES) throw invalid('integer too long');
  return { value, end: at + 2 + len };
}

function invalid(problem: string) {
  return err('SIG_DER_INVALID', `der signature: ${problem}`);
}
