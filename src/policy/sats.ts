import { moduleErrors } from '../errors.ts';

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
