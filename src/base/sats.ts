import { z } from './zod.ts';
import { moduleErrors } from '../errors.ts';

/**
 * Amounts. The wallet counts in whole sat; the node reports msat.
 *
 * Rounding rule, the only one: msat → sat rounds **up**. Every place that
 * converts is about money leaving (an invoice amount, a fee paid) or a hold on
 * a budget, and rounding up can only over-count spend by < 1 sat, never let a
 * payment slip past a limit by a fraction.
 */
const err = moduleErrors('sats');

/** 21 million BTC in sat: no real amount exceeds it, and it stays below 2^53. */
export const MAX_SATS = 21_000_000 * 100_000_000;

/** Amounts are whole, non-negative sat within the bitcoin supply; anything else is a bug or an attack. */
export function assertSats(n: unknown, name: string): asserts n is number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || n > MAX_SATS)
    throw err('INVALID_AMOUNT', `invalid ${name}`, typeof n === 'number' ? String(n) : typeof n);
}

export function isSats(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= MAX_SATS;
}

/** The zod form of `isSats`, for stored records and messages. */
export const satsSchema = z.int().check(z.minimum(0), z.maximum(MAX_SATS));

/** msat → sat, rounded up (see the rule above). */
export function msatToSat(msat: bigint): number {
  if (msat < 0n) throw err('INVALID_AMOUNT', 'negative msat', msat.toString());
  return Number((msat + 999n) / 1000n);
}
