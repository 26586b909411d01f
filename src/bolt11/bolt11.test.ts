import { bech32 } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { etc, Point, signAsync } from '@noble/secp256k1';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSatnavError } from '../errors.ts';
import { bolt11Examples as vectors, WRONG_LENGTH_TITLE, type Bolt11ValidExample as ValidVector } from '../testing/bolt11-vectors.ts';
import { amountSat, checkPayable, decodeInvoice, isExpired, matchesDescription, MAX_INVOICE_LENGTH, type Invoice } from './index.ts';

const NETWORKS: Record<string, Invoice['network']> = { bc: 'bitcoin', tb: 'testnet', tbs: 'signet', bcrt: 'regtest' };

/** Throws the SatnavError that `fn` throws, or fails the test. */
function invalidError(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    if (!isSatnavError(e)) throw e;
    expect(e.code).toBe('INVOICE_INVALID');
    expect(e.message).toMatch(/^bolt11: /);
    return e;
  }
  throw new Error('expected an INVOICE_INVALID error');
}

describe('BOLT 11 spec examples: valid', () => {
  for (const v of vectors.valid) {
    it(v.title, () => {
      const inv = decodeInvoice(v.invoice);
      expect(inv.paymentRequest).toBe(v.invoice.toLowerCase());
      expect(inv.network).toBe(NETWORKS[v.network]);
      expect(inv.amountMsat).toBe(v.amount_msat === null ? null : BigInt(v.amount_msat));
      expect(inv.timestamp).toBe(v.timestamp);
      expect(inv.paymentHash).toBe(v.payment_hash);
      expect(inv.paymentSecret).toBe(v.payment_secret);
      expect(inv.description).toBe(v.description ?? undefined);
      expect(inv.descriptionHash).toBe(v.description_hash ?? undefined);
      if (v.description_hash_preimage !== undefined) {
        expect(matchesDescription(inv, v.description_hash_preimage)).toBe(true);
        expect(matchesDescription(inv, `${v.description_hash_preimage}.`)).toBe(false);
      }
      expect(inv.payee).toBe(v.payee_pubkey ?? v.payee_pubkey_by_raw_recovery);
      expect(inv.expirySeconds).toBe(v.expiry_seconds ?? vectors.common.default_expiry_seconds);
      expect(inv.expiresAt).toBe(inv.timestamp + inv.expirySeconds);
      expect(inv.minFinalCltvExpiry).toBe(v.min_final_cltv_expiry_delta ?? vectors.common.default_min_final_cltv_expiry_delta);
      expect(inv.features).toEqual(v.features);
      expect(inv.metadata).toBe(v.payment_metadata);
      if (v.fallback_address === undefined) expect(inv.fallbackAddresses).toEqual([]);
      else {
        const version = Number(/(?:version |witness v)(\d+)/.exec(v.fallback_type ?? '')?.[1]);
        expect(inv.fallbackAddresses).toEqual([{ version, address: v.fallback_address }]);
      }
      expect(inv.routeHints).toEqual(
        (v.route_hints ?? []).map((route) =>
          route.map((h) => ({
            pubkey: h.pubkey,
            shortChannelId: h.short_channel_id,
            feeBaseMsat: h.fee_base_msat,
            feeProportionalMillionths: h.fee_proportional_millionths,
            cltvExpiryDelta: h.cltv_expiry_delta,
          })),
        ),
      );
      if (v.title === WRONG_LENGTH_TITLE) {
        expect(inv.wrongLengthFields.length).toBeGreaterThan(0);
        expect(invalidError(() => checkPayable(inv)).message).toMatch(/field of wrong length/);
      } else {
        expect(inv.wrongLengthFields).toEqual([]);
        expect(() => checkPayable(inv)).not.toThrow();
      }
    });
  }
});

describe('BOLT 11 spec examples: invalid', () => {
  for (const v of vectors.invalid) {
    it(`${v.title} (${v.reason})`, () => {
      invalidError(() => checkPayable(decodeInvoice(v.invoice)));
    });
  }
});

