import { describe, expect, it } from 'vitest';
import { Ledger } from '../ledger/index.ts';
import { MemoryStore } from '../storage/kv.ts';
import { codeOf } from '../testing/expect-code.ts';
import { signedInvoice } from '../testing/signed-invoice.ts';
import { admitInvoice, type AdmissionContext } from './admission.ts';

const SHOP = 'https://shop.example';
const OTHER = 'https://other.example';
const NOW = Date.parse('2026-12-05T12:00:00Z');
const at = (s: number) => Math.floor(NOW / 1000) + s;

function ctx(over: Partial<AdmissionContext> = {}): AdmissionContext {
  return { origin: SHOP, ledger: new Ledger({ store: new MemoryStore() }), network: 'regtest', nowMs: NOW, ...over };
}

async function recorded(origin: string, paymentHash: string, status: 'pending' | 'succeeded' | 'failed') {
  const ledger = new Ledger({ store: new MemoryStore() });
  const e = await ledger.begin({ origin, kind: 'payment', source: 'webln', rail: 'btc', amountSat: 10, paymentHash });
  if (status === 'succeeded') await ledger.succeed(e.id);
  if (status === 'failed') await ledger.fail(e.id, 'NO_ROUTE');
  return ledger;
}

describe('admitInvoice', () => {
  it('admits a payable invoice and says its amount', async () => {
    const inv = signedInvoice({ amountSat: 21, timestamp: at(0) });
    const a = await admitInvoice(inv.paymentRequest, ctx());
    expect(a.amountSat).toBe(21);
    expect(a.invoice.paymentHash).toBe(inv.paymentHash);
  });
  it('an unknown node network is not checked (the node refuses a foreign invoice itself)', async () => {
    const inv = signedInvoice({ amountSat: 21, currency: 'bc', timestamp: at(0) });
    expect((await admitInvoice(inv.paymentRequest, ctx({ network: undefined }))).amountSat).toBe(21);
  });

  const refusals: Array<[string, () => Promise<unknown>, string]> = [
    ['garbage', () => admitInvoice('lnbcrt1garbage', ctx()), 'INVOICE_INVALID'],
    ['another network', () => admitInvoice(signedInvoice({ amountSat: 1, currency: 'bc', timestamp: at(0) }).paymentRequest, ctx()), 'INVOICE_WRONG_NETWORK'],
    ['expired', () => admitInvoice(signedInvoice({ amountSat: 1, timestamp: at(-7200), expirySeconds: 3600 }).paymentRequest, ctx()), 'INVOICE_EXPIRED'],
    ['amountless', () => admitInvoice(signedInvoice({ timestamp: at(0) }).paymentRequest, ctx()), 'INVOICE_NO_AMOUNT'],
    ['not the agreed amount', () => admitInvoice(signedInvoice({ amountSat: 11, timestamp: at(0) }).paymentRequest, ctx({ expectedSat: 10 })), 'INVOICE_AMOUNT_MISMATCH'],
    ['above the payer ceiling', () => admitInvoice(signedInvoice({ amountSat: 101, timestamp: at(0) }).paymentRequest, ctx({ ceilingSat: 100 })), 'INVOICE_ABOVE_CEILING'],
  ];
  for (const [name, run, code] of refusals) it(`refuses ${name}: ${code}`, async () => expect(await codeOf(run())).toBe(code));

  it('the network is checked before expiry and amount', async () => {
    const inv = signedInvoice({ currency: 'bc', timestamp: at(-7200), expirySeconds: 60 });
    expect(await codeOf(admitInvoice(inv.paymentRequest, ctx()))).toBe('INVOICE_WRONG_NETWORK');
  });

  describe('duplicates are named only to the origin that paid', () => {
    for (const status of ['pending', 'succeeded'] as const) {
      it(`${status} for this origin → DUPLICATE_PAYMENT`, async () => {
        const inv = signedInvoice({ amountSat: 10, timestamp: at(0) });
        expect(await codeOf(admitInvoice(inv.paymentRequest, ctx({ ledger: await recorded(SHOP, inv.paymentHash, status) })))).toBe('DUPLICATE_PAYMENT');
      });
      it(`${status} for another origin → a plain PAYMENT_FAILED that names nothing`, async () => {
        const inv = signedInvoice({ amountSat: 10, timestamp: at(0) });
        const e = await admitInvoice(inv.paymentRequest, ctx({ origin: OTHER, ledger: await recorded(SHOP, inv.paymentHash, status) })).catch((x: unknown) => x);
        expect(e).toMatchObject({ code: 'PAYMENT_FAILED', message: 'payments: payment failed' });
      });
    }
    it('a failed payment may be tried again', async () => {
      const inv = signedInvoice({ amountSat: 10, timestamp: at(0) });
      expect((await admitInvoice(inv.paymentRequest, ctx({ ledger: await recorded(SHOP, inv.paymentHash, 'failed') }))).amountSat).toBe(10);
    });
  });
});
