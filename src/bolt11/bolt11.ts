/**
 * BOLT #11 invoice decoder: bech32 → human-readable part + tagged fields → signature check.
 * Decoding answers "what does this invoice say, and who signed it"; `checkPayable` answers
 * "may the wallet pay it" (the spec's "reader MUST fail the payment" rules).
 */
import { bech32, bech32m, createBase58check } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { etc, Point, recoverPublicKey, Signature, verify } from '@noble/secp256k1';
import { moduleErrors } from '../errors.ts';

const error = moduleErrors('bolt11');
const fail = (problem: string, value?: unknown) => error('INVOICE_INVALID', problem, value);

export type Network = 'bitcoin' | 'testnet' | 'signet' | 'regtest';

/** One hop of an `r` field: the channel from `pubkey` towards the payee. */
export interface RouteHop {
  pubkey: string; // hex, 33 bytes
  shortChannelId: string; // BOLT 7 "block x tx x output"
  feeBaseMsat: number;
  feeProportionalMillionths: number;
  cltvExpiryDelta: number;
}
export interface FallbackAddress {
  version: number; // 0..16 witness version, 17 P2PKH, 18 P2SH
  address: string;
}
export interface Invoice {
  paymentRequest: string; // lowercase bech32, without `lightning:`
  network: Network;
  amountMsat: bigint | null;
  timestamp: number; // unix seconds
  expirySeconds: number;
  expiresAt: number; // unix seconds
  paymentHash: string; // hex
  paymentSecret?: string; // hex
  description?: string;
  descriptionHash?: string; // hex
  payee: string; // hex compressed pubkey: the `n` field, or recovered from the signature
  minFinalCltvExpiry: number;
  features: number[]; // set bits of the `9` field, ascending
  routeHints: RouteHop[][];
  fallbackAddresses: FallbackAddress[];
  metadata?: string; // hex, the `m` field
  /** Tags of p/h/s/n fields skipped for their wrong length: they make the invoice unpayable. */
  wrongLengthFields: string[];
}

/** Longest QR code (alphanumeric, version 40-L): nothing longer is a real invoice. */
export const MAX_INVOICE_LENGTH = 7089;
const DEFAULT_EXPIRY = 3600;
const DEFAULT_MIN_FINAL_CLTV = 18;
const SIGNATURE_WORDS = 104; // 520 bits: r (256) || s (256) || recovery id (8)
const TIMESTAMP_WORDS = 7; // 35 bits
const MSAT_PER_BTC = 100_000_000_000n;
const MAX_MSAT = 21_000_000n * MSAT_PER_BTC;

// Currency prefixes (BOLT 11 / SLIP-0173). Longest first: `bcrt` starts with `bc`.
const CURRENCIES: readonly (readonly [prefix: string, network: Network])[] = [
  ['bcrt', 'regtest'],
  ['tbs', 'signet'],
  ['bc', 'bitcoin'],
  ['tb', 'testnet'],
];
// Fallback address encodings per network: bech32 hrp, P2PKH and P2SH version bytes.
const ADDRESS: Record<Network, { hrp: string; p2pkh: number; p2sh: number }> = {
  bitcoin: { hrp: 'bc', p2pkh: 0x00, p2sh: 0x05 },
  testnet: { hrp: 'tb', p2pkh: 0x6f, p2sh: 0xc4 },
  signet: { hrp: 'tb', p2pkh: 0x6f, p2sh: 0xc4 },
  regtest: { hrp: 'bcrt', p2pkh: 0x6f, p2sh: 0xc4 },
};
// Amount multipliers as msat per unit; `p` is a tenth of a msat, handled apart.
const MULTIPLIER_MSAT: Record<string, bigint> = {
  '': MSAT_PER_BTC,
  m: MSAT_PER_BTC / 1_000n,
  u: MSAT_PER_BTC / 1_000_000n,
  n: MSAT_PER_BTC / 1_000_000_000n,
};

// Tagged fields: 5-bit type → letter (the bech32 character of the type).
const TAG = {
  1: 'p', // payment_hash, 52 words
  16: 's', // payment_secret, 52 words
  13: 'd', // description, UTF-8
  19: 'n', // payee pubkey, 53 words
  23: 'h', // description hash, 52 words
  6: 'x', // expiry seconds
  24: 'c', // min_final_cltv_expiry
  9: 'f', // fallback address
  3: 'r', // route hints, 51-byte entries
  5: '9', // features
  27: 'm', // payment metadata
} as const;
type Tag = (typeof TAG)[keyof typeof TAG];
const FIXED_WORDS: Partial<Record<Tag, number>> = { p: 52, s: 52, h: 52, n: 53 };
const ROUTE_HOP_BYTES = 51; // pubkey 33 || scid 8 || fee_base 4 || fee_ppm 4 || cltv_delta 2

