/**
 * The onboarding and connect forms' own rules, kept out of the components so they
 * can be tested: password checks, which seed words to ask back, what a node
 * connection form amounts to, and the spending-limit fields.
 */
import type { NodeConnectRequest } from '../../src/messages/ui-api.ts';
import { isSats } from '../../src/base/sats.ts';
import { MAX_MICRO_USD, MICRO_USD_DECIMALS, type Amount, type Unit } from '../../src/policy/amount.ts';
import { CLTV_RANGE, HOLD_SECONDS_RANGE, type GlobalPolicy } from '../../src/policy/config.ts';
import { formError, type ErrorLike } from './error-text.ts';
import { shiftDecimal } from './format.ts';

/** Same minimum the worker enforces (PASSWORD_TOO_SHORT); checked here for instant feedback. */
export const MIN_PASSWORD_LENGTH = 8;
/** Seed words asked back before the wallet is created. */
export const CONFIRM_WORD_COUNT = 3;

export function checkNewPassword(password: string, confirmation: string): ErrorLike | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) {
    // The worker's own code, so the message is the same whichever side catches it.
    return { code: 'PASSWORD_TOO_SHORT', message: 'ui: PASSWORD_TOO_SHORT' };
  }
  if (password !== confirmation) return formError('PASSWORD_MISMATCH');
  return undefined;
}

export type Strength = 'weak' | 'fair' | 'strong';

/** A rough hint, not a guarantee: length counts most, then the variety of characters. */
export function passwordStrength(password: string): Strength {
  if (password.length < MIN_PASSWORD_LENGTH) return 'weak';
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  const score = classes + (password.length >= 12 ? 1 : 0) + (password.length >= 16 ? 1 : 0);
  return score >= 4 ? 'strong' : score >= 2 ? 'fair' : 'weak';
}

/** A uniform integer in [0, n) from the platform's CSPRNG. */
export function secureRandomInt(n: number): number {
  // Rejection sampling: the modulo alone would favour low values slightly.
  const limit = Math.floor(0x1_0000_0000 / n) * n;
  const buf = new Uint32Array(1);
  for (;;) {
    globalThis.crypto.getRandomValues(buf);
    if (buf[0]! < limit) return buf[0]! % n;
  }
}

/** `count` distinct 1-based positions out of `total`, ascending. */
export function pickPositions(total: number, count: number, randomInt: (n: number) => number = secureRandomInt): number[] {
  if (!Number.isSafeInteger(count) || count < 0 || count > total) throw new Error(`forms: invalid count=${count}`);
  const picked = new Set<number>();
  while (picked.size < count) picked.add(randomInt(total) + 1);
  return [...picked].sort((a, b) => a - b);
}

/** People type the word back; case and surrounding spaces do not matter. */
export function wordMatches(expected: string, typed: string): boolean {
  return typed.normalize('NFKD').trim().toLowerCase() === expected;
}

export type ConnectTab = 'lndconnect' | 'manual';
export interface ManualFields {
  restUrl: string;
  macaroon: string;
  tapdUrl: string;
  tapdMacaroon: string;
}

/** The request a filled-in form amounts to, or undefined when a required field is empty. */
export function connectionFrom(tab: ConnectTab, lndconnect: string, manual: ManualFields): NodeConnectRequest | undefined {
  if (tab === 'lndconnect') {
    const link = lndconnect.trim();
    return link ? { lndconnect: link } : undefined;
  }
  const [restUrl, macaroon, tapdUrl, tapdMacaroon] = [manual.restUrl, manual.macaroon, manual.tapdUrl, manual.tapdMacaroon].map((s) => s.trim());
  if (!restUrl || !macaroon) return undefined;
  return { restUrl, macaroon, ...(tapdUrl ? { tapdUrl } : {}), ...(tapdMacaroon ? { tapdMacaroon } : {}) };
}

/**
 * The https address a person opens to accept a node's self-signed certificate.
 * lndconnect://host:port carries the REST host and port.
 */
export function nodeOrigin(connection: NodeConnectRequest): string | undefined {
  try {
    if (connection.lndconnect) {
      const url = new URL(connection.lndconnect);
      return url.protocol === 'lndconnect:' && url.host ? `https://${url.host}` : undefined;
    }
    if (connection.restUrl) {
      const url = new URL(connection.restUrl);
      return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : undefined;
    }
  } catch {
    // Malformed input: the worker names the problem (LNDCONNECT_INVALID), there is just no address to offer.
  }
  return undefined;
}

