/**
 * Errors as people read them. Worker errors (UiCallError), core errors raised in the
 * page (SatnavError from parseMnemonic) and the forms' own checks all carry a stable
 * `code`; each known code has an `error_<CODE>` message, filled from `details`.
 */
import type { MessageKey, Translate } from './i18n.ts';

type Details = Record<string, string | number | boolean>;
export interface ErrorLike {
  code: string;
  message: string;
  details?: Details;
}

/** Codes the worker and the wallet core send to pages. */
export const WORKER_ERROR_CODES = [
  'WRONG_PASSWORD',
  'VAULT_TAMPERED',
  'VAULT_CORRUPT',
  'VAULT_LOCKED',
  'VAULT_EXISTS',
  'UNLOCK_THROTTLED',
  'PASSWORD_TOO_SHORT',
  'MNEMONIC_WORD_COUNT',
  'MNEMONIC_UNKNOWN_WORD',
  'MNEMONIC_CHECKSUM',
  'NODE_UNREACHABLE',
  'NODE_TIMEOUT',
  'NODE_AUTH',
  'NODE_TLS_UNTRUSTED',
  'NODE_LOCKED',
  'NODE_WRONG_NETWORK',
  'NODE_BAD_RESPONSE',
  'NODE_RPC',
  'NODE_INSECURE_URL',
  'LNDCONNECT_INVALID',
  'NODE_NOT_CONNECTED',
  'BAD_REQUEST',
  'INTERNAL',
  'NO_REPLY',
  // Approvals, spending limits and payments.
  'APPROVAL_UNKNOWN',
  'APPROVAL_PENDING',
  'REJECTED',
  'SITE_NOT_ENABLED',
  'SITE_PAUSED',
  'BUDGET_EXCEEDED',
  'DAILY_CAP_EXCEEDED',
  'APPROVAL_REQUIRED',
  'METHOD_NOT_GRANTED',
  'INVALID_PATCH',
  'INVALID_ORIGIN',
  'FORBIDDEN',
  'PAYMENT_FAILED',
  'INVOICE_INVALID',
  'INVOICE_EXPIRED',
  'DUPLICATE_PAYMENT',
] as const;

/** Checks the forms make before asking the worker. */
export const FORM_ERROR_CODES = ['PASSWORD_MISMATCH', 'SEED_WORD_MISMATCH', 'CONNECTION_MISSING', 'AMOUNT_INVALID', 'FEE_PERCENT_INVALID'] as const;
export type FormErrorCode = (typeof FORM_ERROR_CODES)[number];

const KNOWN = new Set<string>([...WORKER_ERROR_CODES, ...FORM_ERROR_CODES]);

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
  const text = t(`error_${e.code}` as MessageKey, { ...stringify(details), ...derived(e.code, details) });
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
