/**
 * L402 challenges (the spec's form and Aperture's real headers), next to Payment and x402 offers:
 * parsing into one union, the choice among several, and the retry header for each.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeInvoice } from '../bolt11/index.ts';
import { isSatnavError } from '../errors.ts';
import { thrownCode, thrownError } from '../testing/expect-code.ts';
import { parseChallenges, rankChallenges, retryHeader, selectChallenge, type Challenge } from './challenge.ts';
import { decodeMacaroon } from './macaroon.ts';
import { decodePaymentCredential, paymentChallengeId } from './payment.ts';
import { invoice, l402Line, macaroonFor, MPP_SECRET, paymentLine, sessionLine, x402Header } from './test-fixtures.ts';
import { base64ToBytes, utf8 } from './codec.ts';

// The real Aperture challenge from lsat-js `tests/data.ts` (Tierion/lsat-js @ d902b955, MIT),
// kept unchanged: an LSAT line, regtest invoice of 10 sat, payment hash 30a47a6e…09ff.
const APERTURE_LSAT =
  'LSAT macaroon="AgEEbHNhdAJCAAAwpHpumws6ufQoDwiTLNcge0QPUIWA0+tVY+tKPYAJ/zSfmEGlIpNm3VzxuzCqLhEp5KGiyPLUM9L+kcB7uzS+AAIPc2VydmljZXM9bWVtZTowAAISbWVtZV9jYXBhYmlsaXRpZXM9AAAGILA1VCEIExukt4nG+XR9tX8WJ2BVMiHG3UNt1uYJ+NRD", invoice="lnbcrt100n1p3qqkygpp5xzj85m5mpvatnapgpuyfxtxhypa5gr6sskqd8664v04550vqp8lsdq8f3f5z4qcqzpgsp5tpzvsq5pckqgln3ltpy3e9cf6tf2aj82ffa2tted77ltweuaweks9qyyssq0w5da3k40wtdukac7hp5s58hsxf8k8f52c5qneezu4xg3xh87xrnkl5jwtw098d2gjywx20nmkxl2y4vq9fr89kg5kzcwupv9xpdaggp4fc4ms"';
const APERTURE_HASH = '30a47a6e9b0b3ab9f4280f08932cd7207b440f508580d3eb5563eb4a3d8009ff';
/** Today's Aperture sends the same offer twice, LSAT first; fetch joins the lines with ", ". */
const APERTURE_JOINED = `${APERTURE_LSAT}, ${APERTURE_LSAT.replace(/^LSAT/, 'L402')}`;

const inv100 = invoice({ seed: 'a', amountSat: 100 });
const inv50 = invoice({ seed: 'b', amountSat: 50 });
const inv200 = invoice({ seed: 'c', amountSat: 200 });
const amountless = invoice({ seed: 'd' });

const parse = (www: string | string[] | null, paymentRequired: string | null = null) => parseChallenges({ wwwAuthenticate: www, paymentRequired }).challenges;
const only = (www: string, paymentRequired: string | null = null) => {
  const cs = parse(www, paymentRequired);
  expect(cs).toHaveLength(1);
  return cs[0] as Challenge;
};
const skippedOf = (www: string) => parseChallenges({ wwwAuthenticate: `${www}, ${l402Line(inv100)}` }).skipped;

