/**
 * BOLT #11 invoice reader for the devnet's own use (DecodePayReq, SendPaymentV2, tapd payments).
 * Field layout: see bolt11-encode.ts. Reader rules kept here (BOLT #11 "Requirements"):
 * - p, h, s must be 52 words and n 53 words; any other length fails (bolts #1243, #1305);
 * - unknown field types are skipped; an unknown even (required) feature bit fails;
 * - the payment secret `s` is required; a `p` amount must end in 0 (no sub-millisatoshi);
 * - the payee is `n` when present (the signature must verify against it, low-S),
 *   otherwise the key recovered from the signature.
 */
import * as secp from '@noble/secp256k1';
import { bech32 } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesUtf8, concat, toHex, utf8Bytes } from './codec.ts';
import { FIELD_TYPES, packWords } from './bolt11-encode.ts';
import './keys.ts'; // configures secp256k1's hashes

export interface DecodedInvoice {
  readonly paymentRequest: string;
  readonly currency: string;
  readonly amountMsat?: bigint;
  readonly timestamp: number;
  readonly paymentHash: Uint8Array;
  readonly paymentSecret: Uint8Array;
  readonly description?: string;
  readonly descriptionHash?: Uint8Array;
  readonly metadata?: Uint8Array;
  readonly expiry: number;
  readonly minFinalCltvExpiryDelta: number;
  readonly features: readonly number[];
  readonly payee: string;
}

export const DEFAULT_EXPIRY = 3600;
export const DEFAULT_MIN_FINAL_CLTV_EXPIRY_DELTA = 18;
/** Feature bits this reader understands (BOLT #9): a required bit outside these fails. */
const KNOWN_FEATURES = new Set([8, 9, 14, 15, 16, 17, 24, 25, 48, 49]);

const UNIT_TENTHS_OF_MSAT: Record<string, bigint> = {
  '': 1_000_000_000_000n,
  m: 1_000_000_000n,
  u: 1_000_000n,
  n: 1_000n,
  p: 1n,
};

const fail = (problem: string, value?: unknown): never => {
  throw new Error(`bolt11: ${problem}${value === undefined ? '' : `=${String(value)}`}`);
};

function parseHrp(hrp: string): { currency: string; amountMsat?: bigint } {
  const m = /^ln([a-z]+?)(?:(\d+)([a-z]?))?$/.exec(hrp);
  if (!m) return fail('invalid human-readable part', hrp);
  const [, currency = '', digits, unit = ''] = m;
  if (digits === undefined) return { currency };
  const perUnit = UNIT_TENTHS_OF_MSAT[unit];
  if (perUnit === undefined) return fail('invalid amount multiplier', unit);
  if (digits.startsWith('0')) fail('amount has leading zero', digits);
  const tenths = BigInt(digits) * perUnit;
  if (tenths % 10n !== 0n) fail('amount has sub-millisatoshi precision', `${digits}${unit}`);
  return { currency, amountMsat: tenths / 10n };
}

const wordsInt = (w: readonly number[]): number => w.reduce((n, x) => n * 32 + x, 0);

function featureBits(words: readonly number[]): number[] {
  const bits: number[] = [];
  words.forEach((w, i) => {
    for (let b = 0; b < 5; b++) if ((w >> b) & 1) bits.push((words.length - 1 - i) * 5 + b);
  });
  return bits.sort((a, b) => a - b);
}

/** Words to bytes for fixed-size fields whose padding bits must be zero. */
function fixedBytes(words: readonly number[], length: number, what: string): Uint8Array {
  if (words.length !== Math.ceil((length * 8) / 5)) fail(`${what} has wrong length`, words.length);
  return bech32.fromWords([...words]);
}

/** Like bech32.fromWords but dropping incomplete trailing bits (variable-length text fields). */
function looseBytes(words: readonly number[]): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const w of words) {
    acc = ((acc << 5) | w) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

export function decodeInvoice(paymentRequest: string): DecodedInvoice {
  let decoded: { prefix: string; words: number[] };
  try {
    decoded = bech32.decode(paymentRequest as `${string}1${string}`, false);
  } catch (e) {
    return fail('invalid bech32', (e as Error).message);
  }
  const { prefix, words } = decoded;
  const { currency, amountMsat } = parseHrp(prefix);
  if (words.length < 7 + 104) fail('too short', words.length);
  const data = words.slice(0, -104);
  const sigBytes = bech32.fromWords(words.slice(-104));
  const out: {
    paymentHash?: Uint8Array;
    paymentSecret?: Uint8Array;
    description?: string;
    descriptionHash?: Uint8Array;
    metadata?: Uint8Array;
    payeeKey?: Uint8Array;
    expiry?: number;
    cltv?: number;
    features: number[];
  } = { features: [] };
  for (let i = 7; i < data.length; ) {
    const type = data[i]!;
    const len = (data[i + 1]! << 5) | (data[i + 2] ?? 0);
    const body = data.slice(i + 3, i + 3 + len);
    if (body.length !== len) fail('field overruns data', type);
    i += 3 + len;
    switch (type) {
      case FIELD_TYPES.p:
        out.paymentHash = fixedBytes(body, 32, 'payment hash');
        break;
      case FIELD_TYPES.s:
        out.paymentSecret = fixedBytes(body, 32, 'payment secret');
        break;
      case FIELD_TYPES.h:
        out.descriptionHash = fixedBytes(body, 32, 'description hash');
        break;
      case FIELD_TYPES.n:
        out.payeeKey = fixedBytes(body, 33, 'payee');
        break;
      case FIELD_TYPES.d:
        out.description = bytesUtf8(looseBytes(body));
        break;
      case FIELD_TYPES.m:
        out.metadata = looseBytes(body);
        break;
      case FIELD_TYPES.x:
        out.expiry = wordsInt(body);
        break;
      case FIELD_TYPES.c:
        out.cltv = wordsInt(body);
        break;
      case FIELD_TYPES['9']:
        out.features = featureBits(body);
        break;
      default:
        break; // unknown types are skipped
    }
  }
  if (!out.paymentHash) fail('missing payment hash');
  if (!out.paymentSecret) fail('missing payment secret');
  if (out.description === undefined && !out.descriptionHash) fail('missing description and description hash');
  const unknownRequired = out.features.find((b) => b % 2 === 0 && !KNOWN_FEATURES.has(b));
  if (unknownRequired !== undefined) fail('unknown required feature bit', unknownRequired);

  const digest = sha256(concat(utf8Bytes(prefix), packWords(data)));
  const compact = sigBytes.subarray(0, 64);
  const recid = sigBytes[64] ?? 0;
  let payee: string;
  if (out.payeeKey) {
    if (!secp.verify(compact, digest, out.payeeKey, { prehash: false })) fail('signature does not match payee');
    payee = toHex(out.payeeKey);
  } else {
    try {
      payee = toHex(secp.recoverPublicKey(concat(Uint8Array.of(recid), compact), digest, { prehash: false }));
    } catch (e) {
      return fail('signature not recoverable', (e as Error).message);
    }
  }
  return {
    paymentRequest,
    currency,
    amountMsat,
    timestamp: wordsInt(data.slice(0, 7)),
    paymentHash: out.paymentHash!,
    paymentSecret: out.paymentSecret!,
    description: out.description,
    descriptionHash: out.descriptionHash,
    metadata: out.metadata,
    expiry: out.expiry ?? DEFAULT_EXPIRY,
    minFinalCltvExpiryDelta: out.cltv ?? DEFAULT_MIN_FINAL_CLTV_EXPIRY_DELTA,
    features: out.features,
    payee,
  };
}
