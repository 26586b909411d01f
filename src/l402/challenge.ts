/**
 * A 402 response → the payment offers in it, one typed union, and the header that answers each.
 *
 * Where the offers are:
 *
 * | scheme  | carried in                       | offer                                              |
 * | ------- | -------------------------------- | -------------------------------------------------- |
 * | L402    | `WWW-Authenticate: L402 …` (or the legacy `LSAT …`) | `token=` or `macaroon=` (base64 macaroon), `invoice=`, optional `version="0"`, unknown params ignored |
 * | Payment | `WWW-Authenticate: Payment …`    | see `payment.ts` (intent `charge`; `session` is a custodial deposit: `session.ts`, opened by src/deposit/session.ts, never paid here) |
 * | x402    | `PAYMENT-REQUIRED` header        | see `x402.ts`                                      |
 *
 * What the retry sends:
 *
 * | scheme  | header              | value                                                        |
 * | ------- | ------------------- | ------------------------------------------------------------ |
 * | L402    | `Authorization`     | `L402 <macaroon as received>:<preimage, 64 lowercase hex>`   |
 * | LSAT    | `Authorization`     | `LSAT <macaroon>:<preimage>` — the scheme the server offered: Aperture reads both (`(LSAT|L402) (.*?):([a-f0-9]{64})`, case-sensitive), an LSAT-only server may know only its own name |
 * | Payment | `Authorization`     | `Payment <base64url credential {challenge echo, payload: {preimage}}>` |
 * | x402    | `PAYMENT-SIGNATURE` | base64 JSON, see `x402.ts`                                   |
 *
 * The macaroon goes back exactly as the server wrote it: that is the spelling its own decoder
 * reads (Aperture decodes strict, padded standard base64).
 *
 * An offer is only returned with an invoice that decodes (signature checked): an offer that cannot
 * be paid is dropped with its reason, and a value with no payable offer at all is refused.
 * An L402 challenge that repeats a parameter is dropped (which `invoice=` would be paid?); a
 * Payment challenge keeps the first value, as its vectors pin.
 *
 * Choosing among several (`rankChallenges`), documented rule: only supported offers; the cheapest
 * invoice first (amountless invoices last: they cannot be checked against a limit); on a tie
 * L402 > Payment > x402 (an L402 token is reusable, a Payment charge is one request, x402 one
 * request and it never gets a preimage-checked credential), and L402 before LSAT for the same
 * token; then the server's order.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { decodeInvoice, type Invoice } from '../bolt11/index.ts';
import { isSatnavError, moduleErrors } from '../errors.ts';
import { parseAuthChallenges, type AuthChallenge } from './authparams.ts';
import { hex32 } from './codec.ts';
import { decodeMacaroon, type Macaroon } from './macaroon.ts';
import {
  decodeChargeRequest,
  decodeSessionRequest,
  paymentChargeAuthorization,
  paymentExpiresAt,
  paymentParams,
  type ChargeRequest,
  type PaymentParams,
  type SessionRequest,
} from './payment.ts';
import { parsePaymentRequired, X402_SIGNATURE_HEADER, x402PaymentSignature, type X402Offer } from './x402.ts';

const err = moduleErrors('l402');
const fail = (problem: string, value?: unknown) => err('L402_CHALLENGE_INVALID', problem, value);

export interface L402Challenge {
  readonly scheme: 'l402';
  /** The name the server used, canonical case: the retry answers in it. */
  readonly authScheme: 'L402' | 'LSAT';
  /** Base64 text exactly as received. */
  readonly macaroon: string;
  readonly token: Macaroon;
  readonly invoice: Invoice;
  readonly version?: string;
}

export interface PaymentChargeChallenge {
  readonly scheme: 'payment';
  readonly intent: 'charge';
  readonly supported: true;
  readonly params: PaymentParams;
  readonly charge: ChargeRequest;
  readonly invoice: Invoice;
  /** Unix seconds, from `expires`. */
  readonly expiresAt?: number;
}

export interface PaymentSessionChallenge {
  readonly scheme: 'payment';
  readonly intent: 'session';
  /**
   * Not payable as a charge: `rankChallenges`, `admit` and `retryHeader` refuse it. A session is a
   * custodial deposit that only `admitSession` and the session payer (src/deposit/session.ts) take.
   */
  readonly supported: false;
  readonly params: PaymentParams;
  readonly session: SessionRequest;
  /** The deposit invoice. */
  readonly invoice: Invoice;
  readonly expiresAt?: number;
}

export interface X402Challenge {
  readonly scheme: 'x402';
  readonly offer: X402Offer;
  readonly invoice: Invoice;
}

export type PaymentChallenge = PaymentChargeChallenge | PaymentSessionChallenge;
export type Challenge = L402Challenge | PaymentChallenge | X402Challenge;

