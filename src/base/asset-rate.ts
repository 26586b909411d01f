import { moduleErrors } from '../errors.ts';

/**
 * RFQ rates: asset units per BTC as tapd's FixedPoint, value = coefficient / 10^scale.
 *
 *   units = msat × coefficient / (10^11 × 10^scale)      msat = units × 10^11 × 10^scale / coefficient
 *
 * All in bigint. Rounding is always against the payer: what the wallet may spend (units for an
 * amount, a worst case) rounds up, so a budget or a balance check can never come out a fraction
 * short.
 */
const err = moduleErrors('rate');

export interface AssetRate {
  coefficient: bigint;
  scale: number;
}

export const MSAT_PER_BTC = 100_000_000_000n;
/** tapd's scales stay small; a huge one is a broken or hostile answer, not a price. */
const MAX_SCALE = 30;

export function assertRate(rate: AssetRate, what: string): AssetRate {
  if (typeof rate.coefficient !== 'bigint' || rate.coefficient <= 0n) throw err('NODE_BAD_RESPONSE', `${what} coefficient must be positive`, String(rate.coefficient));
  if (!Number.isSafeInteger(rate.scale) || rate.scale < 0 || rate.scale > MAX_SCALE) throw err('NODE_BAD_RESPONSE', `${what} scale out of range`, rate.scale);
  return rate;
}

const pow10 = (n: number): bigint => 10n ** BigInt(n);
const divUp = (num: bigint, den: bigint): bigint => (num + den - 1n) / den;

/** Asset units that buy `msat`, rounded up (what the payer gives). */
export function unitsForMsat(msat: bigint, rate: AssetRate): bigint {
  if (msat < 0n) throw err('INVALID_AMOUNT', 'negative msat', msat.toString());
  return divUp(msat * rate.coefficient, MSAT_PER_BTC * pow10(rate.scale));
}

/** Msat that `units` are worth, rounded down (what the payer gets for them). */
export function msatForUnits(units: bigint, rate: AssetRate): bigint {
  if (units < 0n) throw err('INVALID_AMOUNT', 'negative units', units.toString());
  return (units * MSAT_PER_BTC * pow10(rate.scale)) / rate.coefficient;
}

/** The most a payment of `amountSat` with a routing-fee limit of `maxFeeSat` can cost in units. */
export function worstCaseUnits(amountSat: number, maxFeeSat: number, rate: AssetRate): bigint {
  return unitsForMsat(BigInt(amountSat + maxFeeSat) * 1000n, rate);
}

/**
 * How much more a unit of BTC costs at `fresh` than at `approved`, in parts per million,
 * rounded up (0 when `fresh` is as good or better).
 */
export function rateIncreasePpm(approved: AssetRate, fresh: AssetRate): bigint {
  // Compare a/10^sa with f/10^sf on one scale: a' = a·10^(s−sa), f' = f·10^(s−sf).
  const s = Math.max(approved.scale, fresh.scale);
  const a = approved.coefficient * pow10(s - approved.scale);
  const f = fresh.coefficient * pow10(s - fresh.scale);
  if (f <= a) return 0n;
  return divUp((f - a) * 1_000_000n, a);
}

/** Raw units in the asset's display unit (e.g. micro-dollars → "12.345678"), exact. */
export function unitsToDecimal(units: bigint, decimalDisplay: number): string {
  const neg = units < 0n;
  const abs = neg ? -units : units;
  const base = pow10(decimalDisplay);
  const whole = abs / base;
  const frac = decimalDisplay > 0 ? `.${(abs % base).toString().padStart(decimalDisplay, '0')}` : '';
  return `${neg ? '-' : ''}${whole}${frac}`;
}