// Test-only encoder: builds invoices the spec examples don't cover, signed with the spec's key.
const KEY = hexToBytes(vectors.signing_priv_key);
const CURVE_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const bytesToNumberBE = (b: Uint8Array) => BigInt(`0x${bytesToHex(b)}`);
const numberToBytesBE = (n: bigint, len: number) => hexToBytes(n.toString(16).padStart(len * 2, '0'));
const HASH_WORDS = bech32.toWords(new Uint8Array(32).fill(1)); // 52 words
const SECRET_WORDS = bech32.toWords(new Uint8Array(32).fill(0x11));
const TIMESTAMP = [0, 1, 2, 3, 4, 5, 6];
const field = (type: number, words: number[]) => [type, words.length >> 5, words.length & 31, ...words];
const BASE_FIELDS = [...field(1, HASH_WORDS), ...field(16, SECRET_WORDS), ...field(5, [0b10000, 0b01000, 0])]; // features 8, 14

function packBytes(words: number[]): Uint8Array {
  const bits = words.map((w) => w.toString(2).padStart(5, '0')).join('');
  const padded = bits.padEnd(Math.ceil(bits.length / 8) * 8, '0');
  return Uint8Array.from(padded.match(/.{8}/g) ?? [], (b) => parseInt(b, 2));
}
async function encode(hrp: string, data: number[], opts: { highS?: boolean; recovery?: number } = {}): Promise<string> {
  const msg = sha256(new Uint8Array([...new TextEncoder().encode(hrp), ...packBytes(data)]));
  const rec = await signAsync(msg, KEY, { prehash: false, format: 'recovered' });
  let recovery = rec[0] as number;
  let s = bytesToNumberBE(rec.subarray(33));
  if (opts.highS) {
    // (r, n - s) is the same signature of the negated nonce point: flip the recovery parity.
    s = CURVE_N - s;
    recovery ^= 1;
  }
  const sig = [...rec.subarray(1, 33), ...numberToBytesBE(s, 32), opts.recovery ?? recovery];
  return bech32.encode(hrp, [...data, ...bech32.toWords(Uint8Array.from(sig))], false);
}