export interface ChallengeHeaders {
  /** As `Headers.get('WWW-Authenticate')` gives it (lines joined by ", "), or the separate lines. */
  readonly wwwAuthenticate?: string | readonly string[] | null;
  /** As `Headers.get('PAYMENT-REQUIRED')` gives it. */
  readonly paymentRequired?: string | null;
}

export interface ParsedChallenges {
  readonly challenges: readonly Challenge[];
  /** Why each other offer was dropped, for logs and tests. */
  readonly skipped: readonly string[];
}

/** The reason a SatnavError gives, or rethrows anything else (a bug must not look like a bad offer). */
function reason(e: unknown): string {
  if (isSatnavError(e)) return e.message;
  throw e;
}

function l402From(c: AuthChallenge): L402Challenge | string {
  const name = c.scheme.toUpperCase() as 'L402' | 'LSAT';
  if (c.token68 !== undefined) return `${name} challenge with token68 instead of parameters`;
  if (c.duplicates.length > 0) return `${name} challenge repeats parameter ${c.duplicates.join(',')}`;
  const { token, macaroon: mac, invoice, version } = c.params;
  if (token !== undefined && mac !== undefined && token !== mac) return `${name} challenge has different token= and macaroon=`;
  const macaroon = token ?? mac;
  if (!macaroon) return `${name} challenge without token= or macaroon=`;
  if (!invoice) return `${name} challenge without invoice=`;
  if (version !== undefined && version !== '0') return `${name} challenge version ${version} is unknown`;
  try {
    return { scheme: 'l402', authScheme: name, macaroon, token: decodeMacaroon(macaroon), invoice: decodeInvoice(invoice), ...(version !== undefined && { version }) };
  } catch (e) {
    return reason(e);
  }
}

function paymentFrom(c: AuthChallenge): PaymentChallenge | string {
  const params = paymentParams(c);
  if (typeof params === 'string') return params;
  if (params.method !== 'lightning') return `Payment method ${params.method} is not lightning`;
  try {
    const expiresAt = paymentExpiresAt(params);
    const exp = expiresAt !== undefined ? { expiresAt } : {};
    if (params.intent === 'charge') {
      const charge = decodeChargeRequest(params.request);
      const invoice = decodeInvoice(charge.invoice);
      if (invoice.network !== charge.network) return `Payment request network ${charge.network} but invoice is for ${invoice.network}`;
      if (invoice.amountMsat !== null && invoice.amountMsat !== BigInt(charge.amountSat) * 1000n)
        return `Payment request amount ${charge.amountSat} sat but invoice asks ${invoice.amountMsat} msat`;
      return { scheme: 'payment', intent: 'charge', supported: true, params, charge, invoice, ...exp };
    }
    if (params.intent === 'session') {
      const session = decodeSessionRequest(params.request);
      if (session.depositInvoice === undefined) return 'Payment session without depositInvoice';
      return { scheme: 'payment', intent: 'session', supported: false, params, session, invoice: decodeInvoice(session.depositInvoice), ...exp };
    }
    return `Payment intent ${params.intent} is unknown`;
  } catch (e) {
    return reason(e);
  }
}

function x402From(offer: X402Offer): X402Challenge | string {
  try {
    const invoice = decodeInvoice(offer.invoice);
    if (invoice.network !== offer.network) return `x402 network ${offer.network} but invoice is for ${invoice.network}`;
    if (offer.amountMsat !== undefined && invoice.amountMsat !== offer.amountMsat)
      return `x402 amount ${offer.amountMsat} msat but invoice asks ${invoice.amountMsat ?? 'any amount'}`;
    return { scheme: 'x402', offer, invoice };
  } catch (e) {
    return reason(e);
  }
}

/**
 * Every payable offer in a 402's headers, in header order (WWW-Authenticate first).
 * Throws L402_CHALLENGE_INVALID when there is none, naming why the first one was dropped.
 *
 * The offers of a header value are kept for the next caller (see `offersOf`): they are shared,
 * read-only, between callers; the lists returned are each caller's own.
 */
export function parseChallenges(headers: ChallengeHeaders): ParsedChallenges {
  const challenges: Challenge[] = [];
  const skipped: string[] = [];
  // A header that does not parse loses its own offers only: the other header may still pay.
  const www = headers.wwwAuthenticate;
  for (const line of www == null ? [] : typeof www === 'string' ? [www] : www) {
    const found = offersOf(`www-authenticate ${line}`, () => wwwAuthenticateOffers(line));
    challenges.push(...found.challenges);
    skipped.push(...found.skipped);
  }
  const required = headers.paymentRequired;
  if (required != null) {
    const found = offersOf(`payment-required ${required}`, () => paymentRequiredOffers(required));
    challenges.push(...found.challenges);
    skipped.push(...found.skipped);
  }
  if (challenges.length === 0) throw fail('no payable offer', skipped[0] ?? 'no challenge at all');
  return { challenges, skipped };
}

interface Offers {
  challenges: Challenge[];
  skipped: string[];
}

