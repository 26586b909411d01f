/**
 * The `Payment` scheme's Lightning `session` intent (draft-lightning-session-00) as Aperture serves
 * it (lightninglabs/aperture @ 7ee3ed7a: mpp/session.go, auth/mpp_session_authenticator.go): the
 * credentials a payer sends and the receipts it reads. The vectors in
 * `contracts/aperture-mpp/vectors.json` pin the bytes.
 *
 * A session is a **custodial** deposit: the payer pays the offer's `depositInvoice` (it settles;
 * the server holds the money), opens the session with that preimage, spends the balance request
 * by request, and at `close` the server pays what is left to the payer's `returnInvoice`.
 *
 * Payload (the `payload` of `Authorization: Payment <base64url JSON {challenge, source?, payload}>`,
 * see payment.ts), keys written in this order — action, sessionId, preimage, returnInvoice,
 * topUpPreimage — and no other key:
 *
 * | action | sessionId            | preimage          | returnInvoice          | topUpPreimage        | challenge echoed                      |
 * | ------ | -------------------- | ----------------- | ---------------------- | -------------------- | ------------------------------------- |
 * | open   | —                    | deposit preimage  | bolt11 with no amount, on the payer's node | — | the offer whose deposit was paid |
 * | bearer | deposit payment hash | deposit preimage  | —                      | —                    | any unexpired session offer: its `amount` is what the request costs |
 * | topUp  | deposit payment hash | —                 | —                      | the new deposit's preimage | the offer whose new deposit was paid |
 * | close  | deposit payment hash | deposit preimage  | —                      | —                    | any unexpired session offer           |
 *
 * The session id is the first deposit's payment hash, so sha256(preimage) = sessionId for bearer
 * and close; the challenge HMAC covers the echo, not the payload.
 *
 * Receipts (`Payment-Receipt`, base64url JSON):
 *
 * | answer to      | JSON, in Aperture's key order                                                    |
 * | -------------- | -------------------------------------------------------------------------------- |
 * | open           | `{status: "success", method, timestamp, reference: deposit hash, challengeId}`  |
 * | bearer, topUp  | `{status, method, timestamp, reference: sessionId, challengeId}`                 |
 * | close          | `{method, reference: sessionId, status, timestamp, refundSats?, refundStatus?}` |
 *
 * `refundSats` is omitted when zero; `refundStatus` is `succeeded`, `failed` or `skipped` (nothing
 * to refund, exactly when `refundSats` is absent). Aperture pays the refund after answering and
 * writes `failed` until it knows better, so `failed` means "not confirmed": the return invoice on
 * the payer's node is the only proof. Both fields are missing when Aperture lost the close result
 * (an LRU eviction): the refund is then unknown, not zero.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { decodeInvoice, type Invoice } from '../bolt11/index.ts';
import { isSatnavError, moduleErrors, SatnavError } from '../errors.ts';
import { hex32, isObject } from './codec.ts';
import {
  decodePaymentCredential,
  decodePaymentReceipt,
  decodeSessionRequest,
  encodePaymentCredential,
  MAX_CREDENTIAL_CHARS,
  PAYMENT_SCHEME,
  type PaymentParams,
} from './payment.ts';

const err = moduleErrors('l402');
const badCredential = (problem: string, value?: unknown) => err('SESSION_CREDENTIAL_INVALID', problem, value);
const badReceipt = (problem: string, value?: unknown) => err('SESSION_RECEIPT_INVALID', problem, value);

export const SESSION_ACTIONS = ['open', 'bearer', 'topUp', 'close'] as const;
export type SessionAction = (typeof SESSION_ACTIONS)[number];
export const REFUND_STATUSES = ['succeeded', 'failed', 'skipped'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

export type SessionPayload =
  | { readonly action: 'open'; readonly preimage: string; readonly returnInvoice: string }
  | { readonly action: 'bearer'; readonly sessionId: string; readonly preimage: string }
  | { readonly action: 'topUp'; readonly sessionId: string; readonly topUpPreimage: string }
  | { readonly action: 'close'; readonly sessionId: string; readonly preimage: string };

/** The payload keys, in the order they are written. */
const KEY_ORDER = ['action', 'sessionId', 'preimage', 'returnInvoice', 'topUpPreimage'] as const;
/** What each action carries besides `action` (all required, all non-empty strings). */
const FIELDS: Record<SessionAction, readonly string[]> = {
  open: ['preimage', 'returnInvoice'],
  bearer: ['sessionId', 'preimage'],
  topUp: ['sessionId', 'topUpPreimage'],
  close: ['sessionId', 'preimage'],
};
const HEX = /^(?:[0-9a-f]{2})+$/;
const HEX_FIELDS = new Set(['sessionId', 'preimage', 'topUpPreimage']);

const isAction = (v: unknown): v is SessionAction => typeof v === 'string' && (SESSION_ACTIONS as readonly string[]).includes(v);

