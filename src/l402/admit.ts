/**
 * Admission: may the wallet pay this offer? Pure; the checks, in this order, each with its code:
 *
 * | check                                                            | code                  |
 * | ---------------------------------------------------------------- | --------------------- |
 * | the invoice's payment hash is the one the offer binds to (L402: the macaroon identifier's; Payment: `methodDetails.paymentHash` when sent) | L402_HASH_MISMATCH |
 * | the invoice is for the node's network                            | L402_WRONG_NETWORK    |
 * | neither the invoice nor the offer (Payment `expires`) has expired | L402_INVOICE_EXPIRED |
 * | an L402 token is not already past its own expiry caveat          | L402_MACAROON_INVALID |
 * | the invoice names an amount (an amountless one can't be checked) | L402_NO_AMOUNT        |
 * | the amount is within the per-request ceiling                     | L402_ABOVE_CEILING    |
 *
 * The hash comes first: an offer whose invoice pays for something else is hostile or broken, and
 * saying so matters more than any price. Each message is a sentence a person can act on.
 *
 * A session offer (Payment `intent="session"`) is refused here: it is a custodial deposit, never a
 * one-request charge. `admitSession` below is its own admission, for the session payer only.
 */
import { amountSat, isExpired, type Network } from '../bolt11/index.ts';
import { assertSats } from '../base/sats.ts';
import { isSatnavError, moduleErrors, type SatnavError } from '../errors.ts';
import { rankChallenges, retryHeader, type Challenge, type PaymentSessionChallenge, type RetryHeader } from './challenge.ts';

const err = moduleErrors('l402');

export interface AdmitContext {
  /** Unix seconds. */
  readonly now: number;
  /** The network of the wallet's node. */
  readonly network: Network;
  /** Most the wallet pays for one request without asking, in sat. */
  readonly ceilingSat: number;
}

export interface Admitted {
  readonly scheme: Challenge['scheme'];
  readonly paymentHash: string;
  readonly amountSat: number;
  /** The BOLT11 payment request to pay. */
  readonly invoice: string;
  /** Unix seconds: pay before this (the invoice's expiry, or the offer's when sooner). */
  readonly expiresAt: number;
  /** L402 services the token is for (empty when unrestricted or not L402). */
  readonly services: readonly string[];
  /** Unix seconds when the L402 token stops working; null when it has no expiry or is not L402. */
  readonly credentialExpiresAt: number | null;
  /** Whether the proof may be sent again on later requests (L402) or buys one request (Payment charge, x402). */
  readonly reusable: boolean;
  readonly challenge: Challenge;
  /** The header for the retry, once paid; refuses a preimage that does not match the invoice. */
  authorize(preimage: string): RetryHeader;
}

const iso = (unix: number) => new Date(unix * 1000).toISOString();

