/**
 * A node's outgoing payments, as lnd's payment database keeps them: one record per payment hash,
 * with every HTLC attempt and its route. A hash can be paid again only after its payment FAILED.
 */
import { toHex } from './codec.ts';
import type { Route } from './pathfinding.ts';

export type PaymentStatus = 'INITIATED' | 'IN_FLIGHT' | 'SUCCEEDED' | 'FAILED';
export type FailureReason =
  | 'FAILURE_REASON_NONE'
  | 'FAILURE_REASON_TIMEOUT'
  | 'FAILURE_REASON_NO_ROUTE'
  | 'FAILURE_REASON_ERROR'
  | 'FAILURE_REASON_INCORRECT_PAYMENT_DETAILS'
  | 'FAILURE_REASON_INSUFFICIENT_BALANCE';

/** An HTLC failure as lnrpc.Failure reports it. */
export interface HtlcFailure {
  readonly code: string;
  /** Position in the route of the node that failed the HTLC: 0 is the payer. */
  readonly sourceIndex: number;
  readonly htlcMsat: number;
  readonly height: number;
}

export interface HtlcAttempt {
  readonly id: number;
  status: 'IN_FLIGHT' | 'SUCCEEDED' | 'FAILED';
  readonly route: Route;
  /** Final-hop records: payment address and custom records (keysend). */
  readonly paymentAddr?: Uint8Array;
  readonly destCustomRecords: Readonly<Record<string, Uint8Array>>;
  readonly attemptTimeNs: bigint;
  resolveTimeNs: bigint;
  failure?: HtlcFailure;
  preimage?: Uint8Array;
  /** For asset payments: the RFQ quote the first hop's units were sold under. */
  readonly rfqId?: Uint8Array;
}

export interface PaymentRecord {
  readonly hash: Uint8Array;
  readonly index: number;
  readonly valueMsat: number;
  feeMsat: number;
  readonly creationTimeNs: bigint;
  readonly paymentRequest: string;
  status: PaymentStatus;
  failureReason: FailureReason;
  preimage?: Uint8Array;
  readonly htlcs: HtlcAttempt[];
  readonly firstHopCustomRecords: Readonly<Record<string, Uint8Array>>;
}

export type NewPayment = Pick<PaymentRecord, 'hash' | 'valueMsat' | 'paymentRequest' | 'firstHopCustomRecords'>;

/** lnd's errors for starting a payment whose hash is already in the database. */
export class PaymentExistsError extends Error {}

export const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

export class PaymentBook {
  private readonly byHash = new Map<string, PaymentRecord>();
  private readonly listeners = new Map<string, Set<(p: PaymentRecord) => void>>();
  /** Router.TrackPayments: every payment's updates. */
  private readonly everyone = new Set<(p: PaymentRecord) => void>();
  private lastIndex = 0;
  private lastAttemptId = 0;

  begin(p: NewPayment): PaymentRecord {
    const key = toHex(p.hash);
    const prev = this.byHash.get(key);
    if (prev?.status === 'SUCCEEDED') throw new PaymentExistsError('invoice is already paid');
    if (prev && prev.status !== 'FAILED') throw new PaymentExistsError('payment is in transition');
    const rec: PaymentRecord = {
      ...p,
      index: ++this.lastIndex,
      feeMsat: 0,
      creationTimeNs: nowNs(),
      status: 'INITIATED',
      failureReason: 'FAILURE_REASON_NONE',
      htlcs: [],
    };
    this.byHash.set(key, rec);
    this.notify(rec);
    return rec;
  }

  addAttempt(rec: PaymentRecord, a: Omit<HtlcAttempt, 'id' | 'status' | 'attemptTimeNs' | 'resolveTimeNs'>): HtlcAttempt {
    const attempt: HtlcAttempt = { ...a, id: ++this.lastAttemptId, status: 'IN_FLIGHT', attemptTimeNs: nowNs(), resolveTimeNs: 0n };
    rec.htlcs.push(attempt);
    rec.status = 'IN_FLIGHT';
    this.notify(rec);
    return attempt;
  }

  failAttempt(rec: PaymentRecord, a: HtlcAttempt, failure: HtlcFailure): void {
    Object.assign(a, { status: 'FAILED', failure, resolveTimeNs: nowNs() });
    this.notify(rec);
  }

  succeed(rec: PaymentRecord, a: HtlcAttempt, preimage: Uint8Array): void {
    Object.assign(a, { status: 'SUCCEEDED', preimage, resolveTimeNs: nowNs() });
    rec.status = 'SUCCEEDED';
    rec.preimage = preimage;
    rec.feeMsat = a.route.totalFeesMsat;
    this.notify(rec);
  }

  fail(rec: PaymentRecord, reason: FailureReason): void {
    rec.status = 'FAILED';
    rec.failureReason = reason;
    this.notify(rec);
  }

  get(hashHex: string): PaymentRecord | undefined {
    return this.byHash.get(hashHex.toLowerCase());
  }

  list(): PaymentRecord[] {
    return [...this.byHash.values()].sort((a, b) => a.index - b.index);
  }

  subscribe(hashHex: string, fn: (p: PaymentRecord) => void): () => void {
    const key = hashHex.toLowerCase();
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  subscribeAll(fn: (p: PaymentRecord) => void): () => void {
    this.everyone.add(fn);
    return () => this.everyone.delete(fn);
  }

  private notify(rec: PaymentRecord): void {
    for (const fn of this.listeners.get(toHex(rec.hash)) ?? []) fn(rec);
    for (const fn of this.everyone) fn(rec);
  }
}

export const isTerminal = (s: PaymentStatus): boolean => s === 'SUCCEEDED' || s === 'FAILED';