/**
 * A payload of exactly the table's shape, in its key order. Hex fields must be lowercase hex of
 * whole bytes (their length is the builders' and the server's business: the vectors use short ones).
 */
export function sessionPayload(raw: unknown): SessionPayload {
  if (!isObject(raw)) throw badCredential('session payload is not an object', raw);
  const { action } = raw;
  if (!isAction(action)) throw badCredential('unknown session action', action);
  const fields = FIELDS[action];
  for (const k of Object.keys(raw)) if (k !== 'action' && !fields.includes(k)) throw badCredential(`session ${action} payload has a stray key`, k);
  const out: Record<string, string> = { action };
  for (const k of KEY_ORDER) {
    if (!fields.includes(k)) continue;
    const v = raw[k];
    if (typeof v !== 'string' || v === '') throw badCredential(`session ${action} payload missing ${k}`);
    if (HEX_FIELDS.has(k) && !HEX.test(v)) throw badCredential(`session ${action} ${k} is not lowercase hex`, v);
    out[k] = v;
  }
  return out as unknown as SessionPayload;
}

export interface SessionCredential {
  readonly challenge: PaymentParams;
  readonly source?: string;
  readonly payload: SessionPayload;
}

/** The base64url token (no `Payment ` prefix). Refuses a payload off the table or a token over Aperture's 64 KiB. */
export function encodeSessionCredential(c: SessionCredential): string {
  if (c.challenge.intent !== 'session') throw badCredential('challenge intent is not session', c.challenge.intent);
  if (c.source !== undefined && (typeof c.source !== 'string' || c.source === '')) throw badCredential('source is not a string', c.source);
  const token = encodePaymentCredential({ challenge: c.challenge, ...(c.source !== undefined && { source: c.source }), payload: sessionPayload(c.payload) });
  if (token.length > MAX_CREDENTIAL_CHARS) throw badCredential('session credential too long', token.length);
  return token;
}

/** Reads `Authorization: Payment …` as a session credential; every refusal is SESSION_CREDENTIAL_INVALID. */
export function decodeSessionCredential(authorization: string): SessionCredential {
  let c;
  try {
    c = decodePaymentCredential(authorization);
  } catch (e) {
    throw recode(e, 'SESSION_CREDENTIAL_INVALID');
  }
  if (c.challenge.method !== 'lightning') throw badCredential('credential method is not lightning', c.challenge.method);
  if (c.challenge.intent !== 'session') throw badCredential('credential intent is not session', c.challenge.intent);
  return { challenge: c.challenge, ...(c.source !== undefined && { source: c.source }), payload: sessionPayload(c.payload) };
}

// ---- builders: the wallet's own values, checked before anything leaves ----------------------------

const sha256Hex = (hex: string) => bytesToHex(sha256(hexToBytes(hex)));

function preimage32(v: string, what: string): string {
  const p = hex32(v);
  if (p === undefined) throw badCredential(`${what} is not 32 bytes of hex`, v);
  return p;
}

/** The offer's deposit hash: a credential that would name another payment is refused here. */
function offeredHash(challenge: PaymentParams): string {
  if (challenge.intent !== 'session') throw badCredential('challenge intent is not session', challenge.intent);
  try {
    return decodeSessionRequest(challenge.request).paymentHash;
  } catch (e) {
    throw recode(e, 'SESSION_CREDENTIAL_INVALID');
  }
}

function authorization(challenge: PaymentParams, payload: SessionPayload, source?: string): string {
  return `${PAYMENT_SCHEME} ${encodeSessionCredential({ challenge, ...(source !== undefined && { source }), payload })}`;
}

/**
 * A bolt11 invoice the server can pay any amount to: no amount, not expired at `nowSeconds`
 * (Aperture refuses both at open, and the refund is paid to it at close).
 */
export function checkReturnInvoice(returnInvoice: string, nowSeconds: number): Invoice {
  let inv: Invoice;
  try {
    inv = decodeInvoice(returnInvoice);
  } catch (e) {
    throw recode(e, 'SESSION_CREDENTIAL_INVALID');
  }
  if (inv.amountMsat !== null) throw badCredential('returnInvoice names an amount (the refund is whatever is left)', String(inv.amountMsat));
  if (inv.expiresAt <= nowSeconds) throw badCredential('returnInvoice already expired at', inv.expiresAt);
  return inv;
}

/** `open`: the preimage of the offer's deposit (checked against its paymentHash) and an amountless return invoice. */
export function sessionOpenAuthorization(challenge: PaymentParams, o: { preimage: string; returnInvoice: string; nowSeconds: number; source?: string }): string {
  const preimage = preimage32(o.preimage, 'preimage');
  const hash = offeredHash(challenge);
  if (sha256Hex(preimage) !== hash) throw err('L402_HASH_MISMATCH', "the preimage does not match the offer's paymentHash", hash);
  checkReturnInvoice(o.returnInvoice, o.nowSeconds);
  return authorization(challenge, { action: 'open', preimage, returnInvoice: o.returnInvoice }, o.source);
}

