/** What the wallet refuses before holding a deposit. */
import { moduleErrors } from '../errors.ts';
import type { DepositChallenge } from './challenge.ts';

const err = moduleErrors('deposit');

export interface DepositLimits {
  readonly maxAmountSat: number;
  readonly maxHoldSeconds: number;
  /** Blocks the person accepts their HTLC to be locked at most (final CLTV + route margin). */
  readonly maxCltv: number;
}

/** Throws DEPOSIT_REFUSED with the first reason; `expectedHash` binds a re-offered deposit. */
export function admitDeposit(c: DepositChallenge, limits: DepositLimits, nowSeconds: number, expectedHash?: string): void {
  const refuse = (problem: string, value?: unknown) => err('DEPOSIT_REFUSED', problem, value);
  if (c.amountSat > limits.maxAmountSat) throw refuse('amount above deposit limit', c.amountSat);
  if (c.maxHoldSeconds > limits.maxHoldSeconds) throw refuse('hold time above limit', c.maxHoldSeconds);
  if (c.invoice.minFinalCltvExpiry > c.maxCltv) throw refuse('invoice final CLTV above the challenge max_cltv', c.invoice.minFinalCltvExpiry);
  if (c.maxCltv > limits.maxCltv) throw refuse('CLTV bound above limit', c.maxCltv);
  // A hold is released by CLTV expiry at worst: the HTLC may not outlive max_hold by much (10 min/block).
  if (c.maxHoldSeconds > c.maxCltv * 600) throw refuse('max_hold longer than the CLTV bound', c.maxHoldSeconds);
  if (c.invoice.expiresAt <= nowSeconds) throw refuse('invoice expired', c.invoice.expiresAt);
  if (expectedHash !== undefined && expectedHash !== c.invoice.paymentHash) throw refuse('payment hash differs', c.invoice.paymentHash);
}
