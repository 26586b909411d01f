import { describe, expect, it } from 'vitest';
import { MAX_SATS, assertSats, isSats, msatToSat } from './sats.ts';

describe('assertSats', () => {
  const good = [0, 1, 1_000, MAX_SATS];
  for (const n of good)
    it(`accepts ${n}`, () => {
      expect(() => assertSats(n, 'amountSat')).not.toThrow();
      expect(isSats(n)).toBe(true);
    });
  const bad: Array<[unknown, string]> = [
    [NaN, 'sats: invalid amountSat=NaN'],
    [-1, 'sats: invalid amountSat=-1'],
    [1.5, 'sats: invalid amountSat=1.5'],
    [Infinity, 'sats: invalid amountSat=Infinity'],
    [MAX_SATS + 1, 'sats: invalid amountSat=2100000000000001'],
    [2 ** 53, 'sats: invalid amountSat=9007199254740992'],
    ['5', 'sats: invalid amountSat=string'],
    [5n, 'sats: invalid amountSat=bigint'],
    [undefined, 'sats: invalid amountSat=undefined'],
  ];
  for (const [n, message] of bad)
    it(`rejects ${String(n)} (${typeof n})`, () => {
      expect(() => assertSats(n, 'amountSat')).toThrow(message);
      expect(isSats(n)).toBe(false);
    });
  it('throws a SatnavError with code INVALID_AMOUNT', () => {
    expect(() => assertSats(-1, 'feeSat')).toThrow(expect.objectContaining({ code: 'INVALID_AMOUNT' }));
  });
});

describe('msatToSat rounds up', () => {
  const cases: Array<[bigint, number]> = [
    [0n, 0],
    [1n, 1],
    [999n, 1],
    [1000n, 1],
    [1001n, 2],
    [2_100_000_000_000_000_000n, MAX_SATS],
  ];
  for (const [msat, sat] of cases) it(`${msat} msat = ${sat} sat`, () => expect(msatToSat(msat)).toBe(sat));
  it('refuses negative msat', () => expect(() => msatToSat(-1n)).toThrow('sats: negative msat=-1'));
});
