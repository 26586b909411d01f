/**
 * Amounts, durations and times for people, per locale. Amounts go through exact
 * decimal strings (bigint math, then Intl's string input) so balances above 2^53
 * or with many decimals never round through a float.
 */
import { MICRO_USD_DECIMALS, type Amount } from '../../src/policy/amount.ts';
import { isUsdPegged } from '../../src/node/usd-asset.ts';

/** USD-pegged assets are shown as dollars. */
export { isUsdPegged };

const SATS_PER_BTC_DIGITS = 8;
/** Intl's fraction-digit limit in older engines (Node 20, Chrome 111); tapd allows at most 12. */
const MAX_DECIMALS = 20;

export interface AssetAmount {
  /** Raw asset units as a decimal string. */
  amount: string;
  decimalDisplay: number;
  ticker: string;
}

/** Integer with the locale's grouping: 1,234,567 / 1 234 567 / 1.234.567. */
export function formatInteger(value: number | bigint, locale: string, name = 'value'): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(toBigInt(value, name));
}

export function formatSats(sats: number | bigint, locale: string): string {
  return `${formatInteger(sats, locale, 'sats')} sat`;
}

/** A budget amount in its unit: "1,000 sat", or dollars from micro-dollars ("$20.00", "$0.0125"). */
export function formatAmount(amount: Amount, locale: string): string {
  if ('sat' in amount) return formatSats(amount.sat, locale);
  return formatAsset({ amount: toBigInt(amount.microUsd, 'microUsd').toString(), decimalDisplay: MICRO_USD_DECIMALS, ticker: 'USD' }, locale);
}

/** Sats as BTC, up to 8 decimals with trailing zeros dropped: 0.0015 BTC, 1 BTC. */
export function formatBtc(sats: number | bigint, locale: string): string {
  const btc = shiftDecimal(toBigInt(sats, 'sats').toString(), SATS_PER_BTC_DIGITS);
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: SATS_PER_BTC_DIGITS }).format(btc)} BTC`;
}

/**
 * An asset balance: dollars for USD-pegged tickers ("$12.34", "12,34 $"),
 * otherwise the number and its ticker ("1.5 XAU"). Never rounds: every decimal
 * the asset defines beyond the cents is shown when it is not zero.
 */
export function formatAsset(asset: AssetAmount, locale: string): string {
  const value = shiftDecimal(asset.amount, asset.decimalDisplay);
  if (isUsdPegged(asset.ticker)) {
    return new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: 'USD',
      currencyDisplay: 'narrowSymbol',
      minimumFractionDigits: Math.min(2, asset.decimalDisplay),
      maximumFractionDigits: asset.decimalDisplay,
    }).format(value);
  }
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: asset.decimalDisplay }).format(value)} ${asset.ticker}`;
}

/** A lock timeout in the locale's words: "5 minutes", "1 Stunde", "4 小時". */
export function formatMinutes(minutes: number, locale: string): string {
  const hours = minutes / 60;
  const [value, unit] = minutes >= 60 && Number.isInteger(hours) ? [hours, 'hour'] : [minutes, 'minute'];
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(value);
}

const DURATION_UNITS: readonly [seconds: number, unit: string][] = [
  [86_400, 'day'],
  [3_600, 'hour'],
  [60, 'minute'],
  [1, 'second'],
];

/** A span of time in the largest unit it fills, to a tenth: "45 minutes", "1.5 hours", "2 Tage", "30 天". */
export function formatDuration(seconds: number, locale: string): string {
  const [size, unit] = DURATION_UNITS.find(([s]) => seconds >= s) ?? DURATION_UNITS.at(-1)!;
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long', maximumFractionDigits: 1 }).format(seconds / size);
}

/** Clock time of a past moment, e.g. when balances were fetched. */
export function formatTime(epochMs: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { timeStyle: 'medium' }).format(epochMs);
}

/** Date and clock time, e.g. for a ledger entry's tooltip or an invoice's expiry. */
export function formatDateTime(epochMs: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(epochMs);
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * A moment relative to `nowMs` in the locale's words: "now", "5 minutes ago",
 * "in 2 hours"; beyond a day the date and time read better than "3 days ago".
 * `nowMs` is passed in so the same list renders the same way within one refresh.
 */
export function formatRelativeTime(epochMs: number, nowMs: number, locale: string): string {
  const diff = epochMs - nowMs;
  const abs = Math.abs(diff);
  if (abs >= DAY_MS) return formatDateTime(epochMs, locale);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  if (abs < MINUTE_MS) return rtf.format(0, 'second');
  if (abs < HOUR_MS) return rtf.format(Math.trunc(diff / MINUTE_MS), 'minute');
  return rtf.format(Math.trunc(diff / HOUR_MS), 'hour');
}

/** Time left as a clock: 9:05, 1:02:03; zero once passed. Rounded up so "0:00" means it is over. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** An amount with the way it moved: "−1,234 sat" paid out, "+1,234 sat" received (U+2212, not a hyphen). */
export function formatSignedSats(sats: number, direction: 'in' | 'out', locale: string): string {
  return `${direction === 'out' ? '\u2212' : '+'}${formatSats(sats, locale)}`;
}

/** Long identifiers (pubkeys, hashes) cut in the middle: 02abcdef…12345678. */
export function shortenMiddle(text: string, keep = 8): string {
  return text.length <= keep * 2 + 1 ? text : `${text.slice(0, keep)}…${text.slice(-keep)}`;
}

/** `part` as a percentage of `total`, clamped to 0–100; anything used of a zero budget is all of it. */
export function shareOf(part: number, total: number): number {
  if (part <= 0) return 0;
  if (total <= 0) return 100;
  return Math.min(100, (part / total) * 100);
}

/** `raw / 10^decimals` as an exact decimal string: ("123450", 2) → "1234.50". */
export function shiftDecimal(raw: string, decimals: number): `${number}` {
  if (!/^\d+$/.test(raw)) throw new Error(`format: invalid amount=${JSON.stringify(raw)}`);
  if (!Number.isSafeInteger(decimals) || decimals < 0 || decimals > MAX_DECIMALS) {
    throw new Error(`format: invalid decimals=${decimals}`);
  }
  if (decimals === 0) return raw as `${number}`;
  const padded = raw.padStart(decimals + 1, '0');
  return `${padded.slice(0, -decimals)}.${padded.slice(-decimals)}` as `${number}`;
}

function toBigInt(value: number | bigint, name: string): bigint {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new Error(`format: invalid ${name}=${value}`);
  const big = BigInt(value);
  if (big < 0n) throw new Error(`format: negative ${name}=${value}`);
  return big;
}
