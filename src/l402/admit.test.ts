/**
 * Admission: each refusal with its own code and a message a person can act on, the normalized
 * offer it returns otherwise, and the fallback across several offers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSatnavError } from '../errors.ts';
import { thrownCode, thrownError } from '../testing/expect-code.ts';
import { admit, admitBest, type AdmitContext } from './admit.ts';
import { parseChallenges, type Challenge } from './challenge.ts';
import { invoice, l402Line, macaroonFor, NOW, paymentLine, sessionLine, x402Header } from './test-fixtures.ts';

const ctx: AdmitContext = { now: NOW, network: 'regtest', ceilingSat: 1_000 };
const one = (www: string | null, pr: string | null = null): Challenge => parseChallenges({ wwwAuthenticate: www, paymentRequired: pr }).challenges[0] as Challenge;

const inv = invoice({ seed: 'a', amountSat: 100 });
const other = invoice({ seed: 'b', amountSat: 100 });

describe('admit: accepted offers', () => {
  it('L402: normalized, reusable, with services and the token’s expiry', () => {
    const c = one(l402Line(inv, { macaroon: macaroonFor(inv.paymentHash, ['services=demo:0,news:1', 'demo_valid_until=1900003600']) }));
    const a = admit(c, ctx);
    expect(a).toMatchObject({
      scheme: 'l402',
      paymentHash: inv.paymentHash,
      amountSat: 100,
      invoice: inv.paymentRequest,
      expiresAt: NOW - 60 + 3600,
      services: ['demo', 'news'],
      credentialExpiresAt: 1900003600,
      reusable: true,
    });
    expect(a.authorize(inv.preimage).value).toMatch(/^L402 [A-Za-z0-9+/=]+:[0-9a-f]{64}$/);
  });
  it('Payment charge: one request, the offer’s expiry when sooner than the invoice’s', () => {
    const a = admit(one(paymentLine(inv)), ctx);
    expect(a).toMatchObject({ scheme: 'payment', amountSat: 100, expiresAt: NOW + 300, services: [], credentialExpiresAt: null, reusable: false });
    expect(a.authorize(inv.preimage).value.startsWith('Payment ')).toBe(true);
  });
  it('x402: one request, the invoice’s expiry capped by maxTimeoutSeconds', () => {
    const a = admit(one(null, x402Header([inv])), ctx);
    expect(a).toMatchObject({ scheme: 'x402', amountSat: 100, expiresAt: NOW + 600, reusable: false });
    expect(a.authorize(inv.preimage).name).toBe('PAYMENT-SIGNATURE');
  });
  it('accepts an amount exactly at the ceiling, and rounds msat up', () => {
    expect(admit(one(l402Line(invoice({ seed: 'c', amountSat: 1_000 }))), ctx).amountSat).toBe(1_000);
    expect(admit(one(l402Line(invoice({ seed: 'm', amountMsat: 100_001n }))), ctx).amountSat).toBe(101);
  });
  it('an L402 token without any expiry caveat has credentialExpiresAt null', () =>
    expect(admit(one(l402Line(inv, { macaroon: macaroonFor(inv.paymentHash, []) })), ctx).credentialExpiresAt).toBeNull());
  it('a Payment charge without a declared payment hash is still bound by its invoice', () => {
    const c = one(paymentLine(inv, { request: { amount: '100', currency: 'sat', methodDetails: { invoice: inv.paymentRequest, network: 'regtest' } } }));
    expect(admit(c, ctx).paymentHash).toBe(inv.paymentHash);
  });
  it('authorize refuses a preimage of another invoice', () => expect(thrownCode(() => admit(one(l402Line(inv)), ctx).authorize(other.preimage))).toBe('L402_HASH_MISMATCH'));
});

describe('admit: refusals, each with its own code and a readable sentence', () => {
  const cases: [string, () => Challenge, Partial<AdmitContext>, string, RegExp][] = [
    ['an L402 invoice whose hash is not the macaroon’s', () => one(l402Line(inv, { macaroon: macaroonFor(other.paymentHash) })), {}, 'L402_HASH_MISMATCH', /would not unlock/],
    ['a Payment invoice whose hash is not the declared one', () => one(paymentLine(inv, { paymentHash: other.paymentHash })), {}, 'L402_HASH_MISMATCH', /would not unlock/],
    ['an expired invoice', () => one(l402Line(invoice({ seed: 'old', amountSat: 10, timestamp: NOW - 7200 }))), {}, 'L402_INVOICE_EXPIRED', /expired at 2030-/],
    ['an invoice expiring right now', () => one(l402Line(invoice({ seed: 'edge', amountSat: 10, timestamp: NOW - 3600 }))), {}, 'L402_INVOICE_EXPIRED', /expired/],
    ['an expired Payment offer around a live invoice', () => one(paymentLine(inv, { expires: '2030-03-17T17:46:00Z' })), {}, 'L402_INVOICE_EXPIRED', /expired at 2030-03-17T17:46:00/],
    ['an L402 token already past its expiry caveat', () => one(l402Line(inv, { macaroon: macaroonFor(inv.paymentHash, ['demo_valid_until=1899999999']) })), {}, 'L402_MACAROON_INVALID', /buy nothing/],
    ['a mainnet invoice for a regtest node', () => one(l402Line(invoice({ seed: 'main', amountSat: 10, currency: 'bc' }))), {}, 'L402_WRONG_NETWORK', /bitcoin network but your node is on regtest/],
    ['a regtest invoice for a mainnet node', () => one(l402Line(inv)), { network: 'bitcoin' }, 'L402_WRONG_NETWORK', /regtest network/],
    ['a testnet x402 offer for a signet node', () => one(null, x402Header([invoice({ seed: 'tn', amountSat: 5, currency: 'tb' })], { network: 'bip122:000000000933ea01ad0ee984209779ba' })), { network: 'signet' }, 'L402_WRONG_NETWORK', /testnet/],
    ['an amountless invoice', () => one(l402Line(invoice({ seed: 'any' }))), {}, 'L402_NO_AMOUNT', /does not say how much/],
    ['an amountless x402 invoice (Alby dialect, no amount field)', () => one(null, x402Header([invoice({ seed: 'any2' })], { alby: true })), {}, 'L402_NO_AMOUNT', /does not say how much/],
    ['an amount above the ceiling', () => one(l402Line(inv)), { ceilingSat: 99 }, 'L402_ABOVE_CEILING', /asks 100 sat, more than the 99 sat you allow per request/],
    ['1 msat above the ceiling', () => one(l402Line(invoice({ seed: 'msat', amountMsat: 99_001n }))), { ceilingSat: 99 }, 'L402_ABOVE_CEILING', /asks 100 sat/],
    ['anything with a ceiling of 0', () => one(l402Line(inv)), { ceilingSat: 0 }, 'L402_ABOVE_CEILING', /0 sat you allow/],
    ['a session offer (a custodial deposit, never a charge)', () => one(sessionLine(inv)), {}, 'L402_CHALLENGE_INVALID', /deposit session/],
  ];
  for (const [name, challenge, over, code, message] of cases)
    it(`refuses ${name}`, () => {
      const e = thrownError(() => admit(challenge(), { ...ctx, ...over }));
      expect(e.code).toBe(code);
      expect(e.message).toMatch(/^l402: /);
      expect(e.message).toMatch(message);
    });
  it('checks the hash before anything else (a mismatched, expired, expensive offer is a mismatch)', () => {
    const old = invoice({ seed: 'old2', amountSat: 5_000, timestamp: NOW - 7200, currency: 'bc' });
    expect(thrownCode(() => admit(one(l402Line(old, { macaroon: macaroonFor(inv.paymentHash) })), ctx))).toBe('L402_HASH_MISMATCH');
  });
  it('puts the numbers in details for the UI', () => {
    expect(thrownError(() => admit(one(l402Line(inv)), { ...ctx, ceilingSat: 10 })).details).toEqual({ amountSat: 100, ceilingSat: 10 });
  });
  for (const bad of [-1, 1.5, Number.NaN, 21_000_000 * 100_000_000 + 1])
    it(`refuses a ceiling of ${bad}`, () => expect(thrownCode(() => admit(one(l402Line(inv)), { ...ctx, ceilingSat: bad }))).toBe('INVALID_AMOUNT'));
  it('refuses a now that is not unix seconds', () => expect(thrownCode(() => admit(one(l402Line(inv)), { ...ctx, now: Date.now() + 0.5 }))).toBe('L402_CHALLENGE_INVALID'));
});

describe('admitBest', () => {
  const cheapExpired = invoice({ seed: 'cheap-old', amountSat: 1, timestamp: NOW - 7200 });
  it('falls back to the next offer when the preferred one is refused', () => {
    const { challenges } = parseChallenges({ wwwAuthenticate: `${l402Line(cheapExpired)}, ${paymentLine(inv)}` });
    expect(admitBest(challenges, ctx).scheme).toBe('payment');
  });
  it('when every offer is refused, reports the preferred one’s reason', () => {
    const { challenges } = parseChallenges({ wwwAuthenticate: `${l402Line(cheapExpired)}, ${l402Line(inv)}` });
    expect(thrownCode(() => admitBest(challenges, { ...ctx, ceilingSat: 50 }))).toBe('L402_INVOICE_EXPIRED');
  });
  it('refuses a list of only session offers', () => {
    const { challenges } = parseChallenges({ wwwAuthenticate: sessionLine(inv) });
    expect(thrownCode(() => admitBest(challenges, ctx))).toBe('L402_CHALLENGE_INVALID');
  });
  it('never admits more than the ceiling, on the node’s network, unexpired, bound to its hash', () => {
    const pool = [
      ...[1, 10, 100, 999, 1_000, 1_001, 5_000].map((amountSat, i) => invoice({ seed: `pool${i}`, amountSat })),
      invoice({ seed: 'pool-main', amountSat: 10, currency: 'bc' }),
      invoice({ seed: 'pool-old', amountSat: 10, timestamp: NOW - 9000 }),
      invoice({ seed: 'pool-any' }),
    ];
    const line = fc.tuple(fc.nat(pool.length - 1), fc.nat(pool.length - 1), fc.constantFrom('l402', 'payment')).map(([i, j, kind]) => {
      const a = pool[i]!;
      return kind === 'l402' ? l402Line(a, { macaroon: macaroonFor(pool[j]!.paymentHash) }) : paymentLine(a, { paymentHash: pool[j]!.paymentHash, amountSat: 10 });
    });
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 2_000 }), (lines, ceilingSat) => {
        let challenges: readonly Challenge[];
        try {
          challenges = parseChallenges({ wwwAuthenticate: lines.join(', ') }).challenges;
        } catch (e) {
          expect(isSatnavError(e)).toBe(true);
          return;
        }
        try {
          const a = admitBest(challenges, { ...ctx, ceilingSat });
          expect(a.amountSat).toBeLessThanOrEqual(ceilingSat);
          expect(a.challenge.invoice.network).toBe('regtest');
          expect(a.expiresAt).toBeGreaterThan(NOW);
          if (a.challenge.scheme === 'l402') expect(a.challenge.token.identifier.paymentHash).toBe(a.paymentHash);
        } catch (e) {
          expect(isSatnavError(e)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
