/**
 * Every error code the wallet uses, and what each one tells a web page.
 *
 * A page learns a failure through `toPageError` (webln/error-names.ts): a page
 * code, the WebLN error class its promise rejects with, and a fixed English
 * message, all from `PAGE_ERRORS`. Several wallet codes share one page code on
 * purpose, so a page can't tell them apart:
 *
 * | page code        | wallet codes                                   | what stays hidden                      |
 * | ---------------- | ---------------------------------------------- | -------------------------------------- |
 * | BUDGET_EXCEEDED  | BUDGET_EXCEEDED, DAILY_CAP_EXCEEDED,           | which limit: the daily cap is shared,  |
 * |                  | APPROVAL_REQUIRED, *_ABOVE_CEILING,            | so it tells what other sites spent;    |
 * |                  | VALUATION_MISSING                              | that budgets are in dollars            |
 * | NODE_UNAVAILABLE | NODE_* but NODE_BAD_INPUT, LNDCONNECT_INVALID  | the node's own words, its setup        |
 * | LNURL_FAILED     | LNURL_* of the wire (unreachable, slow, bad    | reachable or not, answer excerpts: a   |
 * |                  | answer, refusal, redirect, private address…)   | page must not probe hosts through us   |
 * | INTERNAL         | vault, keys, ledger, policy internals          | everything                             |
 *
 * Only codes marked `detail` send their own message along, because it speaks
 * of nothing but the page's own request (its params, its invoice).
 *
 * The person reads `error_<CODE>` from the locale catalogs (extension/ui/error-text.ts
 * refuses to compile when one is missing).
 */
import type { WeblnErrorName } from './webln/page-channel.ts';

/** What a page may be told: the class it can switch on and a message that gives nothing away. */
export const PAGE_ERRORS = {
  REJECTED: { name: 'RejectionError', message: 'satnav: the request was declined' },
  FORBIDDEN: { name: 'RejectionError', message: 'satnav: this sender may not use WebLN' },
  SITE_NOT_ENABLED: { name: 'RejectionError', message: 'satnav: call webln.enable() first' },
  SITE_PAUSED: { name: 'RejectionError', message: 'satnav: payments from this site are paused' },
  METHOD_NOT_GRANTED: { name: 'RejectionError', message: 'satnav: this site may not use this method' },
  DEPOSITS_NOT_ALLOWED: { name: 'RejectionError', message: 'satnav: deposits are not allowed for this site' },
  BUDGET_EXCEEDED: { name: 'RejectionError', message: 'satnav: refused by the spending limits set in the wallet' },
  RATE_LIMITED: { name: 'RejectionError', message: 'satnav: too many requests from this site; try again in a minute' },
  APPROVAL_PENDING: { name: 'RejectionError', message: 'satnav: another request is waiting for an answer' },
  VAULT_LOCKED: { name: 'RejectionError', message: 'satnav: the wallet is locked' },
  BAD_REQUEST: { name: 'InvalidDataError', message: 'satnav: invalid request' },
  INVOICE_INVALID: { name: 'InvalidDataError', message: 'satnav: invalid invoice' },
  INVOICE_EXPIRED: { name: 'InvalidDataError', message: 'satnav: the invoice has expired' },
  INVOICE_NO_AMOUNT: { name: 'InvalidDataError', message: 'satnav: the invoice has no amount' },
  INVOICE_WRONG_NETWORK: { name: 'InvalidDataError', message: 'satnav: the invoice is for another network' },
  INVOICE_AMOUNT_MISMATCH: { name: 'InvalidDataError', message: 'satnav: the invoice is not for the amount agreed' },
  INVOICE_UNKNOWN: { name: 'InvalidDataError', message: 'satnav: no invoice made for this site has that hash' },
  DUPLICATE_PAYMENT: { name: 'InvalidDataError', message: 'satnav: this invoice is already paid or being paid' },
  SIGNATURE_INVALID: { name: 'InvalidDataError', message: 'satnav: the signature does not verify' },
  LNURL_INVALID: { name: 'InvalidDataError', message: 'satnav: not a valid LNURL' },
  L402_INVALID: { name: 'InvalidDataError', message: 'satnav: invalid L402 challenge' },
  UNSUPPORTED_METHOD: { name: 'UnsupportedMethodError', message: 'satnav: method not supported' },
  LNURL_UNSUPPORTED: { name: 'UnsupportedMethodError', message: 'satnav: this kind of LNURL is not supported' },
  PAYMENT_FAILED: { name: 'RoutingError', message: 'satnav: the payment failed' },
  // Not a failure: the page must not pay again, the payment may still complete.
  PAYMENT_PENDING: { name: 'RoutingError', message: 'satnav: the payment is still in flight and may yet succeed' },
  NODE_UNAVAILABLE: { name: 'ConnectionError', message: 'satnav: the wallet’s node is unavailable' },
  LNURL_FAILED: { name: 'ConnectionError', message: 'satnav: the LNURL service failed' },
  // Made by the bridge itself when the worker is gone (extension/content/bridge.iife.ts).
  EXTENSION_UNAVAILABLE: { name: 'ConnectionError', message: 'Satnav is not reachable; reload the page' },
  INTERNAL: { name: 'InternalError', message: 'satnav: internal error' },
} as const satisfies Record<string, { name: WeblnErrorName; message: string }>;
export type PageCode = keyof typeof PAGE_ERRORS;

