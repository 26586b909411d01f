/**
 * LNURL, wallet side: decode (LUD-01, 16, 17) → parameters (LUD-06, 03, 04) → pay, withdraw or
 * log in. Pure TS: the network is the injected `fetch`, every request has a deadline, no redirect
 * is followed, and (with `addresses`) no answer from a private network is used.
 *
 * | code                    | meaning                                                                |
 * | ----------------------- | ---------------------------------------------------------------------- |
 * | LNURL_INVALID           | not an LNURL / lightning address, or a URL that breaks the https rule  |
 * | LNURL_UNREACHABLE       | the service could not be reached                                       |
 * | LNURL_TIMEOUT           | the service did not answer in time                                     |
 * | LNURL_REDIRECT          | the service answered with a redirect (never followed)                  |
 * | LNURL_PRIVATE_ADDRESS   | the answer came from a private or loopback address, or an unknown one  |
 * | LNURL_BAD_RESPONSE      | the answer is not JSON or breaks the LUD (fields, amounts, invoice)    |
 * | LNURL_CALLBACK_HOST     | the callback is on another host than the service that gave it          |
 * | LNURL_METADATA_MISMATCH | the invoice's description hash is not sha256(metadata)                 |
 * | LNURL_SERVICE_ERROR     | the service answered status ERROR; `details.reason` is its text        |
 * | LNURL_UNSUPPORTED       | a kind of LNURL or successAction the wallet does not handle            |
 * | LNURL_BAD_INPUT         | the caller's amount, comment, invoice or preimage is outside the rules |
 */
export { isLightningAddress, lightningAddressUrl, parseLightningAddress, type LightningAddress } from './address.ts';
export { AUTH_ACTIONS, parseLoginUrl, signedAuthUrl, submitAuth, type AuthAction, type LoginParams } from './auth.ts';
export { decodeLnurl, encodeLnurl, type Lnurl, type LnurlTag } from './decode.ts';
export { DEFAULT_TIMEOUT_MS, type AddressWatch, type LnurlFetchOptions, type RemoteAddresses } from './http.ts';
export { parsePayMetadata, type PayMetadata } from './metadata.ts';
export { fetchLnurlParams, type LnurlParams, type PayParams, type WithdrawParams } from './params.ts';
export { requestPayInvoice, type PayInvoice, type PayInvoiceOptions } from './pay.ts';
export { checkServiceUrl, type LnurlOptions } from './service-url.ts';
export { decryptSuccessAction, type AesSuccessAction, type SuccessAction } from './success-action.ts';
export { submitWithdraw } from './withdraw.ts';
