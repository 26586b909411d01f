/**
 * BOLT #11 invoice writer: the devnet's nodes sign real payment requests with their node keys.
 *
 * Layout (BOLT #11 "Human-Readable Part" and "Data Part"):
 *   hrp  = "ln" ‖ currency prefix ‖ [amount ‖ multiplier]
 *   data = timestamp (35 bits = 7 words) ‖ tagged fields ‖ signature (520 bits = 104 words)
 *   tagged field = type (1 word) ‖ data_length (2 words, big-endian) ‖ data_length words
 *   signature over sha256(utf8(hrp) ‖ data words packed to bytes, zero-padded), recoverable,
 *   as r ‖ s ‖ recovery id.
 */
import { bech32 } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, utf8Bytes } from './codec.ts';
import { signDigestRecoverable } from './keys.ts';

/** BOLT #11 field types used here, by their bech32 character and 5-bit value. */
export const FIELD_TYPES = {
  p: 1, // payment_hash, 52 words (256 bits)
  s: 16, // payment_secret, 52 words
  d: 13, // description, UTF-8
  m: 27, // payment metadata
  n: 19, // payee pubkey, 53 words (264 bits)
  h: 23, // description hash, 52 words
  x: 6, // expiry seconds, minimal big-endian integer
  c: 24, // min_final_cltv_expiry_delta, minimal big-endian integer
  '9': 5, // feature bits
} as const;

export type InvoiceField =
  | { type: 'p'; paymentHash: Uint8Array }
  | { type: 's'; paymentSecret: Uint8Array }
  | { type: 'd'; description: string }
  | { type: 'm'; metadata: Uint8Array }
  | { type: 'n'; payee: Uint8Array }
  | { type: 'h'; descriptionHash: Uint8Array }
  | { type: 'x'; expirySeconds: number }
  | { type: 'c'; minFinalCltvExpiryDelta: number }
  | { type: '9'; features: readonly number[] };

export interface InvoiceToSign {
  /** BIP-173 currency prefix: bc, tb, tbs, bcrt, sb. */
  readonly currency: string;
  /** Omitted for "any amount" invoices. */
  readonly amountMsat?: bigint;
  readonly timestamp: number;
  /** Written in this order. */
  readonly fields: readonly InvoiceField[];
}

/** Multipliers from largest to smallest, in millisatoshi per unit (pico is a tenth of a msat). */
const MULTIPLIERS: ReadonlyArray<readonly [suffix: string, msatPerUnitTimes10: bigint]> = [
  ['', 1_000_000_000_000n],
  ['m', 1_000_000_000n],
  ['u', 1_000_000n],
  ['n', 1_000n],
  ['p', 1n],
];

/** The shortest amount text: the largest multiplier that divides the amount (BOLT #11 "SHOULD"). */
export function amountText(msat: bigint): string {
  if (msat <= 0n) throw new Error(`bolt11: amount must be positive=${msat}`);
  const tenths = msat * 10n;
  for (const [suffix, unit] of MULTIPLIERS) {
    if (tenths % unit === 0n) return `${tenths / unit}${suffix}`;
  }
  throw new Error('bolt11: unreachable'); // 'p' divides every whole msat amount
}

/** Big-endian 5-bit words of a non-negative integer, without leading zero words. */
function intWords(n: number): number[] {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`bolt11: bad integer=${n}`);
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 32)) out.unshift(v % 32);
  return out;
}

function featureWords(bits: readonly number[]): number[] {
  if (bits.length === 0) return [];
  const len = Math.floor(Math.max(...bits) / 5) + 1;
  const words = new Array<number>(len).fill(0);
  for (const bit of bits) {
    const i = len - 1 - Math.floor(bit / 5);
    words[i] = (words[i] ?? 0) | (1 << bit % 5);
  }
  return words;
}

function fixedLength(bytes: Uint8Array, length: number, what: string): number[] {
  if (bytes.length !== length) throw new Error(`bolt11: ${what} must be ${length} bytes=${bytes.length}`);
  return bech32.toWords(bytes);
}

function fieldWords(f: InvoiceField): number[] {
  switch (f.type) {
    case 'p':
      return fixedLength(f.paymentHash, 32, 'payment hash');
    case 's':
      return fixedLength(f.paymentSecret, 32, 'payment secret');
    case 'h':
      return fixedLength(f.descriptionHash, 32, 'description hash');
    case 'n':
      return fixedLength(f.payee, 33, 'payee');
    case 'd':
      return bech32.toWords(utf8Bytes(f.description));
    case 'm':
      return bech32.toWords(f.metadata);
    case 'x':
      return intWords(f.expirySeconds);
    case 'c':
      return intWords(f.minFinalCltvExpiryDelta);
    case '9':
      return featureWords(f.features);
  }
}

function tagged(f: InvoiceField): number[] {
  const data = fieldWords(f);
  if (data.length >= 1024) throw new Error(`bolt11: field ${f.type} too long=${data.length}`);
  return [FIELD_TYPES[f.type], data.length >> 5, data.length & 31, ...data];
}

export function encodeInvoice(inv: InvoiceToSign, secretKey: Uint8Array): string {
  const hrp = `ln${inv.currency}${inv.amountMsat === undefined ? '' : amountText(inv.amountMsat)}`;
  const ts = intWords(inv.timestamp);
  if (ts.length > 7) throw new Error(`bolt11: timestamp too large=${inv.timestamp}`);
  const words = [...new Array<number>(7 - ts.length).fill(0), ...ts, ...inv.fields.flatMap(tagged)];
  const digest = sha256(concat(utf8Bytes(hrp), packWords(words)));
  const rec = signDigestRecoverable(digest, secretKey); // recovery id ‖ r ‖ s
  const sig = concat(rec.subarray(1), rec.subarray(0, 1));
  return bech32.encode(hrp, [...words, ...bech32.toWords(sig)], false);
}

/** 5-bit words to bytes, the last byte zero-padded (the signed form, unlike bech32.fromWords). */
export function packWords(words: readonly number[]): Uint8Array {
  const out = new Uint8Array(Math.ceil((words.length * 5) / 8));
  let bit = 0;
  for (const w of words) {
    for (let i = 4; i >= 0; i--, bit++) {
      if ((w >> i) & 1) out[bit >> 3]! |= 0x80 >> (bit & 7);
    }
  }
  return out;
}
