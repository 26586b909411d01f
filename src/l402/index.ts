/**
 * HTTP 402 payments: L402 (and legacy LSAT), the Payment scheme (Aperture "MPP") and x402 on
 * Lightning. Pure: headers in, offers and retry headers out; no fetch, no browser APIs.
 *
 *   parseChallenges(headers) → offers → admit / admitBest(…, {now, network, ceilingSat})
 *     → pay `invoice` → authorize(preimage) → retry with that header.
 *
 * Server-side helpers (minting macaroons, Payment challenge ids, credential and receipt readers)
 * exist for the demo server and the tests; the macaroon minter lives in `macaroon-mint.ts` and is
 * deliberately not exported here.
 */
export { admit, admitBest, admitSession, type AdmitContext, type Admitted, type AdmittedSession } from './admit.ts';
export { formatAuthChallenge, parseAuthChallenges, quoteAuthParam, MAX_CHALLENGE_LENGTH, type AuthChallenge } from './authparams.ts';
export {
  parseChallenges,
  rankChallenges,
  retryHeader,
  selectChallenge,
  type Challenge,
  type ChallengeHeaders,
  type L402Challenge,
  type ParsedChallenges,
  type PaymentChallenge,
  type PaymentChargeChallenge,
  type PaymentSessionChallenge,
  type RetryHeader,
  type X402Challenge,
} from './challenge.ts';
export { canonicalize, canonicalizeJson } from './jcs.ts';
export {
  decodeL402Identifier,
  decodeMacaroon,
  decodeMacaroonBytes,
  readMacaroonV2,
  MAX_MACAROON_BYTES,
  type Caveat,
  type L402Identifier,
  type Macaroon,
  type RawCaveat,
  type RawMacaroon,
  type Service,
} from './macaroon.ts';
export {
  decodeChargeRequest,
  decodeNeedTopUp,
  decodePaymentCredential,
  decodePaymentReceipt,
  decodeSessionRequest,
  encodePaymentCredential,
  MAX_CREDENTIAL_CHARS,
  formatPaymentChallenge,
  parsePaymentChallenges,
  paymentChallengeId,
  paymentChargeAuthorization,
  paymentHmacInput,
  paymentParams,
  PAYMENT_RECEIPT_HEADER,
  PAYMENT_SCHEME,
  type ChargeRequest,
  type NeedTopUp,
  type PaymentCredential,
  type PaymentParams,
  type PaymentReceipt,
  type SessionRequest,
} from './payment.ts';
export {
  checkReturnInvoice,
  decodeSessionCredential,
  encodeSessionCredential,
  readSessionReceipt,
  REFUND_STATUSES,
  SESSION_ACTIONS,
  sessionBearerAuthorization,
  sessionCloseAuthorization,
  sessionOpenAuthorization,
  sessionPayload,
  sessionTopUpAuthorization,
  type RefundStatus,
  type SessionAction,
  type SessionCredential,
  type SessionPayload,
  type SessionReceipt,
} from './session.ts';
export {
  decodePaymentResponse,
  parsePaymentRequired,
  x402PaymentSignature,
  X402_REQUIRED_HEADER,
  X402_RESPONSE_HEADER,
  X402_SIGNATURE_HEADER,
  type X402Offer,
  type X402Parsed,
  type X402Settlement,
} from './x402.ts';
