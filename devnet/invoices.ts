/**
 * A node's invoices and what happens when an HTLC arrives for one, following lnd's invoice
 * registry: OPEN → SETTLED for ordinary invoices; OPEN → ACCEPTED → SETTLED | CANCELED for hold
 * invoices; keysend creates a settled invoice on arrival. Any mismatch fails the HTLC with
 * INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS, which the payer cannot tell apart from an unknown hash.
 */
import { bytesEqual, sha256Bytes, toHex } from './codec.ts';

export type InvoiceState = 'OPEN' | 'ACCEPTED' | 'SETTLED' | 'CANCELED';
export type HtlcState = 'ACCEPTED' | 'SETTLED' | 'CANCELED';

/** lnd's `invoices.holdexpirydelta`: blocks before the HTLC's expiry at which a held HTLC is canceled. */
export const HOLD_EXPIRY_DELTA = 18;
/** The TLV record type that carries a keysend preimage. */
export const KEYSEND_RECORD = '5482373484';

export interface InvoiceHtlc {
  readonly chanId: bigint;
  readonly htlcIndex: number;
  readonly amtMsat: number;
  readonly acceptHeight: number;
  readonly acceptTime: number;
  resolveTime: number;
  readonly expiryHeight: number;
  state: HtlcState;
  readonly customRecords: Readonly<Record<string, Uint8Array>>;
  readonly mppTotalAmtMsat: number;
}

/** Set on invoices made through tapd: the payee receives asset units from its channel peer. */
export interface AssetReceipt {
  readonly assetId: string;
  readonly units: number;
  readonly peer: string;
  readonly rfqId: Uint8Array;
}

export interface InvoiceRecord {
  readonly hash: Uint8Array;
  preimage?: Uint8Array;
  readonly memo: string;
  readonly descriptionHash?: Uint8Array;
  readonly valueMsat: number;
  readonly creationDate: number;
  settleDate: number;
  readonly paymentRequest: string;
  readonly expiry: number;
  readonly cltvExpiry: number;
  readonly private: boolean;
  readonly addIndex: number;
  settleIndex: number;
  amtPaidMsat: number;
  state: InvoiceState;
  readonly htlcs: InvoiceHtlc[];
  readonly isKeysend: boolean;
  readonly paymentAddr: Uint8Array;
  readonly hold: boolean;
  readonly asset?: AssetReceipt;
}

export type NewInvoice = Omit<
  InvoiceRecord,
  'addIndex' | 'settleIndex' | 'settleDate' | 'amtPaidMsat' | 'state' | 'htlcs' | 'isKeysend'
>;

/** An HTLC reaching its final node. */
export interface IncomingHtlc {
  readonly hash: Uint8Array;
  readonly amtMsat: number;
  readonly paymentAddr?: Uint8Array;
  readonly customRecords: Readonly<Record<string, Uint8Array>>;
  readonly chanId: bigint;
  readonly htlcIndex: number;
  readonly expiryHeight: number;
}

export type HoldOutcome = 'settled' | 'canceled';

export type HtlcResolution =
  | { readonly kind: 'settle'; readonly preimage: Uint8Array; readonly invoice: InvoiceRecord }
  | { readonly kind: 'hold'; readonly outcome: Promise<HoldOutcome>; readonly invoice: InvoiceRecord }
  | { readonly kind: 'fail'; readonly reason: string };

export class InvoiceError extends Error {}

export class InvoiceBook {
  private readonly byHash = new Map<string, InvoiceRecord>();
  private readonly listeners = new Map<string, Set<(inv: InvoiceRecord) => void>>();
  private readonly holdWaiters = new Map<string, (o: HoldOutcome) => void>();
  private lastAddIndex = 0;
  private lastSettleIndex = 0;

  add(fields: NewInvoice, isKeysend = false): InvoiceRecord {
    const key = toHex(fields.hash);
    if (this.byHash.has(key)) throw new InvoiceError('invoice with payment hash already exists');
    const rec: InvoiceRecord = {
      ...fields,
      addIndex: ++this.lastAddIndex,
      settleIndex: 0,
      settleDate: 0,
      amtPaidMsat: 0,
      state: 'OPEN',
      htlcs: [],
      isKeysend,
    };
    this.byHash.set(key, rec);
    return rec;
  }

  get(hashHex: string, nowSec: number): InvoiceRecord | undefined {
    const rec = this.byHash.get(hashHex.toLowerCase());
    if (rec) this.expire(rec, nowSec);
    return rec;
  }

  list(nowSec: number): InvoiceRecord[] {
    const all = [...this.byHash.values()].sort((a, b) => a.addIndex - b.addIndex);
    for (const rec of all) this.expire(rec, nowSec);
    return all;
  }