export function admit(challenge: Challenge, ctx: AdmitContext): Admitted {
  if (!Number.isSafeInteger(ctx.now) || ctx.now < 0) throw err('L402_CHALLENGE_INVALID', 'now is not unix seconds', ctx.now);
  assertSats(ctx.ceilingSat, 'ceilingSat');
  // A session is a custodial deposit, never a one-request charge: only admitSession (and the session payer) takes it.
  if (challenge.scheme === 'payment' && !challenge.supported)
    throw err('L402_CHALLENGE_INVALID', 'this site asks for a deposit session, which is opened as a deposit, not paid as a charge; intent', challenge.intent);
  const inv = challenge.invoice;

  const bound = challenge.scheme === 'l402' ? challenge.token.identifier.paymentHash : challenge.scheme === 'payment' ? challenge.charge.paymentHash : undefined;
  if (bound !== undefined && bound !== inv.paymentHash)
    throw err(
      'L402_HASH_MISMATCH',
      `the invoice would not unlock what the site offers: it pays for ${inv.paymentHash.slice(0, 16)}…, the offer is bound to ${bound.slice(0, 16)}…; invoice paymentHash`,
      inv.paymentHash,
      { paymentHash: inv.paymentHash, expected: bound },
    );

  if (inv.network !== ctx.network)
    throw err('L402_WRONG_NETWORK', `the invoice is for the ${inv.network} network but your node is on ${ctx.network}; invoice network`, inv.network, {
      network: inv.network,
      nodeNetwork: ctx.network,
    });

  let expiresAt = inv.expiresAt;
  if (challenge.scheme === 'payment' && challenge.expiresAt !== undefined) expiresAt = Math.min(expiresAt, challenge.expiresAt);
  if (challenge.scheme === 'x402' && challenge.offer.maxTimeoutSeconds !== undefined) expiresAt = Math.min(expiresAt, ctx.now + challenge.offer.maxTimeoutSeconds);
  if (isExpired(inv, ctx.now) || ctx.now >= expiresAt)
    throw err('L402_INVOICE_EXPIRED', `the site's invoice expired at ${iso(expiresAt)}, before it could be paid; expiresAt`, expiresAt, { expiresAt });

  const credentialExpiresAt = challenge.scheme === 'l402' ? challenge.token.expiresAt : null;
  if (credentialExpiresAt !== null && ctx.now >= credentialExpiresAt)
    throw err('L402_MACAROON_INVALID', `the access token the site offers already expired at ${iso(credentialExpiresAt)}, so paying would buy nothing; expiresAt`, credentialExpiresAt, {
      expiresAt: credentialExpiresAt,
    });

  const amount = amountSat(inv);
  if (amount === null)
    throw err('L402_NO_AMOUNT', 'the invoice does not say how much it asks, so it cannot be checked against your limits; invoice', inv.paymentRequest);
  if (amount > ctx.ceilingSat)
    throw err('L402_ABOVE_CEILING', `the site asks ${amount} sat, more than the ${ctx.ceilingSat} sat you allow per request; amountSat`, amount, {
      amountSat: amount,
      ceilingSat: ctx.ceilingSat,
    });

  return {
    scheme: challenge.scheme,
    paymentHash: inv.paymentHash,
    amountSat: amount,
    invoice: inv.paymentRequest,
    expiresAt,
    services: challenge.scheme === 'l402' ? (challenge.token.services ?? []).map((s) => s.name) : [],
    credentialExpiresAt,
    reusable: challenge.scheme === 'l402',
    challenge,
    authorize: (preimage: string) => retryHeader(challenge, preimage),
  };
}

/**
 * The first offer, in `rankChallenges` order, that passes admission. When none does, throws the
 * preferred offer's refusal: it is the one the person would have paid.
 */
export function admitBest(challenges: readonly Challenge[], ctx: AdmitContext): Admitted {
  let first: SatnavError | undefined;
  for (const c of rankChallenges(challenges)) {
    try {
      return admit(c, ctx);
    } catch (e) {
      if (!isSatnavError(e)) throw e;
      first ??= e;
    }
  }
  throw first ?? err('L402_CHALLENGE_INVALID', 'no supported offer among', challenges.map((c) => c.scheme).join(','));
}

/**
 * What a session offer (Payment `intent="session"`, a custodial deposit) asks, once admitted.
 * The session payer (src/deposit/session.ts) is the only one that acts on it.
 */
export interface AdmittedSession {
  readonly paymentHash: string;
  /** The deposit: paid in full, held by the site, counted as spent. */
  readonly depositSat: number;
  /** What one request costs, drawn from the deposit. */
  readonly unitSat: number;
  readonly unitType?: string;
  /** The BOLT11 deposit invoice to pay. */
  readonly invoice: string;
  /** Unix seconds: pay before this (the invoice's expiry, or the offer's when sooner). */
  readonly expiresAt: number;
  readonly idleTimeoutSeconds?: number;
  readonly challenge: PaymentSessionChallenge;
}

