import type { WeblnErrorName } from './page-channel.ts';

/**
 * Which WebLN error class (the `webln` package's names) a page sees for each
 * wallet error code. Pages switch on the class; the code rides along.
 */
const BY_CODE: Record<string, WeblnErrorName> = {
  REJECTED: 'RejectionError',
  FORBIDDEN: 'RejectionError',
  SITE_NOT_ENABLED: 'RejectionError',
  SITE_PAUSED: 'RejectionError',
  METHOD_NOT_GRANTED: 'RejectionError',
  BUDGET_EXCEEDED: 'RejectionError',
  DAILY_CAP_EXCEEDED: 'RejectionError',
  APPROVAL_REQUIRED: 'RejectionError',
  DEPOSITS_NOT_ALLOWED: 'RejectionError',
  APPROVAL_PENDING: 'RejectionError',
  VAULT_LOCKED: 'RejectionError',
  DUPLICATE_PAYMENT: 'InvalidDataError',
  BAD_REQUEST: 'InvalidDataError',
  INVOICE_INVALID: 'InvalidDataError',
  INVOICE_EXPIRED: 'InvalidDataError',
  INVOICE_NO_AMOUNT: 'InvalidDataError',
  INVOICE_WRONG_NETWORK: 'InvalidDataError',
  INVOICE_UNKNOWN: 'InvalidDataError',
  SIGNATURE_INVALID: 'InvalidDataError',
  UNSUPPORTED_METHOD: 'UnsupportedMethodError',
  LNURL_INVALID: 'InvalidDataError',
  LNURL_BAD_INPUT: 'InvalidDataError',
  LNURL_UNSUPPORTED: 'UnsupportedMethodError',
  PAYMENT_FAILED: 'RoutingError',
  NODE_NOT_CONNECTED: 'ConnectionError',
  NODE_UNREACHABLE: 'ConnectionError',
  NODE_TIMEOUT: 'ConnectionError',
  NODE_TLS_UNTRUSTED: 'ConnectionError',
  NODE_LOCKED: 'ConnectionError',
  NODE_AUTH: 'ConnectionError',
  EXTENSION_UNAVAILABLE: 'ConnectionError',
};

export function weblnErrorName(code: string): WeblnErrorName {
  return BY_CODE[code] ?? 'InternalError';
}
