import bolt11 from 'bolt11';
import { bech32 } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from './codec.ts';
import { amountText, encodeInvoice, FIELD_TYPES, type InvoiceField } from './bolt11-encode.ts';
import { deriveKey } from './keys.ts';
import { readPaymentRequest } from './node-ops.ts';
import { bolt11Examples as spec, type Bolt11ValidExample as SpecExample } from '../src/testing/bolt11-vectors.ts';

const LETTER_OF = new Map<number, keyof typeof FIELD_TYPES>(
  Object.entries(FIELD_TYPES).map(([k, v]) => [v, k as keyof typeof FIELD_TYPES]),
);

/** The order and types of an invoice's tagged fields, read from its data words. */
function fieldTypes(invoice: string): Array<number> {
  const { words } = bech32.decode(invoice.toLowerCase() as `${string}1${string}`, false);
  const types: number[] = [];
  for (let i = 7; i < words.length - 104; ) {
    const len = (words[i + 1]! << 5) | words[i + 2]!;
    types.push(words[i]!);
    i += 3 + len;
  }
  return types;
}

/** Rebuild the example's fields from its stated values, in the order the spec's invoice has them. */
function fieldsOf(v: SpecExample): InvoiceField[] | undefined {
  const out: InvoiceField[] = [];
  for (const t of fieldTypes(v.invoice)) {
    const letter = LETTER_OF.get(t);
    if (letter === 'p') out.push({ type: 'p', paymentHash: fromHex(v.payment_hash) });
    else if (letter === 's') out.push({ type: 's', paymentSecret: fromHex(v.payment_secret) });
    else if (letter === 'd' && v.description !== null) out.push({ type: 'd', description: v.description });
    else if (letter === 'h' && v.description_hash) out.push({ type: 'h', descriptionHash: fromHex(v.description_hash) });
    else if (letter === 'x' && v.expiry_seconds !== null) out.push({ type: 'x', expirySeconds: v.expiry_seconds });
    else if (letter === 'c' && v.min_final_cltv_expiry_delta !== undefined)
      out.push({ type: 'c', minFinalCltvExpiryDelta: v.min_final_cltv_expiry_delta });
    else if (letter === 'm' && v.payment_metadata) out.push({ type: 'm', metadata: fromHex(v.payment_metadata) });
    else if (letter === '9') out.push({ type: '9', features: v.features });
    else return undefined; // a field this writer does not produce (fallback, route hint, ignored junk)
  }
  return out;
}

describe('bolt11 writer reproduces the BOLT #11 examples byte for byte', () => {
  const secret = fromHex(spec.signing_priv_key);
  // Only examples whose fields this writer produces and that carry a normal (low-S) signature.
  const reproducible = spec.valid.filter((v) => v.payee_pubkey !== null && fieldsOf(v) !== undefined);
  it('covers most of the examples', () => expect(reproducible.length).toBeGreaterThanOrEqual(6));
  for (const v of reproducible) {
    it(v.title, () => {
      const out = encodeInvoice(
        {
          currency: v.network,
          amountMsat: v.amount_msat === null ? undefined : BigInt(v.amount_msat),
          timestamp: v.timestamp,
          fields: fieldsOf(v)!,
        },
        secret,
      );
      expect(out).toBe(v.invoice.toLowerCase());
    });
  }
});

describe('bolt11 writer, read back by the bolt11 package', () => {
  it('signs regtest invoices that decode with the payee recovered from the signature', () => {
    const key = deriveKey('test', 'carol');
    const hash = new Uint8Array(32).fill(9);
    const out = encodeInvoice(
      {
        currency: 'bcrt',
        amountMsat: 1_234_000n,
        timestamp: 1_700_000_000,
        fields: [
          { type: 'p', paymentHash: hash },
          { type: 'd', description: 'coffee ☕' },
          { type: 'x', expirySeconds: 3600 },
          { type: 'c', minFinalCltvExpiryDelta: 80 },
          { type: 's', paymentSecret: new Uint8Array(32).fill(1) },
          { type: '9', features: [8, 14, 17] },
        ],
      },
      key.secret,
    );
    expect(out.startsWith('lnbcrt12340n1')).toBe(true);
    const dec = bolt11.decode(out);
    expect(dec.payeeNodeKey).toBe(key.pubkeyHex);
    expect(dec.millisatoshis).toBe('1234000');
    expect(dec.tagsObject.payment_hash).toBe('09'.repeat(32));
    expect(dec.tagsObject.description).toBe('coffee ☕');
    expect(dec.tagsObject.min_final_cltv_expiry).toBe(80);
    expect(dec.tagsObject.expire_time).toBe(3600);
    expect(dec.tagsObject.feature_bits?.payment_secret?.required).toBe(true);
    expect(dec.tagsObject.feature_bits?.basic_mpp?.supported).toBe(true);
  });
});