// Features (BOLT 9) that may appear in an invoice and that the wallet's node understands.
const KNOWN_FEATURES = new Set([8, 14, 16, 30, 48]); // var_onion, payment_secret, basic_mpp, amp, metadata
const FEATURE_DEPENDS: readonly (readonly [feature: number, needs: number])[] = [
  [14, 8], // payment_secret needs var_onion_optin
  [16, 14], // basic_mpp needs payment_secret
];

const BECH32_CHARS = /^[qpzry9x8gf2tvdw0s3jn54khce6mua7l]*$/;
const base58check = createBase58check(sha256);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** 5-bit words → bytes; `pad` keeps a final partial byte (zero-filled), else drops it. */
function wordsToBytes(words: readonly number[], pad: boolean): Uint8Array {
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
  if (pad && bits > 0) out.push((acc << (8 - bits)) & 0xff);
  return Uint8Array.from(out);
}

/** Big-endian integer of 5-bit words (x, c fields and the timestamp). */
function wordsToInt(words: readonly number[], what: string): number {
  let n = 0;
  for (const w of words) n = n * 32 + w;
  if (!Number.isSafeInteger(n)) throw fail(`${what} too large`, words.length);
  return n;
}

const readUint = (b: Uint8Array, at: number, len: number) => {
  let n = 0;
  for (let i = at; i < at + len; i++) n = n * 256 + (b[i] as number);
  return n;
};

/** Strips an optional `lightning:` scheme; checks size, case and alphabet to name the fault. */
function normalize(input: string): string {
  if (typeof input !== 'string') throw fail('not a string', typeof input);
  let s = input.trim();
  if (/^lightning:/i.test(s)) s = s.slice('lightning:'.length);
  if (s.length === 0) throw fail('empty');
  if (s.length > MAX_INVOICE_LENGTH) throw fail('too long', s.length);
  const lower = s.toLowerCase();
  if (s !== lower && s !== s.toUpperCase()) throw fail('mixed case');
  const sep = lower.lastIndexOf('1');
  if (sep < 1) throw fail('no bech32 separator "1"');
  if (!BECH32_CHARS.test(lower.slice(sep + 1))) throw fail('invalid bech32 character');
  if (lower.length - sep - 1 < 6 + TIMESTAMP_WORDS + SIGNATURE_WORDS) throw fail('data part too short', lower.length - sep - 1);
  return lower;
}

function parseHrp(hrp: string): { network: Network; amountMsat: bigint | null } {
  if (!hrp.startsWith('ln')) throw fail('prefix', hrp);
  const rest = hrp.slice(2);
  const currency = CURRENCIES.find(([p]) => rest.startsWith(p));
  if (!currency) throw fail('unknown currency', hrp);
  const [prefix, network] = currency;
  const amount = rest.slice(prefix.length);
  if (amount === '') return { network, amountMsat: null };
  const m = /^([1-9][0-9]*)([munp]?)$/.exec(amount);
  if (!m) throw fail('amount', amount);
  const [, digits = '', unit = ''] = m;
  let msat: bigint;
  if (unit === 'p') {
    if (!digits.endsWith('0')) throw fail('amount has sub-millisatoshi precision', amount);
    msat = BigInt(digits) / 10n;
  } else {
    msat = BigInt(digits) * (MULTIPLIER_MSAT[unit] as bigint);
  }
  if (msat > MAX_MSAT) throw fail('amount above 21M BTC', amount);
  return { network, amountMsat: msat };
}

function parseRouteHints(bytes: Uint8Array): RouteHop[] {
  if (bytes.length === 0 || bytes.length % ROUTE_HOP_BYTES !== 0) throw fail('route hint length', bytes.length);
  const hops: RouteHop[] = [];
  for (let at = 0; at < bytes.length; at += ROUTE_HOP_BYTES) {
    hops.push({
      pubkey: bytesToHex(bytes.subarray(at, at + 33)),
      shortChannelId: `${readUint(bytes, at + 33, 3)}x${readUint(bytes, at + 36, 3)}x${readUint(bytes, at + 39, 2)}`,
      feeBaseMsat: readUint(bytes, at + 41, 4),
      feeProportionalMillionths: readUint(bytes, at + 45, 4),
      cltvExpiryDelta: readUint(bytes, at + 49, 2),
    });
  }
  return hops;
}

