import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toHex } from './codec.ts';
import { decodeInvoice } from './bolt11-decode.ts';
import { encodeInvoice } from './bolt11-encode.ts';
import { deriveKey } from './keys.ts';

interface SpecExample {
  title: string;
  invoice: string;
  network: string;
  amount_msat: string | null;
  timestamp: number;
  payment_hash: string;
  payment_secret: string;
  description: string | null;
  description_hash: string | null;
  payee_pubkey: string | null;
  payee_pubkey_by_raw_recovery?: string;
  expiry_seconds: number | null;
  min_final_cltv_expiry_delta?: number;
  features?: number[];
  note?: string;
}
const spec = JSON.parse(
  readFileSync(new URL('../../shared/vectors/bolt11-spec-examples.json', import.meta.url), 'utf8'),
) as { valid: SpecExample[]; invalid: Array<{ title: string; invoice: string; reason: string }> };

// The spec lists this example as valid but its current reader rule (bolts #1243, #1305) says a
// reader MUST fail on p/h/s/n fields of the wrong length, which is what this example carries.
const WRONG_LENGTH_FIELDS = 'Same, but including fields which must be ignored.';

describe('bolt11 reader: BOLT #11 valid examples', () => {
  for (const v of spec.valid.filter((x) => x.title !== WRONG_LENGTH_FIELDS)) {
    it(v.title, () => {
      const d = decodeInvoice(v.invoice);
      expect(d.currency).toBe(v.network);
      expect(d.amountMsat?.toString() ?? null).toBe(v.amount_msat);
      expect(d.timestamp).toBe(v.timestamp);
      expect(toHex(d.paymentHash)).toBe(v.payment_hash);
      expect(toHex(d.paymentSecret)).toBe(v.payment_secret);
      expect(d.description ?? null).toBe(v.description);
      expect(d.descriptionHash ? toHex(d.descriptionHash) : null).toBe(v.description_hash);
      expect(d.expiry).toBe(v.expiry_seconds ?? 3600);
      expect(d.minFinalCltvExpiryDelta).toBe(v.min_final_cltv_expiry_delta ?? 18);
      expect(d.payee).toBe(v.payee_pubkey ?? v.payee_pubkey_by_raw_recovery);
      if (v.features) expect(d.features).toEqual(v.features);
    });
  }
  it(`${WRONG_LENGTH_FIELDS} (fails under the current wrong-length rule)`, () => {
    const v = spec.valid.find((x) => x.title === WRONG_LENGTH_FIELDS)!;
    expect(() => decodeInvoice(v.invoice)).toThrow(/wrong length/);
  });
});

describe('bolt11 reader: BOLT #11 invalid examples', () => {
  for (const v of spec.invalid) {
    it(`${v.title} (${v.reason})`, () => expect(() => decodeInvoice(v.invoice)).toThrow(/^bolt11: /));
  }
});

describe('bolt11 reader: round trip with the writer', () => {
  it('reads back what a devnet node signs', () => {
    const key = deriveKey('t', 'dave');
    const pr = encodeInvoice(
      {
        currency: 'bcrt',
        amountMsat: 5_000_001n,
        timestamp: 1_700_000_123,
        fields: [
          { type: 'p', paymentHash: new Uint8Array(32).fill(3) },
          { type: 's', paymentSecret: new Uint8Array(32).fill(4) },
          { type: 'h', descriptionHash: new Uint8Array(32).fill(5) },
          { type: 'x', expirySeconds: 0 },
          { type: 'c', minFinalCltvExpiryDelta: 144 },
          { type: '9', features: [8, 14, 17] },
        ],
      },
      key.secret,
    );
    const d = decodeInvoice(pr);
    expect(d).toMatchObject({ amountMsat: 5_000_001n, expiry: 0, minFinalCltvExpiryDelta: 144, payee: key.pubkeyHex });
    expect(d.description).toBeUndefined();
    expect(d.features).toEqual([8, 14, 17]);
  });
  it('rejects an invoice with a payee field that did not sign it', () => {
    const signer = deriveKey('t', 'mallory');
    const pr = encodeInvoice(
      {
        currency: 'bcrt',
        timestamp: 1,
        fields: [
          { type: 'p', paymentHash: new Uint8Array(32) },
          { type: 's', paymentSecret: new Uint8Array(32) },
          { type: 'd', description: 'x' },
          { type: 'n', payee: deriveKey('t', 'carol').pubkey },
        ],
      },
      signer.secret,
    );
    expect(() => decodeInvoice(pr)).toThrow(/signature does not match payee/);
  });
  it('rejects an invoice without description or hash', () => {
    const pr = encodeInvoice(
      {
        currency: 'bcrt',
        timestamp: 1,
        fields: [
          { type: 'p', paymentHash: new Uint8Array(32) },
          { type: 's', paymentSecret: new Uint8Array(32) },
        ],
      },
      deriveKey('t', 'x').secret,
    );
    expect(() => decodeInvoice(pr)).toThrow(/missing description/);
  });
  it('rejects garbage', () => {
    expect(() => decodeInvoice('hello')).toThrow(/invalid bech32/);
    expect(() => decodeInvoice('')).toThrow(/bolt11: /);
  });
});
