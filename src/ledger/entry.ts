import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { z } from '../base/zod.ts';
import { moduleErrors } from '../errors.ts';
import { isOrigin } from '../base/origin.ts';
import { PAYMENT_SOURCES, RAILS } from '../base/payment-kinds.ts';
import { satsSchema as sats } from '../base/sats.ts';

/**
 * One money movement, in or out, as the ledger records it. What moved is the
 * `kind`; what asked for it (`source`) and how it was paid (`rail`) are
 * separate fields (src/base/payment-kinds.ts).
 */
export const LEDGER_KINDS = ['payment', 'keysend', 'deposit', 'refund', 'reward', 'invoice'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/** Which way the money moves follows from the kind, so it is derived, never passed in. */
export const DIRECTION_OF: Record<LedgerKind, 'out' | 'in'> = {
  payment: 'out',
  keysend: 'out',
  deposit: 'out', // a hold-invoice deposit: in_flight while locked, refunded when cancelled, succeeded when forfeited
  refund: 'in',
  reward: 'in',
  invoice: 'in',
};

export const LEDGER_STATUSES = ['pending', 'in_flight', 'succeeded', 'failed', 'refunded'] as const;
export type LedgerStatus = (typeof LEDGER_STATUSES)[number];

/**
 * Allowed status changes. `pending` is written before sending; the node may
 * still settle a payment we marked failed (after a timeout), and its word wins;
 * nothing leaves `succeeded`. `refunded` is a deposit whose hold was
 * cancelled: the money came back, which is not a failure.
 */
export const NEXT_STATUS: Record<LedgerStatus, readonly LedgerStatus[]> = {
  pending: ['pending', 'in_flight', 'succeeded', 'failed', 'refunded'],
  in_flight: ['in_flight', 'succeeded', 'failed', 'refunded'],
  failed: ['failed', 'succeeded'],
  succeeded: ['succeeded'],
  refunded: ['refunded'],
};
/** An entry in one of these blocks a second payment of the same hash. */
export const LIVE_STATUSES: readonly LedgerStatus[] = ['pending', 'in_flight', 'succeeded'];
export const UNRESOLVED_STATUSES: readonly LedgerStatus[] = ['pending', 'in_flight'];

const hex32 = z.string().check(z.regex(/^[0-9a-f]{64}$/, 'expected 32 bytes of lowercase hex'));
const decimal = z.string().check(z.regex(/^[0-9]{1,60}$/, 'expected a decimal integer'));
const epochMs = z.int().check(z.minimum(0));
const origin = z.string().check(z.refine(isOrigin, 'expected an origin'));

export const ledgerBeginSchema = z.strictObject({
  origin,
  kind: z.enum(LEDGER_KINDS),
  source: z.enum(PAYMENT_SOURCES),
  rail: z.enum(RAILS),
  amountSat: sats,
  maxFeeSat: z.optional(sats),
  paymentHash: hex32,
  paymentRequest: z.optional(z.string().check(z.minLength(1), z.maxLength(8192))),
  description: z.optional(z.string().check(z.maxLength(2048))),
  /** The policy hold this payment settles, for commit/release after a restart. */
  reservationId: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  /**
   * Rail `asset`: what was paid with, at which quote. Units are raw (decimal strings: they pass
   * 2^53): `units` the amount, `maxUnits` amount + fee limit, both rounded up at the rate.
   */
  asset: z.optional(
    z
      .strictObject({
        groupKey: z.optional(z.string().check(z.regex(/^0[23][0-9a-f]{64}$/))),
        assetId: z.optional(hex32),
        units: decimal,
        maxUnits: decimal,
        rate: z.strictObject({ coefficient: decimal, scale: z.int().check(z.minimum(0), z.maximum(30)) }),
        quoteId: hex32,
        decimalDisplay: z.int().check(z.minimum(0), z.maximum(18)),
      })
      .check(z.refine((a) => (a.groupKey === undefined) !== (a.assetId === undefined), 'exactly one of groupKey, assetId')),
  ),
});
export type LedgerBegin = z.infer<typeof ledgerBeginSchema>;

export const ledgerPatchSchema = z.partial(
  z.strictObject({
    status: z.enum(LEDGER_STATUSES),
    feeSat: sats,
    preimage: hex32,
    failureReason: z.string().check(z.minLength(1), z.maxLength(512)),
    description: z.string().check(z.maxLength(2048)),
  }),
);
export type LedgerPatch = z.infer<typeof ledgerPatchSchema>;

export const ledgerEntrySchema = z
  .extend(ledgerBeginSchema, {
    id: z.string().check(z.minLength(1), z.maxLength(128)),
    direction: z.enum(['out', 'in']),
    status: z.enum(LEDGER_STATUSES),
    feeSat: z.optional(sats),
    preimage: z.optional(hex32),
    failureReason: z.optional(z.string().check(z.maxLength(512))),
    createdAt: epochMs,
    updatedAt: epochMs,
  })
  .check(z.refine((e) => e.direction === DIRECTION_OF[e.kind], 'direction does not match kind'));
export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;

const err = moduleErrors('ledger');

export function preimageMatches(preimage: string, paymentHash: string): boolean {
  return bytesToHex(sha256(hexToBytes(preimage))) === paymentHash;
}

/**
 * The entry after `patch`, or the same object when the patch repeats an
 * outcome already recorded (the first outcome's details win). Throws on a
 * forbidden status change or a preimage that does not hash to the payment hash.
 */
export function applyPatch(entry: LedgerEntry, patch: LedgerPatch, now: number): LedgerEntry {
  const status = patch.status ?? entry.status;
  if (!NEXT_STATUS[entry.status].includes(status))
    throw err('INVALID_TRANSITION', 'invalid status change', `${entry.status}->${status}`, { id: entry.id });
  if (patch.preimage !== undefined && !preimageMatches(patch.preimage, entry.paymentHash))
    throw err('PREIMAGE_MISMATCH', 'preimage does not match paymentHash', entry.paymentHash, { id: entry.id });
  if (patch.status === entry.status && !UNRESOLVED_STATUSES.includes(status)) return entry;
  const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  return { ...entry, ...defined, status, updatedAt: now };
}