describe('L402', () => {
  it("reads the spec's form: version, token=, invoice=", () => {
    const c = only(`L402 version="0", token="${macaroonFor(inv100.paymentHash)}", invoice="${inv100.paymentRequest}"`);
    expect(c.scheme).toBe('l402');
    if (c.scheme !== 'l402') return;
    expect(c.authScheme).toBe('L402');
    expect(c.version).toBe('0');
    expect(c.invoice.paymentHash).toBe(inv100.paymentHash);
    expect(c.token.identifier.paymentHash).toBe(inv100.paymentHash);
  });
  it('reads the real Aperture header pair as two offers of one token', () => {
    const cs = parse(APERTURE_JOINED);
    expect(cs.map((c) => c.scheme === 'l402' && c.authScheme)).toEqual(['LSAT', 'L402']);
    for (const c of cs) {
      expect(c.invoice.paymentHash).toBe(APERTURE_HASH);
      expect(c.invoice.amountMsat).toBe(10_000n);
      if (c.scheme === 'l402') expect(c.token.identifier.paymentHash).toBe(APERTURE_HASH);
    }
    expect(selectChallenge(cs)).toBe(cs[1]); // L402 before LSAT
  });
  it('reads lsat-js’s spacing (no space after the comma) and a missing version', () => {
    expect(only(APERTURE_LSAT.replace('", invoice', '",invoice')).invoice.paymentHash).toBe(APERTURE_HASH);
  });
  it('reads the separate header lines the same as the joined value', () => {
    expect(parse([APERTURE_LSAT, APERTURE_LSAT.replace(/^LSAT/, 'L402')])).toEqual(parse(APERTURE_JOINED));
  });
  it('accepts scheme and parameter names in any case, answering in canonical case', () => {
    const c = only(`lsat MACAROON="${macaroonFor(inv100.paymentHash)}", Invoice="${inv100.paymentRequest}"`);
    expect(c.scheme === 'l402' && c.authScheme).toBe('LSAT');
  });
  it('ignores unknown parameters', () => {
    expect(only(`${l402Line(inv100)}, realm="x", future="y"`).scheme).toBe('l402');
  });
  it('accepts token= and macaroon= together when they agree', () => {
    const m = macaroonFor(inv100.paymentHash);
    expect(only(`L402 token="${m}", macaroon="${m}", invoice="${inv100.paymentRequest}"`).scheme).toBe('l402');
  });
  it('keeps the macaroon text exactly as sent (url alphabet, no padding)', () => {
    const m = macaroonFor(inv100.paymentHash).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const c = only(l402Line(inv100, { macaroon: m }));
    expect(c.scheme === 'l402' && c.macaroon).toBe(m);
  });
  it('keeps a token whose macaroon hash differs from the invoice (admission refuses it, with its own code)', () => {
    const c = only(l402Line(inv100, { macaroon: macaroonFor(inv50.paymentHash) }));
    expect(c.scheme === 'l402' && c.token.identifier.paymentHash).toBe(inv50.paymentHash);
  });

  const dropped: [string, string, RegExp][] = [
    ['a repeated invoice (which one would be paid?)', `L402 macaroon="${macaroonFor(inv100.paymentHash)}", invoice="${inv100.paymentRequest}", invoice="${inv50.paymentRequest}"`, /repeats parameter invoice/],
    ['token= and macaroon= that differ', `L402 token="${macaroonFor(inv100.paymentHash)}", macaroon="${macaroonFor(inv50.paymentHash)}", invoice="${inv100.paymentRequest}"`, /different token/],
    ['no macaroon', `L402 invoice="${inv100.paymentRequest}"`, /without token= or macaroon=/],
    ['no invoice', `L402 macaroon="${macaroonFor(inv100.paymentHash)}"`, /without invoice=/],
    ['an empty invoice', `L402 macaroon="${macaroonFor(inv100.paymentHash)}", invoice=""`, /without invoice=/],
    ['an unknown version', `L402 version="1", ${l402Line(inv100).slice(5)}`, /version 1/],
    ['token68 instead of parameters', 'L402 abc==', /token68/],
    ['an invoice with a broken checksum', l402Line({ ...inv100, paymentRequest: `${inv100.paymentRequest.slice(0, -1)}q` }), /bolt11/],
    ['a macaroon that is not one', l402Line(inv100, { macaroon: 'AAAA' }), /l402: /],
    ['a v1 macaroon', l402Line(inv100, { macaroon: 'MDAxY2xvY2F0aW9uIGh0dHA6Ly9teWJhbmsvCg' }), /version 1/],
  ];
  for (const [name, line, why] of dropped)
    it(`drops an offer with ${name}, saying why`, () => {
      const e = thrownError(() => parse(line));
      expect(e.code).toBe('L402_CHALLENGE_INVALID');
      expect(e.message).toMatch(why);
    });
});

