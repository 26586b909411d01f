/**
 * Errors as people read them. Worker errors (UiCallError), core errors raised in the
 * page (SatnavError from parseMnemonic) and the forms' own checks all carry a stable
 * `code`; each known code has an `error_<CODE>` message, filled from `details`.
 */
import { ERROR_CODES, type ErrorCode } from '../../src/error-codes.ts';
import type { MessageKey, Translate } from './i18n.ts';

type Details = Record<string, string | number | boolean>;
export interface ErrorLike {
  code: string;
  message: string;
  details?: Details;
}

/** Codes the worker and the wallet core send to Satnav's pages: every code in the table. */
export const WORKER_ERROR_CODES = Object.keys(ERROR_CODES) as readonly ErrorCode[];

/** Checks the forms make before asking the worker. */
export const FORM_ERROR_CODES = ['PASSWORD_MISMATCH', 'SEED_WORD_MISMATCH', 'CONNECTION_MISSING', 'AMOUNT_INVALID', 'FEE_PERCENT_INVALID', 'SLIPPAGE_INVALID', 'HOURS_INVALID', 'BLOCKS_INVALID'] as const;
export type FormErrorCode = (typeof FORM_ERROR_CODES)[number];

const KNOWN = new Set<string>([...WORKER_ERROR_CODES, ...FORM_ERROR_CODES]);

/** A code without an `error_<CODE>` message in the English catalog does not compile. */
function messageKey(code: ErrorCode | FormErrorCode): MessageKey {
  return `error_${code}` as const;
}

export function formError(code: FormErrorCode, details?: Details): ErrorLike {
  return { code, message: `ui: ${code}`, ...(details ? { details } : {}) };
}

export function isErrorLike(e: unknown): e is ErrorLike {
  return typeof e === 'object' && e !== null && typeof (e as ErrorLike).code === 'string' && typeof (e as ErrorLike).message === 'string';
}

export function errorCode(e: unknown): string | undefined {
  return isErrorLike(e) ? e.code : undefined;
}

export function errorText(e: unknown, t: Translate): string {
  if (!isErrorLike(e) || !KNOWN.has(e.code)) {
    return t('error_unknown', { message: isErrorLike(e) || e instanceof Error ? e.message : String(e) });
  }
  const details = e.details ?? {};
  const text = t(messageKey(e.code as ErrorCode | FormErrorCode), { ...stringify(details), ...derived(e.code, details) });
  const suggestion = details.suggestion;
  return e.code === 'MNEMONIC_UNKNOWN_WORD' && typeof suggestion === 'string' ? `${text} ${t('error_didYouMean', { suggestion })}` : text;
}

/** Values the messages need in another unit than the details carry. */
function derived(code: string, details: Details): Record<string, string> {
  if (code === 'UNLOCK_THROTTLED') return { seconds: String(Math.max(1, Math.ceil(Number(details.retryAfterMs ?? 0) / 1000))) };
  return {};
}

function stringify(details: Details): Record<string, string> {
  return Object.fromEntries(Object.entries(details).map(([k, v]) => [k, String(v)]));
}
