import { describe, expect, it } from 'vitest';
import { isSatnavError } from '../errors.ts';
import { invoice, NOW } from '../l402/test-fixtures.ts';
import { admitDeposit, type DepositLimits } from './admit.ts';
import { parseDepositChallenge } from './challenge.ts';
import { depositLine, inv, ORIGIN } from './test-fixtures.ts';

const limits: DepositLimits = { maxAmountSat: 10_000, maxHoldSeconds: 7200, maxCltv: 144 };
const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return isSatnavError(e) ? e.code : 'not SatnavError';
  }
  return 'no error';
};
const ch = (o: Partial<Record<string, string>> = {}) => parseDepositChallenge(depositLine(o), ORIGIN)!;

describe('admitDeposit', () => {
  it('admits a deposit within every limit', () => expect(code(() => admitDeposit(ch(), limits, NOW, inv.paymentHash))).toBe('no error'));
  const refused: [string, () => void][] = [
    ['amount above the deposit limit', () => admitDeposit(ch(), { ...limits, maxAmountSat: 4999 }, NOW)],
    ['hold time above the limit', () => admitDeposit(ch({ max_hold: '7201', idle: '60' }), limits, NOW)],
    ['CLTV bound above the limit', () => admitDeposit(ch({ max_cltv: '145' }), limits, NOW)],
    ['invoice final CLTV (18 by default) above max_cltv', () => admitDeposit(ch({ max_cltv: '17', max_hold: '600' }), limits, NOW)],
    ['max_hold longer than the CLTV can hold', () => admitDeposit(ch({ max_cltv: '20', max_hold: '12001' }), { ...limits, maxHoldSeconds: 20000 }, NOW)],
    ['an expired invoice', () => admitDeposit(ch(), limits, NOW + 3600)],
    ['another payment hash', () => admitDeposit(ch(), limits, NOW, 'ff'.repeat(32))],
    ['an invoice of another hash re-offered', () => admitDeposit(parseDepositChallenge(depositLine({}, invoice({ seed: 'other', amountSat: 5000 })), ORIGIN)!, limits, NOW, inv.paymentHash)],
  ];
  for (const [name, f] of refused) it(`refuses ${name}`, () => expect(code(f)).toBe('DEPOSIT_REFUSED'));
});