describe('decoding edge cases', () => {
  const first = vectors.valid[0] as ValidVector;

  it('accepts a lightning: prefix, upper case and surrounding whitespace', () => {
    const plain = decodeInvoice(first.invoice);
    expect(decodeInvoice(`lightning:${first.invoice}`)).toEqual(plain);
    expect(decodeInvoice(`LIGHTNING:${first.invoice.toUpperCase()}`)).toEqual(plain);
    expect(decodeInvoice(`  ${first.invoice}\n`)).toEqual(plain);
  });

  it('reads regtest and signet prefixes', async () => {
    expect(decodeInvoice(await encode('lnbcrt10u', [...TIMESTAMP, ...BASE_FIELDS])).network).toBe('regtest');
    const signet = decodeInvoice(await encode('lntbs1m', [...TIMESTAMP, ...BASE_FIELDS]));
    expect([signet.network, signet.amountMsat]).toEqual(['signet', 100_000_000n]);
  });

  it('reads every multiplier', async () => {
    const cases: [string, bigint][] = [
      ['lnbc1', 100_000_000_000n],
      ['lnbc3m', 300_000_000n],
      ['lnbc7u', 700_000n],
      ['lnbc9n', 900n],
      ['lnbc10p', 1n],
    ];
    for (const [hrp, msat] of cases) expect(decodeInvoice(await encode(hrp, [...TIMESTAMP, ...BASE_FIELDS])).amountMsat).toBe(msat);
  });

  it('keeps the first of repeated single fields and every r field', async () => {
    const other = bech32.toWords(new Uint8Array(32).fill(2));
    const hop = new Uint8Array(51).fill(3);
    const inv = decodeInvoice(
      await encode('lnbc1m', [...TIMESTAMP, ...BASE_FIELDS, ...field(1, other), ...field(3, bech32.toWords(hop)), ...field(3, bech32.toWords(hop))]),
    );
    expect(inv.paymentHash).toBe('01'.repeat(32));
    expect(inv.routeHints).toHaveLength(2);
  });

  it('accepts high-S without n (recovery) and rejects it with n', async () => {
    const data = [...TIMESTAMP, ...BASE_FIELDS];
    const low = decodeInvoice(await encode('lnbc1m', data));
    expect(low.payee).toBe(vectors.valid[0]?.payee_pubkey);
    const high = decodeInvoice(await encode('lnbc1m', data, { highS: true }));
    expect(high.payee).toBe(low.payee);
    const withN = [...data, ...field(19, bech32.toWords(hexToBytes(low.payee)).slice(0, 53))];
    expect(low.features).toEqual([8, 14]);
    expect(decodeInvoice(await encode('lnbc1m', withN)).payee).toBe(low.payee);
    const highWithN = await encode('lnbc1m', withN, { highS: true });
    expect(invalidError(() => decodeInvoice(highWithN)).message).toMatch(/high-S/);
  });

  it('refuses at decoding a signature that recovers to no key, though the payee is recovered only when read', () => {
    // (r, s) = (x(kG), e/k): the recovered point r⁻¹(s·R − e·G) is the point at infinity. Anyone can
    // make one, no key needed: decoding it must fail as any invalid invoice does, not reach the node.
    const data = [...TIMESTAMP, ...BASE_FIELDS];
    const e = bytesToNumberBE(sha256(new Uint8Array([...new TextEncoder().encode('lnbc1m'), ...packBytes(data)]))) % CURVE_N;
    const k = 7n;
    const R = Point.BASE.multiply(k).toAffine();
    const s = (e * etc.invert(k, CURVE_N)) % CURVE_N;
    const sig = (y: bigint) => [...numberToBytesBE(R.x, 32), ...numberToBytesBE(s, 32), Number(y & 1n)];
    const pr = (y: bigint) => bech32.encode('lnbc1m', [...data, ...bech32.toWords(Uint8Array.from(sig(y)))], false);
    expect(invalidError(() => decodeInvoice(pr(R.y))).message).toMatch(/not recoverable/);
    // The same (r, s) with the other R (−kG) recovers to a key: the check is exact, not a guess.
    const other = decodeInvoice(pr(R.y + 1n));
    expect(other.payee).toMatch(/^0[23][0-9a-f]{64}$/);
  });

  it('refuses at decoding a signature whose R is not on the curve', async () => {
    // The smallest x with no point on secp256k1 (x³ + 7 a non-residue): R can't be rebuilt from r.
    let x = 1n;
    for (;; x++) {
      try {
        Point.fromBytes(Uint8Array.of(2, ...numberToBytesBE(x, 32)));
      } catch {
        break;
      }
    }
    const data = [...TIMESTAMP, ...BASE_FIELDS];
    const sig = [...numberToBytesBE(x, 32), ...numberToBytesBE(1n, 32), 0];
    const pr = bech32.encode('lnbc1m', [...data, ...bech32.toWords(Uint8Array.from(sig))], false);
    expect(invalidError(() => decodeInvoice(pr)).message).toMatch(/not recoverable/);
  });

  it('rejects an n field that did not sign', async () => {
    const otherKey = bech32.toWords(hexToBytes(`02${'79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798'}`));
    const pr = await encode('lnbc1m', [...TIMESTAMP, ...BASE_FIELDS, ...field(19, otherKey.slice(0, 53))]);
    expect(invalidError(() => decodeInvoice(pr)).message).toMatch(/does not match payee/);
  });

  it('guards huge x and c fields instead of losing precision', async () => {
    const pr = await encode('lnbc1m', [...TIMESTAMP, ...BASE_FIELDS, ...field(6, new Array(12).fill(31))]);
    expect(invalidError(() => decodeInvoice(pr)).message).toMatch(/expiry too large/);
  });

  it('isExpired and amountSat', () => {
    const coffee = decodeInvoice((vectors.valid[1] as ValidVector).invoice);
    expect(isExpired(coffee, coffee.timestamp + 59)).toBe(false);
    expect(isExpired(coffee, coffee.timestamp + 60)).toBe(true);
    expect(amountSat(coffee)).toBe(250_000);
    expect(amountSat(decodeInvoice(first.invoice))).toBeNull();
    expect(amountSat({ ...coffee, amountMsat: 1001n })).toBe(2); // rounds up
    expect(amountSat({ ...coffee, amountMsat: 2_100_000_000_000_000_000n })).toBe(2_100_000_000_000_000);
  });
});