/** A whole, non-negative number as typed ("288", " 288 "); anything else (1.5, -1, 1e3, "") is undefined. */
export function parseWhole(text: string): number | undefined {
  const digits = text.trim();
  if (!/^\d+$/.test(digits)) return undefined;
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Whole, non-negative sat within the bitcoin supply, as typed ("1000", " 1000 "); anything else is undefined. */
export function parseSats(text: string): number | undefined {
  const n = parseWhole(text);
  return isSats(n) ? n : undefined;
}

/** Dollars as typed ("20", "0.10", "0,5", "$ 1.25") in micro-dollars, to the micro-dollar; anything else is undefined. */
export function parseDollars(text: string): number | undefined {
  const match = /^\$?\s*(\d{1,10})(?:[.,](\d{1,6}))?$/.exec(text.trim());
  if (!match) return undefined;
  const micro = Number(match[1]) * 10 ** MICRO_USD_DECIMALS + Number((match[2] ?? '').padEnd(MICRO_USD_DECIMALS, '0'));
  return micro <= MAX_MICRO_USD ? micro : undefined;
}

/** A budget as the form shows it: the typed number and its unit; dollars with at least their cents ("20.00", "0.0125"). */
export interface AmountDraft {
  text: string;
  unit: Unit;
}

export function amountDraftOf(amount: Amount): AmountDraft {
  if ('sat' in amount) return { text: String(amount.sat), unit: 'sat' };
  const exact = shiftDecimal(String(amount.microUsd), MICRO_USD_DECIMALS).replace(/0+$/, '');
  const [whole, cents = ''] = exact.split('.');
  return { text: `${whole}.${cents.padEnd(2, '0')}`, unit: 'usd' };
}

/** The amount a budget field holds, or undefined when the typed text is not one in its unit. */
export function amountFrom(draft: AmountDraft): Amount | undefined {
  if (draft.unit === 'sat') {
    const sat = parseSats(draft.text);
    return sat === undefined ? undefined : { sat };
  }
  const microUsd = parseDollars(draft.text);
  return microUsd === undefined ? undefined : { microUsd };
}

export type RangedAmount = { ok: true; amountSat: number } | { ok: false; problem: 'not_whole' | 'below_min' | 'above_max' };

/** A typed amount a service accepts only within `minSat`..`maxSat` (both included), as LNURL states it. */
export function checkRangedAmount(text: string, minSat: number, maxSat: number): RangedAmount {
  const amountSat = parseSats(text);
  if (amountSat === undefined) return { ok: false, problem: 'not_whole' };
  if (amountSat < minSat) return { ok: false, problem: 'below_min' };
  if (amountSat > maxSat) return { ok: false, problem: 'above_max' };
  return { ok: true, amountSat };
}

/** Fees are stored in parts per million; 1 ppm = 0.0001 %, so four decimals are exact. */
const PPM_PER_PERCENT_DIGITS = 4;
const MAX_PPM = 1_000_000;

/** A typed percentage as ppm without float rounding: "1" → 10000, "0,5" → 5000; over 100 % or past 4 decimals is undefined. */
export function percentToPpm(text: string): number | undefined {
  const match = /^(\d{1,3})(?:[.,](\d{1,4}))?$/.exec(text.trim());
  if (!match) return undefined;
  const ppm = Number(match[1]) * 10 ** PPM_PER_PERCENT_DIGITS + Number((match[2] ?? '').padEnd(PPM_PER_PERCENT_DIGITS, '0'));
  return ppm <= MAX_PPM ? ppm : undefined;
}

/** ppm as the percentage a person types: 10000 → "1", 5000 → "0.5", 1 → "0.0001". */
export function ppmToPercent(ppm: number): string {
  const exact = shiftDecimal(String(ppm), PPM_PER_PERCENT_DIGITS);
  return exact.replace(/\.?0+$/, '');
}

const HOUR_SECONDS = 3_600;
/** Hours to 4 decimals (as the pattern below): 0.0167 h is the one-minute minimum, to the second. */
const HOUR_DECIMALS = 4;

/** Hours as typed ("24", "1.5", "0,25") in whole seconds; anything else is undefined. */
export function parseHours(text: string): number | undefined {
  const match = /^(\d{1,6})(?:[.,](\d{1,4}))?$/.exec(text.trim());
  if (!match) return undefined;
  return Math.round(Number(`${match[1]}.${match[2] ?? '0'}`) * HOUR_SECONDS);
}

/** Seconds as the hours a person types: 86400 → "24", 5400 → "1.5", 60 → "0.0167". */
export function secondsToHours(seconds: number): string {
  return String(Number((seconds / HOUR_SECONDS).toFixed(HOUR_DECIMALS)));
}

/** Blocks come about every 10 minutes: a time-lock in blocks is this many seconds each. */
export const BLOCK_SECONDS = 600;

type DepositLimits = GlobalPolicy['deposits'];
/** What the worker accepts, for the form's own check and its message. */
export { CLTV_RANGE, HOLD_SECONDS_RANGE };

/** The deposit limits' fields as the form shows them (the auto-hold switch applies at once, outside the form). */
export type DepositDraft = {
  maxDeposit: string;
  maxForfeit: string;
  maxLocked: string;
  holdHours: string;
  cltv: string;
};

export function depositDraftOf(limits: DepositLimits): DepositDraft {
  return { maxDeposit: String(limits.maxDepositSat), maxForfeit: String(limits.maxForfeitPerDaySat), maxLocked: String(limits.maxLockedSat), holdHours: secondsToHours(limits.maxHoldSeconds), cltv: String(limits.maxCltv) };
}

/** The limits a filled-in deposit form amounts to, or the first field that is wrong. */
export function depositLimitsFrom(draft: DepositDraft, autoHold: boolean): { ok: true; limits: DepositLimits } | { ok: false; field: keyof DepositDraft } {
  const maxDepositSat = parseSats(draft.maxDeposit);
  if (maxDepositSat === undefined) return { ok: false, field: 'maxDeposit' };
  const maxForfeitPerDaySat = parseSats(draft.maxForfeit);
  if (maxForfeitPerDaySat === undefined) return { ok: false, field: 'maxForfeit' };
  const maxLockedSat = parseSats(draft.maxLocked);
  if (maxLockedSat === undefined) return { ok: false, field: 'maxLocked' };
  const maxHoldSeconds = parseHours(draft.holdHours);
  if (!within(maxHoldSeconds, HOLD_SECONDS_RANGE)) return { ok: false, field: 'holdHours' };
  const maxCltv = parseWhole(draft.cltv);
  if (!within(maxCltv, CLTV_RANGE)) return { ok: false, field: 'cltv' };
  return { ok: true, limits: { autoHold, maxDepositSat, maxForfeitPerDaySat, maxLockedSat, maxHoldSeconds, maxCltv } };
}

function within(n: number | undefined, range: { min: number; max: number }): n is number {
  return n !== undefined && n >= range.min && n <= range.max;
}
