/**
 * The `Payment` HTTP authentication scheme (draft-ryan-httpauth-payment-00) with the Lightning
 * method (draft-lightning-charge-00, draft-lightning-session-00), as Aperture serves it ("MPP",
 * lightninglabs/aperture `mpp/`, checked at 7ee3ed7a). The cross-implementation vectors in
 * `contracts/aperture-mpp/vectors.json` pin every encoding below.
 *
 * Challenge — `WWW-Authenticate: Payment <auth-params>`:
 *
 * | param       | required | value                                                             |
 * | ----------- | -------- | ----------------------------------------------------------------- |
 * | id          | yes      | base64url(HMAC-SHA256(server secret, HMAC input below)), unpadded |
 * | realm       | yes      | protection space                                                  |
 * | method      | yes      | `lightning`                                                       |
 * | intent      | yes      | `charge` (pay per request) or `session` (a deposit, see DESIGN)   |
 * | request     | yes      | base64url(JCS(request JSON))                                      |
 * | expires     | no       | RFC 3339; Aperture always sends it and refuses a credential after it |
 * | digest      | no       | RFC 9530 content digest of the request body                       |
 * | description | no       | human text; not covered by the HMAC                               |
 * | opaque      | no       | base64url(JCS(JSON)): server correlation data                     |
 *
 * HMAC input: `realm|method|intent|request|expires|digest|opaque`, absent slots empty, `|` not
 * escaped (so two parameter sets can share an input; the vectors record that).
 * A repeated parameter keeps its first value (vector "repeated parameter takes the first
 * occurrence"); an offer missing a required parameter is skipped, not fatal.
 *
 * Charge request JSON: `{amount: "<sat, decimal>", currency: "sat", description?, recipient?,
 * externalId?, methodDetails: {invoice: "<bolt11>", paymentHash?: "<hex>", network?:
 * "mainnet"|"testnet"|"signet"|"regtest" (default mainnet)}}`. The invoice is authoritative.
 *
 * Session request JSON: `{amount: "<sat per unit>", currency: "sat", unitType?, description?,
 * depositInvoice?, paymentHash, depositAmount?, idleTimeout?}`. The session payloads and receipts are
 * `session.ts`'s.
 *
 * Credential — `Authorization: Payment <base64url(JSON)>`, the JSON in this key order (Go struct
 * order; the vectors' bytes depend on it, a server only parses it):
 *
 * | key       | value                                                                              |
 * | --------- | ---------------------------------------------------------------------------------- |
 * | challenge | `{id, realm, method, intent, request, expires?, description?, opaque?, digest?}` echoed unchanged |
 * | source    | optional payer id (a DID)                                                          |
 * | payload   | charge: `{preimage: <64 lowercase hex>}`; session: `{action: open|bearer|topUp|close, sessionId?, preimage?, returnInvoice?, topUpPreimage?}` |
 *
 * Receipt — `Payment-Receipt: base64url(JSON {status: "success", method, timestamp (RFC 3339),
 * reference (payment hash hex), challengeId?, refundSats?, refundStatus?: succeeded|failed|skipped})`.
 * Need-top-up event (SSE data in a session): `{sessionId, balanceSpent, balanceRequired}`.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Network } from '../bolt11/index.ts';
import { MAX_SATS } from '../base/sats.ts';
import { moduleErrors } from '../errors.ts';
import { formatAuthChallenge, parseAuthChallenges, type AuthChallenge } from './authparams.ts';
import { base64urlJsonObject, bytesToBase64url, hex32, isObject, parseRfc3339, utf8Bytes } from './codec.ts';

const err = moduleErrors('l402');
const fail = (problem: string, value?: unknown) => err('L402_CHALLENGE_INVALID', problem, value);

export const PAYMENT_SCHEME = 'Payment';
export const PAYMENT_RECEIPT_HEADER = 'Payment-Receipt';

export interface PaymentParams {
  readonly id: string;
  readonly realm: string;
  readonly method: string;
  readonly intent: string;
  readonly request: string;
  readonly expires?: string;
  readonly digest?: string;
  readonly description?: string;
  readonly opaque?: string;
}

const REQUIRED = ['id', 'realm', 'method', 'intent', 'request'] as const;
const OPTIONAL = ['expires', 'digest', 'description', 'opaque'] as const;
/** Echo order in the credential (Go's ChallengeEcho field order). */
const ECHO_ORDER = ['id', 'realm', 'method', 'intent', 'request', 'expires', 'description', 'opaque', 'digest'] as const;