function wwwAuthenticateOffers(line: string): Offers {
  const out: Offers = { challenges: [], skipped: [] };
  const add = (r: Challenge | string) => (typeof r === 'string' ? out.skipped.push(r) : out.challenges.push(r));
  let parsed: AuthChallenge[];
  try {
    parsed = parseAuthChallenges(line);
  } catch (e) {
    out.skipped.push(reason(e));
    return out;
  }
  for (const c of parsed) {
    const scheme = c.scheme.toLowerCase();
    if (scheme === 'l402' || scheme === 'lsat') add(l402From(c));
    else if (scheme === 'payment') add(paymentFrom(c));
    else out.skipped.push(`scheme ${c.scheme} is not a payment scheme`);
  }
  return out;
}

function paymentRequiredOffers(value: string): Offers {
  const out: Offers = { challenges: [], skipped: [] };
  try {
    const x = parsePaymentRequired(value);
    out.skipped.push(...x.skipped.map((s) => `x402: ${s}`));
    for (const offer of x.offers) {
      const r = x402From(offer);
      if (typeof r === 'string') out.skipped.push(r);
      else out.challenges.push(r);
    }
  } catch (e) {
    out.skipped.push(reason(e));
  }
  return out;
}

/**
 * One 402 is read several times within milliseconds (the worker's glue when the browser reports
 * it, the deposit and session code, the payer), and each read of an offer decodes its invoice,
 * signature recovery included (~2.5 ms): what a header value gave is kept, the most recent
 * MEMO_ENTRIES values of up to MEMO_MAX_CHARS each. Reading is pure (no clock), so a kept
 * result stays right.
 */
const MEMO_ENTRIES = 16;
const MEMO_MAX_CHARS = 16_384;
const memo = new Map<string, Offers>();

function offersOf(key: string, read: () => Offers): Offers {
  const kept = memo.get(key);
  if (kept) {
    // Most recently used last: the oldest goes first.
    memo.delete(key);
    memo.set(key, kept);
    return kept;
  }
  const offers = read();
  if (key.length <= MEMO_MAX_CHARS) {
    memo.set(key, offers);
    if (memo.size > MEMO_ENTRIES) memo.delete(memo.keys().next().value!);
  }
  return offers;
}

const SCHEME_RANK: Record<Challenge['scheme'], number> = { l402: 0, payment: 1, x402: 2 };

/** Supported offers in the order the documented rule prefers them (see the header comment). */
export function rankChallenges(challenges: readonly Challenge[]): Challenge[] {
  const supported = challenges.map((c, i) => ({ c, i })).filter(({ c }) => c.scheme !== 'payment' || c.supported);
  supported.sort((a, b) => {
    const x = a.c.invoice.amountMsat;
    const y = b.c.invoice.amountMsat;
    if (x !== y) {
      if (x === null) return 1;
      if (y === null) return -1;
      return x < y ? -1 : 1;
    }
    const r = SCHEME_RANK[a.c.scheme] - SCHEME_RANK[b.c.scheme];
    if (r !== 0) return r;
    if (a.c.scheme === 'l402' && b.c.scheme === 'l402' && a.c.authScheme !== b.c.authScheme) return a.c.authScheme === 'L402' ? -1 : 1;
    return a.i - b.i;
  });
  return supported.map(({ c }) => c);
}

/** The preferred offer; throws L402_CHALLENGE_INVALID when none is supported. */
export function selectChallenge(challenges: readonly Challenge[]): Challenge {
  const [best] = rankChallenges(challenges);
  if (best === undefined) throw fail('no supported offer among', challenges.map((c) => c.scheme).join(','));
  return best;
}

export interface RetryHeader {
  readonly name: 'Authorization' | typeof X402_SIGNATURE_HEADER;
  readonly value: string;
}

/**
 * The header that proves payment, for the retry. Checks first that `preimage` is the one this
 * invoice was paid with (sha256(preimage) = payment hash): a wrong one would be refused by the
 * server after the money is gone, and for L402 would be cached as a credential that never works.
 */
export function retryHeader(challenge: Challenge, preimage: string): RetryHeader {
  const p = hex32(preimage);
  if (p === undefined) throw err('L402_HASH_MISMATCH', 'preimage is not 32 bytes of hex', preimage);
  if (bytesToHex(sha256(hexToBytes(p))) !== challenge.invoice.paymentHash)
    throw err('L402_HASH_MISMATCH', "the preimage does not match the invoice's payment hash; paymentHash", challenge.invoice.paymentHash);
  switch (challenge.scheme) {
    case 'l402':
      return { name: 'Authorization', value: `${challenge.authScheme} ${challenge.macaroon}:${p}` };
    case 'payment':
      if (!challenge.supported) throw fail('a session offer is opened as a deposit, not answered as a charge; intent', challenge.intent);
      return { name: 'Authorization', value: paymentChargeAuthorization(challenge.params, p) };
    case 'x402':
      return { name: X402_SIGNATURE_HEADER, value: x402PaymentSignature(challenge.offer, p) };
  }
}
