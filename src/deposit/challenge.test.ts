import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isSatnavError } from '../errors.ts';
import { l402Line } from '../l402/test-fixtures.ts';
import { parseDepositChallenge } from './challenge.ts';
import { depositLine, inv, ORIGIN } from './test-fixtures.ts';

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return isSatnavError(e) ? e.code : 'not SatnavError';
  }
  return 'no error';
};

describe('parseDepositChallenge', () => {
  it('reads every parameter and resolves release/status on the origin', () => {
    const c = parseDepositChallenge(depositLine(), ORIGIN)!;
    expect(c).toMatchObject({ realm: 'articles', amountSat: 5000, maxHoldSeconds: 3600, maxCltv: 40, idleSeconds: 600, nonce: '11'.repeat(32) });
    expect(c.release).toBe('https://news.example/deposit/release');
    expect(c.status).toBe('https://news.example/deposit/status');
    expect(c.invoice.paymentHash).toBe(inv.paymentHash);
  });
  it('returns null for an L402-only 402', () => {
    expect(parseDepositChallenge(l402Line(inv), ORIGIN)).toBeNull();
  });
  it('finds the deposit next to an L402 challenge in one value', () => {
    expect(parseDepositChallenge(`${l402Line(inv)}, ${depositLine()}`, ORIGIN)?.amountSat).toBe(5000);
  });
  const bad: [string, string][] = [
    ['missing invoice', depositLine({ invoice: '<drop>' })],
    ['missing release', depositLine({ release: '<drop>' })],
    ['missing status', depositLine({ status: '<drop>' })],
    ['missing forfeit', depositLine({ forfeit: '<drop>' })],
    ['missing realm', depositLine({ realm: '<drop>' })],
    ['missing nonce', depositLine({ nonce: '<drop>' })],
    ['uppercase nonce', depositLine({ nonce: 'AA'.repeat(32) })],
    ['short nonce', depositLine({ nonce: 'aa' })],
    ['amount not the invoice', depositLine({ amount: '4999' })],
    ['amount zero', depositLine({ amount: '0' })],
    ['amount with sign', depositLine({ amount: '+5000' })],
    ['leading zero', depositLine({ max_hold: '0600' })],
    ['max_hold zero', depositLine({ max_hold: '0' })],
    ['max_cltv missing', depositLine({ max_cltv: '<drop>' })],
    ['idle above max_hold', depositLine({ idle: '7200' })],
    ['huge number', depositLine({ idle: '99999999999' })],
    ['release off-origin', depositLine({ release: 'https://evil.example/r' })],
    ['status on http', depositLine({ status: 'http://news.example/s' })],
    ['garbage invoice', depositLine({ invoice: 'lnbc1garbage' })],
    ['two deposit challenges', `${depositLine()}, ${depositLine()}`],
    ['repeated param', `${depositLine()}, realm="x"`],
    ['token68 form', 'Deposit abcdef=='],
    ['forfeit terms too long to keep', depositLine({ forfeit: 'x'.repeat(2049) })],
    ['release URL too long to keep', depositLine({ release: `/r?${'a'.repeat(2048)}` })],
    ['syntax error', 'Deposit realm="unterminated'],
  ];
  for (const [name, header] of bad) {
    it(`refuses: ${name}`, () => expect(code(() => parseDepositChallenge(header, ORIGIN))).toBe('DEPOSIT_CHALLENGE_INVALID'));
  }
  it('fuzz: never throws anything but SatnavError', () => {
    const line = depositLine();
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.tuple(fc.nat(line.length), fc.nat(line.length), fc.string()).map(([a, b, s]) => line.slice(0, Math.min(a, b)) + s + line.slice(Math.max(a, b)))), (h) => {
        try {
          parseDepositChallenge(h, ORIGIN);
        } catch (e) {
          if (!isSatnavError(e)) throw e;
          expect(e.code).toBe('DEPOSIT_CHALLENGE_INVALID');
        }
      }),
      { numRuns: 2000 },
    );
  });
});