/** One parsed challenge's Payment parameters, or why it is not a complete offer. */
export function paymentParams(c: AuthChallenge): PaymentParams | string {
  if (c.scheme.toLowerCase() !== 'payment') return `scheme ${c.scheme} is not Payment`;
  if (c.token68 !== undefined) return 'Payment challenge with token68 instead of parameters';
  const out: Record<string, string> = {};
  for (const k of REQUIRED) {
    const v = c.params[k];
    if (v === undefined || v === '') return `Payment challenge missing ${k}`;
    out[k] = v;
  }
  for (const k of OPTIONAL) {
    const v = c.params[k];
    if (v !== undefined && v !== '') out[k] = v;
  }
  return out as unknown as PaymentParams;
}

/**
 * Every complete Payment challenge in a `WWW-Authenticate` value, in order; other schemes are
 * skipped. Throws L402_CHALLENGE_INVALID when none is left (naming the first incomplete one).
 */
export function parsePaymentChallenges(value: string): PaymentParams[] {
  const out: PaymentParams[] = [];
  let firstProblem: string | undefined;
  for (const c of parseAuthChallenges(value)) {
    if (c.scheme.toLowerCase() !== 'payment') continue;
    const p = paymentParams(c);
    if (typeof p === 'string') firstProblem ??= p;
    else out.push(p);
  }
  if (out.length === 0) throw fail(firstProblem ?? 'no Payment challenge in', value);
  return out;
}

/** The seven-slot HMAC input: realm|method|intent|request|expires|digest|opaque. */
export function paymentHmacInput(p: Omit<PaymentParams, 'id'>): string {
  return [p.realm, p.method, p.intent, p.request, p.expires ?? '', p.digest ?? '', p.opaque ?? ''].join('|');
}

/** The challenge id a server derives from its secret (servers only: the demo and the vectors). */
export function paymentChallengeId(secret: Uint8Array, p: Omit<PaymentParams, 'id'>): string {
  return bytesToBase64url(hmac(sha256, secret, utf8Bytes(paymentHmacInput(p))));
}

/** `Payment id="…", realm="…", …` in Aperture's parameter order (servers only). */
export function formatPaymentChallenge(p: PaymentParams): string {
  const order = ['id', 'realm', 'method', 'intent', 'request', 'expires', 'digest', 'description', 'opaque'] as const;
  return formatAuthChallenge(
    PAYMENT_SCHEME,
    order.flatMap((k) => (p[k] === undefined ? [] : [[k, p[k]] as const])),
  );
}

// ---- requests ---------------------------------------------------------------------------------

const NETWORKS: Record<string, Network> = { mainnet: 'bitcoin', testnet: 'testnet', signet: 'signet', regtest: 'regtest' };
const SAT_DECIMAL = /^(0|[1-9][0-9]{0,15})$/;

function sats(v: unknown, field: string): number {
  if (typeof v !== 'string' || !SAT_DECIMAL.test(v) || Number(v) > MAX_SATS) throw fail(`${field} is not a sat amount`, v);
  return Number(v);
}
function optString(o: Record<string, unknown>, k: string): string | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw fail(`${k} is not a string`, v);
  return v;
}

export interface ChargeRequest {
  readonly amountSat: number;
  readonly description?: string;
  readonly invoice: string;
  readonly paymentHash?: string; // lowercase hex, when the server sent it
  readonly network: Network;
}