/** `f` field → address; undefined for versions the reader must skip (19..31) or bad lengths. */
function parseFallback(words: readonly number[], network: Network): FallbackAddress | undefined {
  const [version, ...rest] = words;
  if (version === undefined) return undefined;
  const program = wordsToBytes(rest, false);
  const a = ADDRESS[network];
  if (version === 17 || version === 18) {
    if (program.length !== 20) return undefined;
    const prefix = version === 17 ? a.p2pkh : a.p2sh;
    return { version, address: base58check.encode(Uint8Array.of(prefix, ...program)) };
  }
  if (version > 16 || program.length < 2 || program.length > 40) return undefined;
  const coder = version === 0 ? bech32 : bech32m;
  return { version, address: coder.encode(a.hrp, [version, ...coder.toWords(program)]) };
}

function parseFeatures(words: readonly number[]): number[] {
  const bits: number[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[words.length - 1 - i] as number;
    for (let b = 0; b < 5; b++) if (w & (1 << b)) bits.push(i * 5 + b);
  }
  return bits;
}

/** Decodes and verifies an invoice; throws SatnavError INVOICE_INVALID saying what is wrong. */
export function decodeInvoice(paymentRequest: string): Invoice {
  const pr = normalize(paymentRequest);
  let decoded: { prefix: string; words: number[] };
  try {
    decoded = bech32.decode(pr as `${string}1${string}`, false);
  } catch {
    throw fail('bad checksum');
  }
  const { prefix: hrp, words } = decoded;
  const { network, amountMsat } = parseHrp(hrp);

  const dataWords = words.slice(0, -SIGNATURE_WORDS);
  const timestamp = wordsToInt(dataWords.slice(0, TIMESTAMP_WORDS), 'timestamp');
  // Optional fields get a key only when present, so they spread cleanly into the result.
  const opt: Pick<Invoice, 'paymentSecret' | 'description' | 'descriptionHash' | 'metadata'> = {};
  let paymentHash: string | undefined;
  let features: number[] = [];
  const routeHints: RouteHop[][] = [];
  const fallbackAddresses: FallbackAddress[] = [];
  const wrongLengthFields: string[] = [];
  let payeeField: Uint8Array | undefined;
  let expirySeconds = DEFAULT_EXPIRY;
  let minFinalCltvExpiry = DEFAULT_MIN_FINAL_CLTV;
  const seen = new Set<Tag>();

  for (let at = TIMESTAMP_WORDS; at < dataWords.length; ) {
    if (at + 3 > dataWords.length) throw fail('truncated tagged field', at);
    const type = dataWords[at] as number;
    const len = (dataWords[at + 1] as number) * 32 + (dataWords[at + 2] as number);
    const field = dataWords.slice(at + 3, at + 3 + len);
    if (field.length !== len) throw fail('tagged field overruns data', at);
    at += 3 + len;
    const tag = TAG[type as keyof typeof TAG] as Tag | undefined;
    if (tag === undefined) continue; // unknown fields are skipped
    const fixed = FIXED_WORDS[tag];
    if (fixed !== undefined && len !== fixed) {
      wrongLengthFields.push(tag);
      continue;
    }
    // r and f may repeat; for any other field the first one counts.
    if (tag !== 'r' && tag !== 'f' && seen.has(tag)) continue;
    seen.add(tag);
    switch (tag) {
      case 'p':
        paymentHash = bytesToHex(wordsToBytes(field, false));
        break;
      case 's':
        opt.paymentSecret = bytesToHex(wordsToBytes(field, false));
        break;
      case 'h':
        opt.descriptionHash = bytesToHex(wordsToBytes(field, false));
        break;
      case 'n':
        payeeField = wordsToBytes(field, false);
        break;
      case 'd':
        try {
          opt.description = utf8.decode(wordsToBytes(field, false));
        } catch {
          throw fail('description is not UTF-8');
        }
        break;
      case 'x':
        expirySeconds = wordsToInt(field, 'expiry');
        break;
      case 'c':
        minFinalCltvExpiry = wordsToInt(field, 'min_final_cltv_expiry');
        break;
      case 'r':
        routeHints.push(parseRouteHints(wordsToBytes(field, false)));
        break;
      case 'f': {
        const fallback = parseFallback(field, network);
        if (fallback) fallbackAddresses.push(fallback);
        break;
      }
      case '9':
        features = parseFeatures(field);
        break;
      case 'm':
        opt.metadata = bytesToHex(wordsToBytes(field, false));
        break;
    }
  }
  if (paymentHash === undefined) throw fail('missing payment hash (p)');

  const payee = checkSignature(hrp, dataWords, words.slice(-SIGNATURE_WORDS), payeeField);
  return {
    // Recovered on first read (a prompt, the send screen), not for a payment no one is asked about.
    get payee() {
      return payee();
    },
    paymentRequest: pr,
    network,
    amountMsat,
    timestamp,
    expirySeconds,
    expiresAt: timestamp + expirySeconds,
    paymentHash,
    ...opt,
    minFinalCltvExpiry,
    features,
    routeHints,
    fallbackAddresses,
    wrongLengthFields,
  };
}

