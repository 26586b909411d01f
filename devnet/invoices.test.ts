import { describe, expect, it } from 'vitest';
import { sha256Bytes } from './codec.ts';
import { HOLD_EXPIRY_DELTA, InvoiceBook, KEYSEND_RECORD, type NewInvoice } from './invoices.ts';

const preimage = new Uint8Array(32).fill(7);
const hash = sha256Bytes(preimage);
const addr = new Uint8Array(32).fill(1);
const now = { sec: 1_000, height: 100 };

function fresh(extra: Partial<NewInvoice> = {}): NewInvoice {
  return {
    hash,
    preimage,
    memo: 'm',
    valueMsat: 10_000,
    creationDate: now.sec,
    paymentRequest: 'lnbcrt…',
    expiry: 3600,
    cltvExpiry: 40,
    private: false,
    paymentAddr: addr,
    hold: false,
    ...extra,
  };
}

const htlc = (amtMsat: number, extra: Record<string, unknown> = {}) => ({
  hash,
  amtMsat,
  paymentAddr: addr,
  customRecords: {},
  chanId: 1n,
  htlcIndex: 0,
  expiryHeight: now.height + 40,
  ...extra,
});

describe('InvoiceBook', () => {
  it('settles an ordinary invoice paid in full', () => {
    const book = new InvoiceBook();
    book.add(fresh());
    const res = book.receive(htlc(10_000), now);
    expect(res.kind).toBe('settle');
    expect(book.get('', now.sec)).toBeUndefined();
    const inv = book.list(now.sec)[0]!;
    expect(inv).toMatchObject({ state: 'SETTLED', amtPaidMsat: 10_000, settleIndex: 1 });
  });

  const failures: Array<[string, ReturnType<typeof htlc>]> = [
    ['underpaid', htlc(9_999)],
    ['overpaid more than twice', htlc(20_001)],
    ['wrong payment address', htlc(10_000, { paymentAddr: new Uint8Array(32) })],
    ['unknown hash', htlc(10_000, { hash: new Uint8Array(32) })],
  ];
  for (const [name, h] of failures) {
    it(`fails an HTLC: ${name}`, () => {
      const book = new InvoiceBook();
      book.add(fresh());
      expect(book.receive(h, now)).toEqual({ kind: 'fail', reason: 'INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS' });
      expect(book.list(now.sec)[0]!.state).toBe('OPEN');
    });
  }

  it('cancels an open invoice once it expires', () => {
    const book = new InvoiceBook();
    book.add(fresh());
    expect(book.get(Buffer.from(hash).toString('hex'), now.sec + 3599)!.state).toBe('OPEN');
    expect(book.get(Buffer.from(hash).toString('hex'), now.sec + 3600)!.state).toBe('CANCELED');
    expect(book.receive(htlc(10_000), { ...now, sec: now.sec + 3600 }).kind).toBe('fail');
  });

  it('holds an HTLC until settled', async () => {
    const book = new InvoiceBook();
    book.add(fresh({ hold: true, preimage: undefined }));
    const res = book.receive(htlc(10_000), now);
    expect(res.kind).toBe('hold');
    expect(() => book.settle(new Uint8Array(32), now.sec)).toThrow('unable to locate invoice');
    book.settle(preimage, now.sec);
    if (res.kind === 'hold') expect(await res.outcome).toBe('settled');
    expect(() => book.cancel(Buffer.from(hash).toString('hex'), now.sec)).toThrow('invoice already settled');
  });

  it('cancels a held HTLC HOLD_EXPIRY_DELTA blocks before it expires', async () => {
    const book = new InvoiceBook();
    book.add(fresh({ hold: true, preimage: undefined }));
    const res = book.receive(htlc(10_000), now);
    const expiry = now.height + 40;
    expect(book.onBlock(expiry - HOLD_EXPIRY_DELTA - 1, now.sec)).toEqual([]);
    expect(book.onBlock(expiry - HOLD_EXPIRY_DELTA, now.sec)).toHaveLength(1);
    if (res.kind === 'hold') expect(await res.outcome).toBe('canceled');
    expect(book.list(now.sec)[0]).toMatchObject({ state: 'CANCELED', amtPaidMsat: 0 });
  });

  it('records a keysend payment as a settled keysend invoice', () => {
    const book = new InvoiceBook();
    const res = book.receive(htlc(5_000, { paymentAddr: undefined, customRecords: { [KEYSEND_RECORD]: preimage } }), now);
    expect(res.kind).toBe('settle');
    expect(book.list(now.sec)[0]).toMatchObject({ isKeysend: true, state: 'SETTLED', valueMsat: 5_000 });
  });

  it('refuses a second invoice with the same hash', () => {
    const book = new InvoiceBook();
    book.add(fresh());
    expect(() => book.add(fresh())).toThrow('invoice with payment hash already exists');
  });

  it('notifies subscribers of every state change', () => {
    const book = new InvoiceBook();
    book.add(fresh({ hold: true, preimage: undefined }));
    const seen: string[] = [];
    book.subscribe(Buffer.from(hash).toString('hex'), (i) => seen.push(i.state));
    book.receive(htlc(10_000), now);
    book.cancel(Buffer.from(hash).toString('hex'), now.sec);
    expect(seen).toEqual(['ACCEPTED', 'CANCELED']);
  });
});