export function decodeChargeRequest(request: string): ChargeRequest {
  const o = base64urlJsonObject(request, 'request');
  const amountSat = sats(o.amount, 'amount');
  if (o.currency !== 'sat') throw fail('currency is not sat', o.currency);
  const d = o.methodDetails;
  if (!isObject(d)) throw fail('methodDetails is not an object', d);
  const invoice = optString(d, 'invoice');
  if (!invoice) throw fail('methodDetails.invoice missing');
  let paymentHash: string | undefined;
  if (d.paymentHash !== undefined) {
    paymentHash = hex32(d.paymentHash);
    if (paymentHash === undefined) throw fail('methodDetails.paymentHash is not 32 bytes of hex', d.paymentHash);
  }
  const netName = optString(d, 'network') ?? 'mainnet';
  const network = Object.hasOwn(NETWORKS, netName) ? NETWORKS[netName] : undefined;
  if (network === undefined) throw fail('methodDetails.network', netName);
  const description = optString(o, 'description');
  return { amountSat, ...(description !== undefined && { description }), invoice, ...(paymentHash && { paymentHash }), network };
}

export interface SessionRequest {
  readonly unitSat: number;
  readonly unitType?: string;
  readonly description?: string;
  readonly depositInvoice?: string;
  readonly paymentHash: string;
  readonly depositSat?: number;
  readonly idleTimeoutSeconds?: number;
}

/** A session offer's terms (`session.ts` builds its credentials, `admitSession` judges it). */
export function decodeSessionRequest(request: string): SessionRequest {
  const o = base64urlJsonObject(request, 'request');
  const unitSat = sats(o.amount, 'amount');
  if (o.currency !== 'sat') throw fail('currency is not sat', o.currency);
  const paymentHash = hex32(o.paymentHash);
  if (paymentHash === undefined) throw fail('paymentHash is not 32 bytes of hex', o.paymentHash);
  const unitType = optString(o, 'unitType');
  const description = optString(o, 'description');
  const depositInvoice = optString(o, 'depositInvoice');
  const depositSat = o.depositAmount === undefined ? undefined : sats(o.depositAmount, 'depositAmount');
  const idleTimeoutSeconds = o.idleTimeout === undefined ? undefined : sats(o.idleTimeout, 'idleTimeout');
  return {
    unitSat,
    ...(unitType !== undefined && { unitType }),
    ...(description !== undefined && { description }),
    ...(depositInvoice !== undefined && { depositInvoice }),
    paymentHash,
    ...(depositSat !== undefined && { depositSat }),
    ...(idleTimeoutSeconds !== undefined && { idleTimeoutSeconds }),
  };
}

/** `expires` as unix seconds; undefined when absent. Throws when present but not RFC 3339. */
export function paymentExpiresAt(p: PaymentParams): number | undefined {
  if (p.expires === undefined) return undefined;
  const t = parseRfc3339(p.expires);
  if (t === undefined) throw fail('expires is not an RFC 3339 time', p.expires);
  return t;
}

// ---- credentials ------------------------------------------------------------------------------

