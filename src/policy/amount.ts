import { z } from '../base/zod.ts';
import { satsSchema } from '../base/sats.ts';

/**
 * Budgets are set in sats or in dollars. Dollars are counted in micro-dollars
 * (10^-6 $), for budgets and for spend alike: one scale, fine enough that a
 * 1-sat payment (a tenth of a cent at 100,000 $/BTC) is not rounded up to a
 * whole cent each time, and the raw unit of a 6-decimal USD asset (USDT on
 * Taproot Assets), so such an asset's amounts compare without conversion.
 *
 * Conversions round against the person: a payment's worth rounds up, what is
 * left of a budget rounds down.
 */
export type Amount = { sat: number } | { microUsd: number };
export type Unit = 'sat' | 'usd';

/** A billion dollars: no budget is near it, and sums of it stay below 2^53. */
export const MAX_MICRO_USD = 1_000_000_000 * 1_000_000;
export const MICRO_USD_DECIMALS = 6;
export const microUsdSchema = z.int().check(z.minimum(0), z.maximum(MAX_MICRO_USD));
export const amountSchema = z.union([z.strictObject({ sat: satsSchema }), z.strictObject({ microUsd: microUsdSchema })]);

export const unitOf = (a: Amount): Unit => ('sat' in a ? 'sat' : 'usd');
/** The number in the amount's own unit (sat, or micro-dollars). */
export const valueOf = (a: Amount): number => ('sat' in a ? a.sat : a.microUsd);
export const amountIn = (unit: Unit, value: number): Amount => (unit === 'sat' ? { sat: value } : { microUsd: value });

/** An RFQ rate: asset units per BTC = coefficient / 10^scale, for an asset with `decimalDisplay` decimals. */
export interface UsdRate {
  coefficient: bigint;
  scale: number;
  decimalDisplay: number;
}

const SAT_DECIMALS = 8;
const pow10 = (n: number): bigint => 10n ** BigInt(n);
const divUp = (num: bigint, den: bigint): bigint => (num + den - 1n) / den;
/** Past 2^53 a count is beyond every budget anyway; clamping keeps it a safe number and still over. */
const toSafe = (n: bigint): number => (n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n));

/** Micro-dollars `sat` are worth at `rate`, rounded up. */
export function satToMicroUsd(sat: number, rate: UsdRate): number {
  // µUSD = sat · coefficient · 10^6 / (10^scale · 10^8 · 10^decimalDisplay)
  const num = BigInt(sat) * rate.coefficient * pow10(MICRO_USD_DECIMALS);
  return toSafe(divUp(num, pow10(rate.scale + SAT_DECIMALS + rate.decimalDisplay)));
}

/** Whole sats `microUsd` buy at `rate`, rounded down. */
export function microUsdToSat(microUsd: number, rate: UsdRate): number {
  const num = BigInt(microUsd) * pow10(rate.scale + SAT_DECIMALS + rate.decimalDisplay);
  return toSafe(num / (rate.coefficient * pow10(MICRO_USD_DECIMALS)));
}

/** Raw units of an asset with `decimalDisplay` decimals in micro-dollars, rounded up. */
export function unitsToMicroUsd(units: bigint, decimalDisplay: number): number {
  if (decimalDisplay <= MICRO_USD_DECIMALS) return toSafe(units * pow10(MICRO_USD_DECIMALS - decimalDisplay));
  return toSafe(divUp(units, pow10(decimalDisplay - MICRO_USD_DECIMALS)));
}