/**
 * Admission of a session offer. The checks, in this order (hash, network and expiry as `admit`):
 *
 * | check                                                                  | code                  |
 * | ---------------------------------------------------------------------- | --------------------- |
 * | the deposit invoice pays the request's `paymentHash`                   | L402_HASH_MISMATCH    |
 * | the invoice is for the node's network                                  | L402_WRONG_NETWORK    |
 * | neither the invoice nor the offer has expired                          | L402_INVOICE_EXPIRED  |
 * | the invoice names an amount                                            | L402_NO_AMOUNT        |
 * | `depositAmount`, when sent, is the invoice's amount                    | L402_CHALLENGE_INVALID |
 * | the unit price is above zero and no more than the deposit              | L402_CHALLENGE_INVALID |
 * | the deposit is within the ceiling                                      | L402_ABOVE_CEILING    |
 */
export function admitSession(challenge: Challenge, ctx: AdmitContext): AdmittedSession {
  if (!Number.isSafeInteger(ctx.now) || ctx.now < 0) throw err('L402_CHALLENGE_INVALID', 'now is not unix seconds', ctx.now);
  assertSats(ctx.ceilingSat, 'ceilingSat');
  if (challenge.scheme !== 'payment' || challenge.intent !== 'session') throw err('L402_CHALLENGE_INVALID', 'not a session offer', challenge.scheme);
  const { session } = challenge;
  const inv = challenge.invoice;
  if (inv.paymentHash !== session.paymentHash)
    throw err('L402_HASH_MISMATCH', `the deposit invoice pays for ${inv.paymentHash.slice(0, 16)}…, the offer names ${session.paymentHash.slice(0, 16)}…; invoice paymentHash`, inv.paymentHash, {
      paymentHash: inv.paymentHash,
      expected: session.paymentHash,
    });
  if (inv.network !== ctx.network)
    throw err('L402_WRONG_NETWORK', `the deposit invoice is for the ${inv.network} network but your node is on ${ctx.network}; invoice network`, inv.network, {
      network: inv.network,
      nodeNetwork: ctx.network,
    });
  const expiresAt = challenge.expiresAt === undefined ? inv.expiresAt : Math.min(inv.expiresAt, challenge.expiresAt);
  if (isExpired(inv, ctx.now) || ctx.now >= expiresAt)
    throw err('L402_INVOICE_EXPIRED', `the site's deposit offer expired at ${iso(expiresAt)}, before it could be paid; expiresAt`, expiresAt, { expiresAt });
  const depositSat = amountSat(inv);
  if (depositSat === null) throw err('L402_NO_AMOUNT', 'the deposit invoice does not say how much it asks, so it cannot be checked against your limits; invoice', inv.paymentRequest);
  if (session.depositSat !== undefined && session.depositSat !== depositSat)
    throw err('L402_CHALLENGE_INVALID', `the offer says a deposit of ${session.depositSat} sat but its invoice asks ${depositSat} sat; depositAmount`, session.depositSat);
  if (session.unitSat === 0 || session.unitSat > depositSat)
    throw err('L402_CHALLENGE_INVALID', `a request costs ${session.unitSat} sat, which a ${depositSat} sat deposit cannot pay for; amount`, session.unitSat);
  if (depositSat > ctx.ceilingSat)
    throw err('L402_ABOVE_CEILING', `the site asks a deposit of ${depositSat} sat, more than the ${ctx.ceilingSat} sat you allow; amountSat`, depositSat, {
      amountSat: depositSat,
      ceilingSat: ctx.ceilingSat,
    });
  return {
    paymentHash: inv.paymentHash,
    depositSat,
    unitSat: session.unitSat,
    ...(session.unitType !== undefined && { unitType: session.unitType }),
    invoice: inv.paymentRequest,
    expiresAt,
    ...(session.idleTimeoutSeconds !== undefined && { idleTimeoutSeconds: session.idleTimeoutSeconds }),
    challenge,
  };
}
