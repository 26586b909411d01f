/**
 * Encodings shared by the lnd and tapd connectors, input checks, and the payment stream
 * (lnrpc.Payment, which both daemons send).
 *
 * | where                      | bytes as          |
 * | -------------------------- | ----------------- |
 * | lnd JSON bodies            | base64            |
 * | lnd path segments          | base64url, padded |
 * | lnd query values           | base64, %-encoded |
 * | tapd JSON bodies and paths | hex               |
 * | string-typed hash fields   | hex (both)        |
 */
import { base64, base64url } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { z } from '../base/zod.ts';
import { moduleErrors, SatnavError } from '../errors.ts';
import type { PayOptions, PaymentResult, PaymentStatus, PaymentUpdate } from './types.ts';

const error = moduleErrors('node');

// Input checks: a caller's mistake is NODE_BAD_INPUT, before anything goes on the wire.

export function assertSats(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 0) throw error('NODE_BAD_INPUT', `${what} must be whole non-negative sats`, n);
  return n;
}
export function assertHex(hex: string, bytes: number, what: string): string {
  if (typeof hex !== 'string' || hex.length !== bytes * 2 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw error('NODE_BAD_INPUT', `${what} must be ${bytes} bytes of hex`, hex);
  }
  return hex.toLowerCase();
}

export const hexToB64 = (hex: string) => base64.encode(hexToBytes(hex));

/** lnd's `dest_custom_records`: TLV types ≥ 65536 → values, base64 for lnd, hex for tapd. */
const MIN_CUSTOM_RECORD = 65_536n;
export function customRecordsWire(records: Readonly<Record<string, string>>, bytes: 'base64' | 'hex'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [type, hex] of Object.entries(records)) {
    if (!/^[0-9]+$/.test(type) || BigInt(type) < MIN_CUSTOM_RECORD) throw error('NODE_BAD_INPUT', 'custom record type', type);
    if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) throw error('NODE_BAD_INPUT', 'custom record value (hex)', hex);
    out[type] = bytes === 'base64' ? hexToB64(hex) : hex.toLowerCase();
  }
  return out;
}

/** `cltv_limit` (int32): lnd's own ceiling is 2016 blocks; 0 would mean "no limit". */
export function assertCltvLimit(blocks: number): number {
  if (!Number.isSafeInteger(blocks) || blocks < 1 || blocks > 2016) throw error('NODE_BAD_INPUT', 'cltvLimit', blocks);
  return blocks;
}
export const hexToB64url = (hex: string) => base64url.encode(hexToBytes(hex));

// Response pieces (zod): only the fields the wallet reads.

/** int64/uint64 travel as decimal strings; a missing field is proto3's zero. */
export const int64 = z.pipe(
  z.optional(z.union([z.string().check(z.regex(/^-?[0-9]+$/)), z.int()])),
  z.transform((v) => BigInt(v ?? 0)),
);

/** Sats as a JS number: every real amount (≤ 21M BTC) is a safe integer. */
export function toSats(v: bigint, what: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw error('NODE_BAD_RESPONSE', `${what} out of range`, v.toString());
  return n;
}

/** A base64 bytes field → hex ('' when unset). */
export const b64Hex = z.pipe(
  z.nullish(z.string()),
  z.transform((v, ctx) => {
    try {
      return bytesToHex(base64.decode(v ?? ''));
    } catch {
      ctx.issues.push({ code: 'custom', message: 'not base64', input: v });
      return z.NEVER;
    }
  }),
);

export const hexString = z.pipe(
  z.nullish(z.string().check(z.regex(/^(?:[0-9a-fA-F]{2})*$/))),
  z.transform((v) => (v ?? '').toLowerCase()),
);

/** lnrpc.Payment as both lnd (/v2/router/*) and tapd (send-payment) stream it. */
export const paymentWire = z.object({
  payment_hash: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  payment_preimage: z.optional(z.string()),
  value_msat: int64,
  fee_msat: int64,
  status: z.enum(['UNKNOWN', 'IN_FLIGHT', 'SUCCEEDED', 'FAILED', 'INITIATED']),
  failure_reason: z.optional(z.string()),
  creation_time_ns: int64,
});
type PaymentWire = z.infer<typeof paymentWire>;

const ZERO_PREIMAGE = /^0*$/;

export function toPaymentResult(p: PaymentWire): PaymentResult {
  // UNKNOWN and INITIATED are payments lnd has not settled either way yet.
  const status: PaymentStatus = p.status === 'SUCCEEDED' || p.status === 'FAILED' ? p.status : 'IN_FLIGHT';
  const preimage = p.payment_preimage && !ZERO_PREIMAGE.test(p.payment_preimage) ? p.payment_preimage.toLowerCase() : undefined;
  if (status === 'SUCCEEDED') {
    // A node that reports success must hand over the proof of payment.
    if (!preimage || bytesToHex(sha256(hexToBytes(preimage))) !== p.payment_hash) {
      throw error('NODE_BAD_RESPONSE', 'preimage does not match payment hash', p.payment_hash);
    }
  }
  const reason = p.failure_reason?.replace(/^FAILURE_REASON_/, '');
  return {
    status,
    paymentHash: p.payment_hash,
    ...(preimage && { preimage }),
    amountMsat: p.value_msat,
    feeMsat: p.fee_msat,
    ...(status === 'FAILED' && reason && { failureReason: reason }),
    createdAt: Number(p.creation_time_ns / 1_000_000_000n),
  };
}

export const DEFAULT_PAYMENT_TIMEOUT_S = 60;

/** How long a payment stream may stay silent: lnd's own timeout plus the call timeout as grace. */
export function streamTimeoutMs(timeoutSeconds: number, callTimeoutMs: number): number {
  return timeoutSeconds * 1000 + callTimeoutMs;
}

/**
 * lnd's `no_inflight_updates` for a payment: when nobody reads in-flight updates, the node sends
 * the final one alone. In a browser each streamed line arrives as its own chunk, a few milliseconds
 * after the one before (measured 3 ms per payment on Chromium 156).
 */
export function finalUpdateOnly(p: PayOptions, onUpdate?: PaymentUpdate): boolean {
  return (p.waitFinal ?? true) && !onUpdate;
}

/**
 * Reads payment updates until a final state (or the first update when `waitFinal` is false).
 * A stream that falls silent while the payment is in flight (a held HTLC) ends as IN_FLIGHT,
 * never as an error: the payment may still complete, and the caller reconciles later.
 */
export async function consumePayments(
  updates: AsyncIterable<PaymentWire | undefined>,
  waitFinal: boolean,
  onUpdate?: PaymentUpdate,
): Promise<PaymentResult> {
  let last: PaymentResult | undefined;
  try {
    for await (const wire of updates) {
      if (!wire) continue; // a message carrying something else (e.g. an RFQ quote)
      last = toPaymentResult(wire);
      if (last.status !== 'IN_FLIGHT' || !waitFinal) return last;
      onUpdate?.(last);
    }
  } catch (e) {
    if (last && e instanceof SatnavError && e.code === 'NODE_TIMEOUT') return last;
    throw e;
  }
  if (last) return last;
  throw error('NODE_BAD_RESPONSE', 'payment stream ended without an update');
}