/** `bearer` (and `close`, same fields): the session id and the deposit preimage that hashes to it. */
function sessionProof(challenge: PaymentParams, action: 'bearer' | 'close', o: { sessionId: string; preimage: string; source?: string }): string {
  offeredHash(challenge);
  const sessionId = preimage32(o.sessionId, 'sessionId');
  const preimage = preimage32(o.preimage, 'preimage');
  if (sha256Hex(preimage) !== sessionId) throw err('L402_HASH_MISMATCH', 'the preimage does not hash to the session id', sessionId);
  return authorization(challenge, { action, sessionId, preimage }, o.source);
}

export function sessionBearerAuthorization(challenge: PaymentParams, o: { sessionId: string; preimage: string; source?: string }): string {
  return sessionProof(challenge, 'bearer', o);
}

export function sessionCloseAuthorization(challenge: PaymentParams, o: { sessionId: string; preimage: string; source?: string }): string {
  return sessionProof(challenge, 'close', o);
}

/** `topUp`: the session id and the preimage of the new deposit invoice this challenge offered. */
export function sessionTopUpAuthorization(challenge: PaymentParams, o: { sessionId: string; topUpPreimage: string; source?: string }): string {
  const hash = offeredHash(challenge);
  const sessionId = preimage32(o.sessionId, 'sessionId');
  const topUpPreimage = preimage32(o.topUpPreimage, 'topUpPreimage');
  if (sha256Hex(topUpPreimage) !== hash) throw err('L402_HASH_MISMATCH', "the top-up preimage does not match the offer's paymentHash", hash);
  if (hash === sessionId) throw badCredential('a top-up cannot pay with the deposit that opened the session', hash);
  return authorization(challenge, { action: 'topUp', sessionId, topUpPreimage }, o.source);
}

// ---- receipts -------------------------------------------------------------------------------------

export interface SessionReceipt {
  /** The session id (for open: the deposit hash, which becomes it). */
  readonly reference: string;
  readonly timestamp: string;
  readonly challengeId?: string;
  /** close only: what the server says it refunded (0 when omitted). */
  readonly refundSat: number;
  /** close only; undefined when the server no longer knew (see the header comment). */
  readonly refundStatus?: RefundStatus;
}

/**
 * A `Payment-Receipt` answering `action` on session `sessionId`. Refused (SESSION_RECEIPT_INVALID):
 * not base64url JSON, a status other than success, a reference to another session, refund fields
 * on anything but close, `skipped` with a refund or a refund without a status, amounts a double
 * cannot hold exactly (past 2^53: no real refund is that large; refused, never rounded).
 */
export function readSessionReceipt(value: string | null | undefined, expected: { action: SessionAction; sessionId: string }): SessionReceipt {
  if (value == null || value.trim() === '') throw badReceipt(`no Payment-Receipt on the ${expected.action} answer`);
  let r;
  try {
    r = decodePaymentReceipt(value);
  } catch (e) {
    throw recode(e, 'SESSION_RECEIPT_INVALID');
  }
  if (r.method !== 'lightning') throw badReceipt('receipt method is not lightning', r.method);
  if (r.reference !== expected.sessionId) throw badReceipt(`receipt is for another session than ${expected.sessionId}; reference`, r.reference);
  const refundSat = r.refundSats ?? 0;
  if (expected.action !== 'close') {
    if (r.refundSats !== undefined || r.refundStatus !== undefined) throw badReceipt(`refund fields on a ${expected.action} receipt`, r.refundStatus ?? r.refundSats);
  } else {
    if (r.refundStatus === 'skipped' && refundSat > 0) throw badReceipt('refundStatus skipped with refundSats', refundSat);
    if (r.refundStatus !== undefined && r.refundStatus !== 'skipped' && refundSat === 0) throw badReceipt(`refundStatus ${r.refundStatus} without refundSats`);
    if (r.refundStatus === undefined && refundSat > 0) throw badReceipt('refundSats without refundStatus', refundSat);
  }
  return {
    reference: r.reference,
    timestamp: r.timestamp,
    ...(r.challengeId !== undefined && { challengeId: r.challengeId }),
    refundSat,
    ...(r.refundStatus !== undefined && { refundStatus: r.refundStatus }),
  };
}

/** A module's "not valid" error under this module's own code (the message, which names the problem, is kept). */
function recode(e: unknown, code: 'SESSION_CREDENTIAL_INVALID' | 'SESSION_RECEIPT_INVALID'): SatnavError {
  if (!isSatnavError(e)) throw e;
  return new SatnavError(code, e.message, e.details);
}