type CodeInfo = {
  /** The page code it reaches a page as. */
  page: PageCode;
  /** Its own message may reach the page: it speaks only of the page's own request. */
  detail?: true;
};

/** Every wallet error code. A code missing here is a compile error wherever it is thrown. */
export const ERROR_CODES = {
  // Vault: password, recovery phrase, the stored record. Only Satnav's pages see these.
  WRONG_PASSWORD: { page: 'INTERNAL' },
  UNLOCK_THROTTLED: { page: 'INTERNAL' },
  PASSWORD_TOO_SHORT: { page: 'INTERNAL' },
  MNEMONIC_WORD_COUNT: { page: 'INTERNAL' },
  MNEMONIC_UNKNOWN_WORD: { page: 'INTERNAL' },
  MNEMONIC_CHECKSUM: { page: 'INTERNAL' },
  VAULT_LOCKED: { page: 'VAULT_LOCKED' },
  VAULT_EXISTS: { page: 'INTERNAL' },
  VAULT_NOT_INITIALIZED: { page: 'INTERNAL' },
  VAULT_TAMPERED: { page: 'INTERNAL' },
  VAULT_CORRUPT: { page: 'INTERNAL' },
  PAYLOAD_NOT_JSON: { page: 'INTERNAL' },
  KDF_TOO_WEAK: { page: 'INTERNAL' },
  KDF_PARAMS_INVALID: { page: 'INTERNAL' },
  AUTO_LOCK_INVALID: { page: 'INTERNAL' },
  // Keys and signatures: checks on the wallet's own values.
  SEED_INVALID: { page: 'INTERNAL' },
  KEY_NOT_ROOT: { page: 'INTERNAL' },
  KEY_NOT_PRIVATE: { page: 'INTERNAL' },
  K1_INVALID: { page: 'INTERNAL' },
  LNURL_AUTH_DOMAIN: { page: 'INTERNAL' },
  SIG_INVALID: { page: 'INTERNAL' },
  SIG_DER_INVALID: { page: 'INTERNAL' },
  ZBASE32_INVALID: { page: 'INTERNAL' },
  // The node: how it is reached and what it answers.
  NODE_NOT_CONNECTED: { page: 'NODE_UNAVAILABLE' },
  NODE_UNREACHABLE: { page: 'NODE_UNAVAILABLE' },
  NODE_TIMEOUT: { page: 'NODE_UNAVAILABLE' },
  NODE_TLS_UNTRUSTED: { page: 'NODE_UNAVAILABLE' },
  NODE_REDIRECT: { page: 'NODE_UNAVAILABLE' },
  NODE_AUTH: { page: 'NODE_UNAVAILABLE' },
  NODE_LOCKED: { page: 'NODE_UNAVAILABLE' },
  NODE_WRONG_NETWORK: { page: 'NODE_UNAVAILABLE' },
  NODE_RPC: { page: 'NODE_UNAVAILABLE' },
  NODE_BAD_RESPONSE: { page: 'NODE_UNAVAILABLE' },
  NODE_PAYMENT_NOT_FOUND: { page: 'NODE_UNAVAILABLE' },
  NODE_CONFIG_INVALID: { page: 'NODE_UNAVAILABLE' },
  // tapd did not say which lnd it runs on: its assets can't be tied to this node.
  NODE_TAPD_UNVERIFIED: { page: 'NODE_UNAVAILABLE' },
  NODE_INSECURE_URL: { page: 'NODE_UNAVAILABLE' },
  LNDCONNECT_INVALID: { page: 'NODE_UNAVAILABLE' },
  // Refused before anything reached the node: the request's values were not sendable.
  NODE_BAD_INPUT: { page: 'BAD_REQUEST' },
  // Per-site permissions and spending limits.
  SITE_NOT_ENABLED: { page: 'SITE_NOT_ENABLED' },
  SITE_PAUSED: { page: 'SITE_PAUSED' },
  METHOD_NOT_GRANTED: { page: 'METHOD_NOT_GRANTED' },
  DEPOSITS_NOT_ALLOWED: { page: 'DEPOSITS_NOT_ALLOWED' },
  BUDGET_EXCEEDED: { page: 'BUDGET_EXCEEDED' },
  DAILY_CAP_EXCEEDED: { page: 'BUDGET_EXCEEDED' },
  APPROVAL_REQUIRED: { page: 'BUDGET_EXCEEDED' },
  // A dollar budget applies and the payment could not be valued in dollars (no tapd, no USD asset, no quote).
  VALUATION_MISSING: { page: 'BUDGET_EXCEEDED' },
  RATE_LIMITED: { page: 'RATE_LIMITED' },
  INVALID_PATCH: { page: 'INTERNAL' },
  INVALID_ORIGIN: { page: 'INTERNAL' },
  INVALID_HOST: { page: 'INTERNAL' },
  INVALID_REQUEST: { page: 'INTERNAL' },
  INVALID_AMOUNT: { page: 'INTERNAL' },
  INVALID_CLOCK: { page: 'INTERNAL' },
  RESERVATION_UNKNOWN: { page: 'INTERNAL' },
  // The payment ledger.
  DUPLICATE_PAYMENT: { page: 'DUPLICATE_PAYMENT' },
  INVALID_ENTRY: { page: 'INTERNAL' },
  INVALID_TRANSITION: { page: 'INTERNAL' },
  INVALID_TRACK_RESULT: { page: 'INTERNAL' },
  PREIMAGE_MISMATCH: { page: 'INTERNAL' },
  ENTRY_UNKNOWN: { page: 'INTERNAL' },
  LEDGER_SCHEMA_UNSUPPORTED: { page: 'INTERNAL' },
  // WebLN requests, approvals and payments.
  BAD_REQUEST: { page: 'BAD_REQUEST', detail: true },
  FORBIDDEN: { page: 'FORBIDDEN' },
  UNSUPPORTED_METHOD: { page: 'UNSUPPORTED_METHOD' },
  REJECTED: { page: 'REJECTED' },
  APPROVAL_PENDING: { page: 'APPROVAL_PENDING' },
  APPROVAL_UNKNOWN: { page: 'INTERNAL' },
  INVOICE_INVALID: { page: 'INVOICE_INVALID', detail: true },
  INVOICE_EXPIRED: { page: 'INVOICE_EXPIRED', detail: true },
  INVOICE_NO_AMOUNT: { page: 'INVOICE_NO_AMOUNT' },
  INVOICE_AMOUNT_MISMATCH: { page: 'INVOICE_AMOUNT_MISMATCH' },
  INVOICE_ABOVE_CEILING: { page: 'BUDGET_EXCEEDED' },
  // The node's network is the wallet's to tell, not the page's to learn from a refusal.
  INVOICE_WRONG_NETWORK: { page: 'INVOICE_WRONG_NETWORK' },
  INVOICE_UNKNOWN: { page: 'INVOICE_UNKNOWN' },
  SIGNATURE_INVALID: { page: 'SIGNATURE_INVALID' },
  // The node's failure reason is its own words.
  PAYMENT_FAILED: { page: 'PAYMENT_FAILED' },
  PAYMENT_PENDING: { page: 'PAYMENT_PENDING' },
  // Pasted text or a link's target (payments/payment-code.ts) that is not a Lightning payment code.
  PAYMENT_CODE_UNKNOWN: { page: 'BAD_REQUEST' },
  PAYMENT_CODE_ONCHAIN: { page: 'BAD_REQUEST' },
  PAYMENT_CODE_OFFER: { page: 'BAD_REQUEST' },
  // LNURL: what the page handed over, then everything that happened on the wire.
  LNURL_INVALID: { page: 'LNURL_INVALID' },
  LNURL_UNSUPPORTED: { page: 'LNURL_UNSUPPORTED' },
  LNURL_BAD_INPUT: { page: 'LNURL_FAILED' },
  LNURL_UNREACHABLE: { page: 'LNURL_FAILED' },
  LNURL_TIMEOUT: { page: 'LNURL_FAILED' },
  LNURL_BAD_RESPONSE: { page: 'LNURL_FAILED' },
  LNURL_SERVICE_ERROR: { page: 'LNURL_FAILED' },
  LNURL_PRIVATE_ADDRESS: { page: 'LNURL_FAILED' },
  LNURL_REDIRECT: { page: 'LNURL_FAILED' },
  LNURL_CALLBACK_HOST: { page: 'LNURL_FAILED' },
  LNURL_METADATA_MISMATCH: { page: 'LNURL_FAILED' },
  // Deposit walls (held hold-invoice deposits): a page learns only that the 402 was not usable.
  DEPOSIT_CHALLENGE_INVALID: { page: 'L402_INVALID' },
  DEPOSIT_CREDENTIAL_INVALID: { page: 'L402_INVALID' },
  DEPOSIT_REFUSED: { page: 'L402_INVALID' },
  DEPOSIT_UNREACHABLE: { page: 'L402_INVALID' },
  DEPOSIT_TAKEN: { page: 'L402_INVALID' },
  // Custodial deposit sessions (Payment intent="session"): likewise only "not usable" for a page.
  SESSION_CREDENTIAL_INVALID: { page: 'L402_INVALID' },
  SESSION_RECEIPT_INVALID: { page: 'L402_INVALID' },
  SESSION_REFUSED: { page: 'L402_INVALID' },
  SESSION_UNKNOWN: { page: 'L402_INVALID' },
  SESSION_UNREACHABLE: { page: 'L402_INVALID' },
  // L402 (HTTP 402 challenges): the invoice problems a page already knows by name, the rest as one.
  L402_CHALLENGE_INVALID: { page: 'L402_INVALID' },
  L402_MACAROON_INVALID: { page: 'L402_INVALID' },
  L402_HASH_MISMATCH: { page: 'L402_INVALID' },
  L402_INVOICE_EXPIRED: { page: 'INVOICE_EXPIRED' },
  L402_WRONG_NETWORK: { page: 'INVOICE_WRONG_NETWORK' },
  L402_NO_AMOUNT: { page: 'INVOICE_NO_AMOUNT' },
  L402_ABOVE_CEILING: { page: 'BUDGET_EXCEEDED' },
  // Paywalls (402): the wallet declines to pay; the access it keeps is its own business.
  PAYWALL_OFF: { page: 'REJECTED' },
  PAYWALL_REFUSED: { page: 'REJECTED' },
  CREDENTIAL_UNKNOWN: { page: 'INTERNAL' },
  // The dollar rail (a Taproot Asset paid through tapd at an RFQ quote): a page learns only that it failed.
  ASSET_UNAVAILABLE: { page: 'PAYMENT_FAILED' },
  ASSET_BALANCE_LOW: { page: 'PAYMENT_FAILED' },
  ASSET_QUOTE_REFUSED: { page: 'PAYMENT_FAILED' },
  ASSET_QUOTE_MOVED: { page: 'PAYMENT_FAILED' },
  ASSET_KEYSEND_UNSUPPORTED: { page: 'PAYMENT_FAILED' },
  // Transport between the pages, the bridge and the worker.
  EXTENSION_UNAVAILABLE: { page: 'EXTENSION_UNAVAILABLE' },
  NO_REPLY: { page: 'INTERNAL' },
  INTERNAL: { page: 'INTERNAL' },
} as const satisfies Record<string, CodeInfo>;
export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}