export interface PaymentCredential {
  readonly challenge: PaymentParams;
  readonly source?: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** Aperture refuses a credential whose JSON is over 64 KiB; so does this reader. */
export const MAX_CREDENTIAL_CHARS = Math.ceil((64 * 1024) / 3) * 4;

/** The base64url token (without the `Payment ` prefix). */
export function encodePaymentCredential(c: PaymentCredential): string {
  const echo: Record<string, string> = {};
  for (const k of ECHO_ORDER) {
    const v = c.challenge[k];
    if (v !== undefined) echo[k] = v;
  }
  const json = { challenge: echo, ...(c.source !== undefined && { source: c.source }), payload: c.payload };
  return bytesToBase64url(utf8Bytes(JSON.stringify(json)));
}

/** `Payment <token>` for a charge paid with `preimage` (64 hex digits, sent lowercase). */
export function paymentChargeAuthorization(challenge: PaymentParams, preimage: string): string {
  const p = hex32(preimage);
  if (p === undefined) throw err('L402_HASH_MISMATCH', 'preimage is not 32 bytes of hex', preimage);
  return `${PAYMENT_SCHEME} ${encodePaymentCredential({ challenge, payload: { preimage: p } })}`;
}

/** Reads an `Authorization: Payment …` value (servers only: the demo and the vectors). */
export function decodePaymentCredential(authorization: string): PaymentCredential {
  const bad = (problem: string, value?: unknown) => err('L402_CHALLENGE_INVALID', problem, value);
  if (typeof authorization !== 'string') throw bad('credential is not a string', typeof authorization);
  const space = authorization.indexOf(' ');
  const scheme = space < 0 ? authorization : authorization.slice(0, space);
  if (scheme.toLowerCase() !== 'payment') throw bad('credential scheme is not Payment', scheme);
  const token = authorization.slice(space + 1).replace(/^[ \t]+|[ \t]+$/g, '');
  if (token === '') throw bad('empty credential');
  if (token.length > MAX_CREDENTIAL_CHARS) throw bad('credential too long', token.length);
  const o = base64urlJsonObject(token, 'credential');
  const ch = o.challenge;
  if (!isObject(ch)) throw bad('credential challenge is not an object');
  const echo: Record<string, string> = {};
  for (const k of REQUIRED) {
    const v = ch[k];
    if (typeof v !== 'string' || v === '') throw bad(`credential missing challenge.${k}`);
    echo[k] = v;
  }
  for (const k of OPTIONAL) {
    const v = ch[k];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw bad(`credential challenge.${k} is not a string`);
    if (v !== '') echo[k] = v;
  }
  if (o.source !== undefined && typeof o.source !== 'string') throw bad('credential source is not a string');
  if (!isObject(o.payload)) throw bad('credential missing payload');
  return { challenge: echo as unknown as PaymentParams, ...(typeof o.source === 'string' && { source: o.source }), payload: o.payload };
}

// ---- receipts ---------------------------------------------------------------------------------

export interface PaymentReceipt {
  readonly status: 'success';
  readonly method: string;
  readonly timestamp: string;
  readonly reference: string;
  readonly challengeId?: string;
  readonly refundSats?: number;
  readonly refundStatus?: 'succeeded' | 'failed' | 'skipped';
}

/** A JSON number that is a whole sat amount. Above 2^53 a double no longer holds the value exactly;
 * such a number (the protocol never produces one: 21M BTC is 2^51 sat) is refused, not rounded. */
function wholeSats(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > MAX_SATS) throw fail(`${field} is not a sat amount a double holds exactly`, v);
  return v;
}

export function decodePaymentReceipt(value: string): PaymentReceipt {
  const o = base64urlJsonObject(value.trim(), PAYMENT_RECEIPT_HEADER);
  if (o.status !== 'success') throw fail('receipt status', o.status);
  for (const k of ['method', 'timestamp', 'reference'] as const) if (typeof o[k] !== 'string') throw fail(`receipt ${k} is not a string`, o[k]);
  const challengeId = optString(o, 'challengeId');
  const refundSats = o.refundSats === undefined ? undefined : wholeSats(o.refundSats, 'refundSats');
  const rs = o.refundStatus;
  if (rs !== undefined && rs !== 'succeeded' && rs !== 'failed' && rs !== 'skipped') throw fail('receipt refundStatus', rs);
  return {
    status: 'success',
    method: o.method as string,
    timestamp: o.timestamp as string,
    reference: o.reference as string,
    ...(challengeId !== undefined && { challengeId }),
    ...(refundSats !== undefined && { refundSats }),
    ...(rs !== undefined && { refundStatus: rs }),
  };
}

export interface NeedTopUp {
  readonly sessionId: string;
  readonly balanceSpent: number;
  readonly balanceRequired: number;
}

export function decodeNeedTopUp(value: string): NeedTopUp {
  const o = base64urlJsonObject(value.trim(), 'need-top-up event');
  if (typeof o.sessionId !== 'string' || o.sessionId === '') throw fail('need-top-up sessionId', o.sessionId);
  return { sessionId: o.sessionId, balanceSpent: wholeSats(o.balanceSpent, 'balanceSpent'), balanceRequired: wholeSats(o.balanceRequired, 'balanceRequired') };
}