/**
 * The signature covers sha256(hrp as UTF-8 || data words packed to bytes, zero-padded).
 * With an `n` field the signature is checked against it and must be low-S; without one the
 * payee is recovered from (r, s, recovery id) as sent, high-S included. A signature that can't
 * be recovered is refused here (r and s in range, R = (r + n·(id ≥ 2), ·) on the curve, s·R ≠ e·G);
 * the recovery itself, ~1 ms of curve arithmetic, runs when the payee is first asked for: any
 * signature that passes recovers to some key, and the node paying recovers it too.
 */
function checkSignature(hrp: string, dataWords: readonly number[], sigWords: readonly number[], payeeField?: Uint8Array): () => string {
  const sig = wordsToBytes(sigWords, false); // 65 bytes
  const recovery = sig[64] as number;
  if (recovery > 3) throw fail('signature recovery id', recovery);
  const hrpBytes = new TextEncoder().encode(hrp);
  const data = wordsToBytes(dataWords, true);
  const msgHash = sha256(Uint8Array.from([...hrpBytes, ...data]));
  const compact = sig.subarray(0, 64);
  let highS: boolean;
  try {
    highS = Signature.fromBytes(compact).hasHighS();
  } catch {
    throw fail('signature r or s out of range');
  }
  if (payeeField) {
    if (highS) throw fail('signature is high-S (not allowed with an n field)');
    let ok = false;
    try {
      ok = verify(compact, msgHash, payeeField, { prehash: false, lowS: true });
    } catch {
      throw fail('payee pubkey (n) is not a valid key', bytesToHex(payeeField));
    }
    if (!ok) throw fail('signature does not match payee (n)', bytesToHex(payeeField));
    const payee = bytesToHex(payeeField);
    return () => payee;
  }
  const signature = Uint8Array.of(recovery, ...compact);
  const { n, p } = Point.CURVE();
  const rx = etc.bytesToNumberBE(compact.subarray(0, 32)) + (recovery & 2 ? n : 0n);
  let R: Point;
  try {
    if (rx >= p) throw new Error('R.x beyond the field');
    R = Point.fromBytes(Uint8Array.of(2 + (recovery & 1), ...etc.numberToBytesBE(rx)));
  } catch {
    throw fail('signature is not recoverable');
  }
  // The payee r⁻¹(s·R − e·G) is no key when s·R = e·G, which anyone can make happen: one
  // multiplication of G (its table is precomputed), a tenth of the recovery, tells it here.
  const s = etc.bytesToNumberBE(compact.subarray(32));
  if (Point.BASE.multiply(etc.mod(etc.bytesToNumberBE(msgHash) * etc.invert(s, n), n), false).equals(R)) throw fail('signature is not recoverable');
  let payee: string | undefined;
  return () => {
    try {
      return (payee ??= bytesToHex(recoverPublicKey(signature, msgHash, { prehash: false })));
    } catch {
      throw fail('signature is not recoverable');
    }
  };
}

/** The spec's "reader MUST fail the payment" rules for an invoice that decoded. */
export function checkPayable(inv: Invoice): void {
  const [wrong] = inv.wrongLengthFields;
  if (wrong !== undefined) throw fail('field of wrong length', wrong);
  const unknownRequired = inv.features.find((bit) => bit % 2 === 0 && !KNOWN_FEATURES.has(bit));
  if (unknownRequired !== undefined) throw fail('unknown required feature', unknownRequired);
  const has = (bit: number) => inv.features.includes(bit) || inv.features.includes(bit + 1);
  for (const [feature, needs] of FEATURE_DEPENDS) {
    if (has(feature) && !has(needs)) throw fail(`feature ${feature} without its dependency`, needs);
  }
  if (inv.paymentSecret === undefined) throw fail('missing payment secret (s)');
}

export function isExpired(inv: Invoice, nowSeconds: number): boolean {
  return nowSeconds >= inv.expiresAt;
}

/**
 * Amount in sats, rounded up so a budget check never under-counts; null when unspecified.
 * A number: amounts are capped at 21M BTC, which is below 2^53 sats.
 */
export function amountSat(inv: Invoice): number | null {
  return inv.amountMsat === null ? null : Number((inv.amountMsat + 999n) / 1000n);
}

/** Whether `description` is the one committed to by the `h` field (or equals the `d` field). */
export function matchesDescription(inv: Invoice, description: string): boolean {
  if (inv.descriptionHash !== undefined) return bytesToHex(sha256(new TextEncoder().encode(description))) === inv.descriptionHash;
  return inv.description === description;
}