describe('failure cases', () => {
  const good = (vectors.valid[1] as ValidVector).invoice;
  const sync: [string, unknown, RegExp][] = [
    ['empty', '', /empty/],
    ['only whitespace', '   ', /empty/],
    ['only the scheme', 'lightning:', /empty/],
    ['not a string', 42, /not a string/],
    ['garbage', 'hello world', /separator/],
    ['a bitcoin address', 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', /too short/],
    ['bech32 alphabet violation', `${good.slice(0, 20)}b${good.slice(21)}`, /invalid bech32 character/],
    ['flipped character', `${good.slice(0, 40)}${good[40] === 'q' ? 'p' : 'q'}${good.slice(41)}`, /bad checksum/],
    ['truncated', good.slice(0, -1), /bad checksum/],
    ['truncated to the hrp', 'lnbc2500u1', /too short/],
    ['extra char appended', `${good}q`, /bad checksum/],
    ['mixed case', `${good.slice(0, 10).toUpperCase()}${good.slice(10)}`, /mixed case/],
    ['longer than any QR code', `lnbc1${'q'.repeat(MAX_INVOICE_LENGTH)}`, /too long/],
    ['lightning:// is not the scheme', `lightning://${good}`, /./],
  ];
  for (const [name, input, message] of sync) {
    it(name, () => {
      expect(invalidError(() => decodeInvoice(input as string)).message).toMatch(message);
    });
  }

  const data = [...TIMESTAMP, ...BASE_FIELDS];
  const built: [string, () => Promise<string>, RegExp][] = [
    ['wrong hrp (not ln)', () => encode('bc2500u', data), /prefix=bc2500u/],
    ['unknown currency', () => encode('lnxy1m', data), /unknown currency=lnxy1m/],
    ['simnet is not supported', () => encode('lnsb1m', data), /unknown currency/],
    ['amount with a leading zero', () => encode('lnbc01m', data), /amount=01m/],
    ['zero amount', () => encode('lnbc0', data), /amount=0/],
    ['multiplier without digits', () => encode('lnbcm', data), /amount=m/],
    ['two multipliers', () => encode('lnbc1mu', data), /amount=1mu/],
    ['amount above 21M BTC', () => encode('lnbc21000001', data), /above 21M BTC/],
    ['missing payment hash', () => encode('lnbc1m', [...TIMESTAMP, ...field(16, SECRET_WORDS)]), /missing payment hash/],
    ['tagged field overruns the data', () => encode('lnbc1m', [...data, 13, 31, 31, 1, 2]), /overruns/],
    ['truncated tagged field header', () => encode('lnbc1m', [...data, 13, 0]), /truncated tagged field/],
    ['description is not UTF-8', () => encode('lnbc1m', [...data, ...field(13, bech32.toWords(Uint8Array.of(0xff, 0xfe)))]), /UTF-8/],
    ['route hint of the wrong size', () => encode('lnbc1m', [...data, ...field(3, bech32.toWords(new Uint8Array(50)))]), /route hint length/],
    ['recovery id above 3', () => encode('lnbc1m', data, { recovery: 4 }), /recovery id=4/],
  ];
  for (const [name, make, message] of built) {
    it(name, async () => {
      const pr = await make();
      expect(invalidError(() => decodeInvoice(pr)).message).toMatch(message);
    });
  }

  it('unpayable: feature dependencies, missing secret, unknown even bit', async () => {
    // basic_mpp (16) without payment_secret (14)
    const mppOnly = [...TIMESTAMP, ...field(1, HASH_WORDS), ...field(16, SECRET_WORDS), ...field(5, [0b00010, 0, 0, 0])];
    const inv = decodeInvoice(await encode('lnbc1m', mppOnly));
    expect(inv.features).toEqual([16]);
    expect(invalidError(() => checkPayable(inv)).message).toMatch(/without its dependency/);
    const noSecret = decodeInvoice(await encode('lnbc1m', [...TIMESTAMP, ...field(1, HASH_WORDS)]));
    expect(invalidError(() => checkPayable(noSecret)).message).toMatch(/missing payment secret/);
  });

  it('never throws anything but INVOICE_INVALID on random input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        try {
          decodeInvoice(s);
        } catch (e) {
          return isSatnavError(e) && e.code === 'INVOICE_INVALID';
        }
        return true;
      }),
    );
  });

  it('every single-character change of a valid invoice is rejected', () => {
    const alphabet = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
    const prefixLen = good.lastIndexOf('1') + 1;
    for (let i = prefixLen; i < good.length; i += 7) {
      const c = good[i] as string;
      const swapped = alphabet[(alphabet.indexOf(c) + 1) % 32] as string;
      invalidError(() => decodeInvoice(`${good.slice(0, i)}${swapped}${good.slice(i + 1)}`));
    }
  });
});