  subscribe(hashHex: string, fn: (inv: InvoiceRecord) => void): () => void {
    const key = hashHex.toLowerCase();
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  /** The final hop's decision on an HTLC (lnd's invoice registry, simplified to single-part payments). */
  receive(htlc: IncomingHtlc, now: { sec: number; height: number }): HtlcResolution {
    const keysend = htlc.customRecords[KEYSEND_RECORD];
    if (keysend) return this.receiveKeysend(htlc, keysend, now);
    const rec = this.get(toHex(htlc.hash), now.sec);
    const incorrect = { kind: 'fail', reason: 'INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS' } as const;
    if (!rec || rec.state !== 'OPEN') return incorrect;
    if (htlc.paymentAddr && !bytesEqual(htlc.paymentAddr, rec.paymentAddr)) return incorrect;
    // lnd accepts up to twice the invoice amount (overpayment is allowed, a gross mistake is not).
    if (htlc.amtMsat < rec.valueMsat || (rec.valueMsat > 0 && htlc.amtMsat > 2 * rec.valueMsat)) return incorrect;
    this.acceptHtlc(rec, htlc, now);
    if (!rec.hold) {
      this.markSettled(rec, now.sec);
      return { kind: 'settle', preimage: rec.preimage!, invoice: rec };
    }
    rec.state = 'ACCEPTED';
    const outcome = new Promise<HoldOutcome>((resolve) => this.holdWaiters.set(toHex(rec.hash), resolve));
    this.notify(rec);
    return { kind: 'hold', outcome, invoice: rec };
  }

  /** invoicesrpc.SettleInvoice: only an ACCEPTED hold invoice can be settled; settling twice is a no-op. */
  settle(preimage: Uint8Array, nowSec: number): InvoiceRecord {
    const rec = this.get(toHex(sha256Bytes(preimage)), nowSec);
    if (!rec) throw new InvoiceError('unable to locate invoice');
    if (rec.state === 'SETTLED') return rec;
    if (rec.state === 'CANCELED') throw new InvoiceError('invoice already canceled');
    if (rec.state === 'OPEN') throw new InvoiceError('invoice still open');
    rec.preimage = preimage;
    this.markSettled(rec, nowSec);
    this.resolveHold(rec, 'settled');
    return rec;
  }

  /** invoicesrpc.CancelInvoice: any invoice not yet settled; canceling twice is a no-op. */
  cancel(hashHex: string, nowSec: number): InvoiceRecord {
    const rec = this.get(hashHex, nowSec);
    if (!rec) throw new InvoiceError('unable to locate invoice');
    if (rec.state === 'SETTLED') throw new InvoiceError('invoice already settled');
    if (rec.state !== 'CANCELED') this.markCanceled(rec, nowSec);
    return rec;
  }

  /** Blocks were mined: cancel held HTLCs that came within HOLD_EXPIRY_DELTA blocks of expiring. */
  onBlock(height: number, nowSec: number): InvoiceRecord[] {
    const canceled: InvoiceRecord[] = [];
    for (const rec of this.byHash.values()) {
      if (rec.state !== 'ACCEPTED') continue;
      if (rec.htlcs.some((h) => h.state === 'ACCEPTED' && height >= h.expiryHeight - HOLD_EXPIRY_DELTA)) {
        this.markCanceled(rec, nowSec);
        canceled.push(rec);
      }
    }
    return canceled;
  }

  private receiveKeysend(htlc: IncomingHtlc, preimage: Uint8Array, now: { sec: number; height: number }): HtlcResolution {
    if (preimage.length !== 32 || !bytesEqual(sha256Bytes(preimage), htlc.hash) || this.byHash.has(toHex(htlc.hash))) {
      return { kind: 'fail', reason: 'INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS' };
    }
    const rec = this.add(
      {
        hash: htlc.hash,
        preimage,
        memo: '',
        valueMsat: htlc.amtMsat,
        creationDate: now.sec,
        paymentRequest: '',
        expiry: 86_400,
        cltvExpiry: 40,
        private: false,
        paymentAddr: new Uint8Array(0),
        hold: false,
      },
      true,
    );
    this.acceptHtlc(rec, htlc, now);
    this.markSettled(rec, now.sec);
    return { kind: 'settle', preimage, invoice: rec };
  }

  private acceptHtlc(rec: InvoiceRecord, htlc: IncomingHtlc, now: { sec: number; height: number }): void {
    rec.htlcs.push({
      chanId: htlc.chanId,
      htlcIndex: htlc.htlcIndex,
      amtMsat: htlc.amtMsat,
      acceptHeight: now.height,
      acceptTime: now.sec,
      resolveTime: 0,
      expiryHeight: htlc.expiryHeight,
      state: 'ACCEPTED',
      customRecords: htlc.customRecords,
      mppTotalAmtMsat: htlc.amtMsat,
    });
    rec.amtPaidMsat = htlc.amtMsat;
  }

  private expire(rec: InvoiceRecord, nowSec: number): void {
    if (rec.state === 'OPEN' && nowSec >= rec.creationDate + rec.expiry) this.markCanceled(rec, nowSec);
  }

  private markSettled(rec: InvoiceRecord, nowSec: number): void {
    rec.state = 'SETTLED';
    rec.settleDate = nowSec;
    rec.settleIndex = ++this.lastSettleIndex;
    for (const h of rec.htlcs) if (h.state === 'ACCEPTED') Object.assign(h, { state: 'SETTLED', resolveTime: nowSec });
    this.notify(rec);
  }

  private markCanceled(rec: InvoiceRecord, nowSec: number): void {
    rec.state = 'CANCELED';
    rec.amtPaidMsat = 0;
    for (const h of rec.htlcs) if (h.state === 'ACCEPTED') Object.assign(h, { state: 'CANCELED', resolveTime: nowSec });
    this.resolveHold(rec, 'canceled');
    this.notify(rec);
  }

  private resolveHold(rec: InvoiceRecord, outcome: HoldOutcome): void {
    const key = toHex(rec.hash);
    this.holdWaiters.get(key)?.(outcome);
    this.holdWaiters.delete(key);
  }

  private notify(rec: InvoiceRecord): void {
    for (const fn of this.listeners.get(toHex(rec.hash)) ?? []) fn(rec);
  }
}

export const isFinal = (s: InvoiceState): boolean => s === 'SETTLED' || s === 'CANCELED';