describe('bolt11 writer, read back by the devnet reader (readPaymentRequest)', () => {
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
    const d = readPaymentRequest(pr);
    expect(d).toMatchObject({ network: 'regtest', amountMsat: 5_000_001n, expirySeconds: 0, minFinalCltvExpiry: 144, payee: key.pubkeyHex });
    expect(d.paymentHash).toBe(toHex(new Uint8Array(32).fill(3)));
    expect(d.paymentSecret).toBe(toHex(new Uint8Array(32).fill(4)));
    expect(d.descriptionHash).toBe(toHex(new Uint8Array(32).fill(5)));
    expect(d.description).toBeUndefined();
    expect(d.features).toEqual([8, 14, 17]);
  });
  const base = { currency: 'bcrt', timestamp: 1 };
  const hash = { type: 'p', paymentHash: new Uint8Array(32) } as const;
  const secret = { type: 's', paymentSecret: new Uint8Array(32) } as const;
  const memo = { type: 'd', description: 'x' } as const;
  it('rejects an invoice with a payee field that did not sign it', () => {
    const pr = encodeInvoice(
      { ...base, fields: [hash, secret, memo, { type: 'n', payee: deriveKey('t', 'carol').pubkey }] },
      deriveKey('t', 'mallory').secret,
    );
    expect(() => readPaymentRequest(pr)).toThrow(/^bolt11: signature does not match payee/);
  });
  it('rejects an invoice without description or hash (lnd does)', () => {
    const pr = encodeInvoice({ ...base, fields: [hash, secret] }, deriveKey('t', 'x').secret);
    expect(() => readPaymentRequest(pr)).toThrow(/^bolt11: missing description and description hash$/);
  });
  it('rejects an invoice without payment secret', () => {
    const pr = encodeInvoice({ ...base, fields: [hash, memo] }, deriveKey('t', 'x').secret);
    expect(() => readPaymentRequest(pr)).toThrow(/^bolt11: missing payment secret/);
  });
  it('rejects an unknown required feature', () => {
    const pr = encodeInvoice({ ...base, fields: [hash, secret, memo, { type: '9', features: [8, 14, 100] }] }, deriveKey('t', 'x').secret);
    expect(() => readPaymentRequest(pr)).toThrow(/^bolt11: unknown required feature=100/);
  });
  it('rejects garbage', () => {
    expect(() => readPaymentRequest('hello')).toThrow(/^bolt11: /);
    expect(() => readPaymentRequest('')).toThrow(/^bolt11: /);
  });
});

describe('amount text', () => {
  const cases: Array<[bigint, string]> = [
    [250_000_000n, '2500u'],
    [2_000_000_000n, '20m'],
    [967_878_534n, '9678785340p'],
    [100_000_000_000n, '1'],
    [1_000n, '10n'],
    [1n, '10p'],
  ];
  for (const [msat, text] of cases) it(`${msat} msat → ${text}`, () => expect(amountText(msat)).toBe(text));
  it('rejects zero and negative amounts', () => {
    expect(() => amountText(0n)).toThrow(/amount must be positive/);
    expect(() => amountText(-5n)).toThrow(/amount must be positive/);
  });
});

describe('bolt11 writer failures', () => {
  const secret = deriveKey('test', 'x').secret;
  const base = { currency: 'bcrt', timestamp: 1 };
  it('rejects a short payment hash', () => {
    expect(() => encodeInvoice({ ...base, fields: [{ type: 'p', paymentHash: new Uint8Array(31) }] }, secret)).toThrow(
      /payment hash must be 32 bytes=31/,
    );
  });
  it('rejects a bad payee length', () => {
    expect(() => encodeInvoice({ ...base, fields: [{ type: 'n', payee: new Uint8Array(32) }] }, secret)).toThrow(/payee/);
  });
  it('rejects a negative expiry', () => {
    expect(() => encodeInvoice({ ...base, fields: [{ type: 'x', expirySeconds: -1 }] }, secret)).toThrow(/bad integer/);
  });
  it('rejects a timestamp beyond 35 bits', () => {
    expect(() => encodeInvoice({ ...base, timestamp: 2 ** 35, fields: [] }, secret)).toThrow(/timestamp too large/);
  });
  it('rejects a description longer than a field can hold', () => {
    expect(() => encodeInvoice({ ...base, fields: [{ type: 'd', description: 'x'.repeat(700) }] }, secret)).toThrow(
      /too long/,
    );
  });
});