describe('Payment', () => {
  it('reads a charge beside the L402 lines, with its expiry', () => {
    const cs = parse(`${l402Line(inv100)}, ${paymentLine(inv50, { amountSat: 50 })}`);
    expect(cs.map((c) => c.scheme)).toEqual(['l402', 'payment']);
    const p = cs[1];
    expect(p?.scheme === 'payment' && p.intent === 'charge' && p.charge.amountSat).toBe(50);
    expect(p?.scheme === 'payment' && p.expiresAt).toBe(1_900_000_300);
  });
  it('reads a session offer as unsupported, with its deposit invoice', () => {
    const c = only(sessionLine(inv200));
    expect(c.scheme === 'payment' && [c.intent, c.supported]).toEqual(['session', false]);
    expect(c.invoice.paymentHash).toBe(inv200.paymentHash);
  });
  const dropped: [string, string][] = [
    ['method other than lightning', paymentLine(inv100).replace('method="lightning"', 'method="stripe"')],
    ['an unknown intent', paymentLine(inv100, { intent: 'subscribe' })],
    ['a request amount that differs from the invoice', paymentLine(inv100, { amountSat: 99 })],
    ['a request network that differs from the invoice', paymentLine(inv100, { network: 'mainnet' })],
    ['an expires that is not a time', paymentLine(inv100, { expires: 'soon' })],
    ['a request that is not JSON', paymentLine(inv100).replace(/request="[^"]*"/, 'request="cQ"')],
    ['a session without a deposit invoice', paymentLine(inv100, { intent: 'session', request: { amount: '3', currency: 'sat', paymentHash: inv100.paymentHash } })],
    ['an incomplete offer', 'Payment id="a", realm="r"'],
  ];
  for (const [name, line] of dropped) it(`drops an offer with ${name}`, () => expect(thrownCode(() => parse(line))).toBe('L402_CHALLENGE_INVALID'));
  it('keeps a charge whose declared payment hash differs (admission refuses it)', () => {
    const c = only(paymentLine(inv100, { paymentHash: inv50.paymentHash }));
    expect(c.scheme === 'payment' && c.intent === 'charge' && c.charge.paymentHash).toBe(inv50.paymentHash);
  });
});

describe('x402', () => {
  it('reads the Lightning entries of PAYMENT-REQUIRED and skips the other chains', () => {
    const { challenges, skipped } = parseChallenges({ wwwAuthenticate: null, paymentRequired: x402Header([inv100, inv50]) });
    expect(challenges.map((c) => c.scheme === 'x402' && c.invoice.paymentHash)).toEqual([inv100.paymentHash, inv50.paymentHash]);
    expect(skipped.some((s) => /eip155/.test(s))).toBe(true);
  });
  it('reads the Alby dialect', () => expect(only('', x402Header([inv100], { alby: true })).scheme).toBe('x402'));
  it('drops an entry whose amount differs from its invoice', () =>
    expect(thrownCode(() => parse(null, x402Header([inv100], { amountMsat: () => '100001' })))).toBe('L402_CHALLENGE_INVALID'));
  it('drops an entry whose network differs from its invoice', () =>
    expect(thrownCode(() => parse(null, x402Header([inv100], { network: 'bip122:000000000019d6689c085ae165831e93' })))).toBe('L402_CHALLENGE_INVALID'));
  it('keeps the x402 offer when WWW-Authenticate does not parse, and the reverse', () => {
    expect(parse('L402 token="unterminated', x402Header([inv100])).map((c) => c.scheme)).toEqual(['x402']);
    expect(parse(l402Line(inv100), 'not base64!').map((c) => c.scheme)).toEqual(['l402']);
  });
});

describe('no offer', () => {
  for (const [name, www] of [
    ['no header at all', null],
    ['an empty header', ''],
    ['only Basic and Bearer', 'Basic realm="x", Bearer abc'],
  ] as const)
    it(`refuses ${name}`, () => expect(thrownCode(() => parse(www))).toBe('L402_CHALLENGE_INVALID'));
  it('names the first reason an offer was dropped', () => expect(thrownError(() => parse('L402 invoice="x"')).message).toMatch(/without token= or macaroon=/));
  it('lists every reason next to the offers it kept', () => expect(skippedOf('Basic realm="x", L402 invoice="x"')).toHaveLength(2));
});

describe('the same header read again', () => {
  it('gives the offers it gave before (its invoices decoded once), in lists of its own', () => {
    const www = [l402Line(inv100), paymentLine(inv50, { amountSat: 50 })];
    const first = parseChallenges({ wwwAuthenticate: www, paymentRequired: x402Header([inv200]) });
    const again = parseChallenges({ wwwAuthenticate: www, paymentRequired: x402Header([inv200]) });
    expect(again.challenges).toHaveLength(3);
    again.challenges.forEach((c, i) => expect(c).toBe(first.challenges[i]));
    (first.challenges as Challenge[]).reverse();
    expect(again.challenges.map((c) => c.scheme)).toEqual(['l402', 'payment', 'x402']);
    // Line by line: the deposit code reads WWW-Authenticate alone, the payer both headers.
    expect(parse(www[0]!)[0]).toBe(again.challenges[0]);
  });
  it('another header gives its own offers', () => {
    expect(only(l402Line(inv200)).invoice.paymentHash).toBe(inv200.paymentHash);
    expect(only(l402Line(inv50)).invoice.paymentHash).toBe(inv50.paymentHash);
  });
});

describe('choosing (cheapest, then L402 > Payment > x402, then L402 > LSAT, then server order)', () => {
  it('takes the cheapest offer whatever its scheme', () => {
    const cs = parse(`${l402Line(inv100)}, ${paymentLine(inv200, { amountSat: 200 })}`, x402Header([inv50]));
    expect(selectChallenge(cs).invoice.paymentHash).toBe(inv50.paymentHash);
    expect(rankChallenges(cs).map((c) => c.scheme)).toEqual(['x402', 'l402', 'payment']);
  });
  it('on a tie prefers L402, then Payment, then x402', () => {
    const same = [invoice({ seed: 't1', amountSat: 10 }), invoice({ seed: 't2', amountSat: 10 }), invoice({ seed: 't3', amountSat: 10 })] as const;
    const cs = parse(`${paymentLine(same[0], { amountSat: 10 })}, ${l402Line(same[1])}`, x402Header([same[2]]));
    expect(rankChallenges(cs).map((c) => c.scheme)).toEqual(['l402', 'payment', 'x402']);
  });
  it('puts amountless invoices last: they cannot be checked against a limit', () => {
    const cs = parse(`${l402Line(amountless)}, ${l402Line(inv200)}`);
    expect(rankChallenges(cs).map((c) => c.invoice.paymentHash)).toEqual([inv200.paymentHash, amountless.paymentHash]);
  });
  it('keeps the server’s order among equal offers', () => {
    const a = invoice({ seed: 'eq1', amountSat: 7 });
    const b = invoice({ seed: 'eq2', amountSat: 7 });
    expect(rankChallenges(parse(`${l402Line(a)}, ${l402Line(b)}`)).map((c) => c.invoice.paymentHash)).toEqual([a.paymentHash, b.paymentHash]);
  });
  it('never chooses a session offer, and refuses when that is all there is', () => {
    const cs = parse(`${sessionLine(inv50)}, ${l402Line(inv100)}`);
    expect(selectChallenge(cs).scheme).toBe('l402');
    expect(thrownCode(() => selectChallenge(parse(sessionLine(inv50))))).toBe('L402_CHALLENGE_INVALID');
  });
});

describe('retry header', () => {
  it('L402: "L402 <macaroon as sent>:<preimage in lowercase hex>"', () => {
    const c = only(l402Line(inv100));
    const mac = c.scheme === 'l402' ? c.macaroon : '';
    expect(retryHeader(c, inv100.preimage.toUpperCase())).toEqual({ name: 'Authorization', value: `L402 ${mac}:${inv100.preimage}` });
    // Aperture's own matcher reads it.
    expect(/^(LSAT|L402) (.*?):([a-f0-9]{64})$/.exec(retryHeader(c, inv100.preimage).value)?.[2]).toBe(mac);
  });
  it('LSAT: answers in the scheme the server offered', () => {
    expect(retryHeader(only(l402Line(inv100, { scheme: 'LSAT' })), inv100.preimage).value.startsWith('LSAT ')).toBe(true);
  });
  it('Payment: a credential Aperture verifies — the echoed challenge reproduces its HMAC id', () => {
    const c = only(paymentLine(inv100));
    const { name, value } = retryHeader(c, inv100.preimage);
    expect(name).toBe('Authorization');
    const cred = decodePaymentCredential(value);
    expect(cred.payload).toEqual({ preimage: inv100.preimage });
    expect(paymentChallengeId(MPP_SECRET, cred.challenge)).toBe(cred.challenge.id);
  });
  it('x402: PAYMENT-SIGNATURE carrying the chosen requirements', () => {
    const c = only('', x402Header([inv100]));
    const { name, value } = retryHeader(c, inv100.preimage);
    expect(name).toBe('PAYMENT-SIGNATURE');
    const body = JSON.parse(utf8(base64ToBytes(value) as Uint8Array) as string) as { accepted: unknown; payload: unknown };
    expect(body.payload).toEqual({ invoice: inv100.paymentRequest, preimage: inv100.preimage });
    expect(body.accepted).toEqual(c.scheme === 'x402' && c.offer.accepted);
  });
  it("refuses a preimage that is not this invoice's (it would be cached as a credential that never works)", () => {
    for (const c of parse(`${l402Line(inv100)}, ${paymentLine(inv100)}`, x402Header([inv100])))
      expect(thrownCode(() => retryHeader(c, inv50.preimage))).toBe('L402_HASH_MISMATCH');
    expect(thrownCode(() => retryHeader(parse(APERTURE_JOINED)[1]!, '00'.repeat(32)))).toBe('L402_HASH_MISMATCH');
  });
  for (const bad of ['', 'xyz', 'ab'.repeat(33), ` ${'ab'.repeat(32)}`])
    it(`refuses preimage ${JSON.stringify(bad)}`, () => expect(thrownCode(() => retryHeader(only(l402Line(inv100)), bad))).toBe('L402_HASH_MISMATCH'));
  it('refuses to answer a session offer yet', () => expect(thrownCode(() => retryHeader(only(sessionLine(inv50)), inv50.preimage))).toBe('L402_CHALLENGE_INVALID'));
});

// ---- fuzz ---------------------------------------------------------------------------------------

/** Every offer handed out must carry an invoice that decodes to the same thing on its own. */
function checkOffers(www: string | null, pr: string | null) {
  let cs: readonly Challenge[];
  try {
    cs = parseChallenges({ wwwAuthenticate: www, paymentRequired: pr }).challenges;
  } catch (e) {
    if (!isSatnavError(e)) throw e;
    return;
  }
  expect(cs.length).toBeGreaterThan(0);
  for (const c of cs) {
    expect(decodeInvoice(c.invoice.paymentRequest)).toEqual(c.invoice);
    if (c.scheme === 'l402') expect(decodeMacaroon(c.macaroon)).toEqual(c.token);
  }
}

describe('fuzz', () => {
  it('arbitrary strings: only SatnavErrors, never an offer without a valid invoice', () => {
    fc.assert(fc.property(fc.option(fc.string({ maxLength: 300 })), fc.option(fc.string({ maxLength: 300 })), checkOffers), { numRuns: 3000 });
  });
  it('challenge-shaped strings built from real parts, cut and spliced', () => {
    const invs = [inv100, inv50, amountless];
    const part = fc.oneof(
      fc.constantFrom('L402 ', 'LSAT ', 'Payment ', 'Basic ', ', ', ',', ' ', '"', '\\', '=', 'token=', 'macaroon=', 'invoice=', 'version="0"', 'id=', 'request='),
      fc.constantFrom(...invs.map((i) => `invoice="${i.paymentRequest}"`), ...invs.map((i) => `macaroon="${macaroonFor(i.paymentHash)}"`)),
      fc.constantFrom(...invs.map((i) => l402Line(i)), ...invs.map((i) => paymentLine(i, { amountSat: 100 })), APERTURE_LSAT),
      fc.string({ maxLength: 8 }),
    );
    const spliced = fc.array(part, { maxLength: 8 }).map((a) => a.join(''));
    const cut = fc.tuple(fc.constantFrom(APERTURE_JOINED, l402Line(inv100), paymentLine(inv100, { amountSat: 100 })), fc.nat(), fc.nat(), fc.string({ maxLength: 4 })).map(([s, a, b, ins]) => {
      const i = a % (s.length + 1);
      const j = i + (b % 8);
      return s.slice(0, i) + ins + s.slice(j);
    });
    const pr = fc.oneof(
      fc.constant(null),
      fc.constant(x402Header([inv100])),
      fc.tuple(fc.nat(), fc.string({ maxLength: 3 })).map(([a, ins]) => {
        const s = x402Header([inv100, amountless]);
        const i = a % s.length;
        return s.slice(0, i) + ins + s.slice(i + 1);
      }),
    );
    // Each run verifies a few invoice signatures (secp256k1 recovery): kept small for the shared cores.
    fc.assert(fc.property(fc.oneof(spliced, cut), pr, checkOffers), { numRuns: 300 });
  });
});
