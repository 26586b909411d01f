import { describe, expect, it } from 'vitest';
import { thrownCode } from '../testing/expect-code.ts';
import { assertRate, MSAT_PER_BTC, msatForUnits, rateIncreasePpm, unitsForMsat, unitsToDecimal, worstCaseUnits } from './asset-rate.ts';

// 1 BTC = 100,000 USD, 6 decimals: 10^11 units per BTC, written with scale 2 as tapd may.
const USD = { coefficient: 10_000_000_000_000n, scale: 2 };

describe('asset rates (bigint, rounded against the payer)', () => {
  it('1 sat is 1,000 micro-dollars at 100,000 USD/BTC; the scale is applied', () => {
    expect(unitsForMsat(1000n, USD)).toBe(1000n);
    expect(unitsForMsat(1000n, { coefficient: 100_000_000_000n, scale: 0 })).toBe(1000n);
    expect(msatForUnits(1000n, USD)).toBe(1000n);
  });

  it('units for an amount round up, msat for units round down: a fraction always goes against the payer', () => {
    // 1 msat is 1 micro-dollar exactly; at a rate a third of that, 1 msat costs ⅓ unit → 1.
    const third = { coefficient: 1n, scale: 0 }; // 1 unit per BTC
    expect(unitsForMsat(1n, third)).toBe(1n);
    expect(unitsForMsat(0n, third)).toBe(0n);
    expect(unitsForMsat(MSAT_PER_BTC + 1n, third)).toBe(2n);
    expect(msatForUnits(1n, { coefficient: 3n, scale: 0 })).toBe(33_333_333_333n);
  });

  it('the worst case covers amount plus the fee limit', () => {
    expect(worstCaseUnits(21_000, 210, USD)).toBe(21_210_000n);
    // 1 BTC = 95,123.456789 USD: 1 sat = 951.23456789 units → 952 for one sat.
    const odd = { coefficient: 95_123_456_789n, scale: 0 };
    expect(worstCaseUnits(1, 0, odd)).toBe(952n);
  });

  it('numbers far past 2^53 stay exact', () => {
    const big = { coefficient: 123_456_789_012_345_678_901_234_567_890n, scale: 20 };
    const sats = 2_100_000_000_000_000; // all the bitcoin there will be
    expect(worstCaseUnits(sats, 0, big)).toBe((BigInt(sats) * 1000n * big.coefficient + 10n ** 31n - 1n) / 10n ** 31n);
  });

  it('rate moves: ppm worse, rounded up; better or equal is 0; different scales compare right', () => {
    expect(rateIncreasePpm(USD, USD)).toBe(0n);
    expect(rateIncreasePpm(USD, { coefficient: 100_500_000_000n, scale: 0 })).toBe(5_000n);
    expect(rateIncreasePpm(USD, { coefficient: 99_000_000_000n, scale: 0 })).toBe(0n);
    expect(rateIncreasePpm({ coefficient: 3n, scale: 0 }, { coefficient: 31n, scale: 1 })).toBe(33_334n);
  });

  it('a zero, negative or absurd rate is a bad node answer', () => {
    expect(thrownCode(() => assertRate({ coefficient: 0n, scale: 2 }, 'r'))).toBe('NODE_BAD_RESPONSE');
    expect(thrownCode(() => assertRate({ coefficient: -5n, scale: 2 }, 'r'))).toBe('NODE_BAD_RESPONSE');
    expect(thrownCode(() => assertRate({ coefficient: 5n, scale: 400 }, 'r'))).toBe('NODE_BAD_RESPONSE');
    expect(thrownCode(() => unitsForMsat(-1n, USD))).toBe('INVALID_AMOUNT');
  });

  it('units shown in the display unit, exactly', () => {
    expect(unitsToDecimal(21_210_000n, 6)).toBe('21.210000');
    expect(unitsToDecimal(5n, 6)).toBe('0.000005');
    expect(unitsToDecimal(7n, 0)).toBe('7');
  });
});
