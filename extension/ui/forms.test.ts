import { describe, expect, it } from 'vitest';
import {
  amountDraftOf,
  amountFrom,
  checkNewPassword,
  checkRangedAmount,
  CLTV_RANGE,
  connectionFrom,
  depositDraftOf,
  depositLimitsFrom,
  HOLD_SECONDS_RANGE,
  nodeOrigin,
  parseDollars,
  parseHours,
  parseSats,
  parseWhole,
  passwordStrength,
  percentToPpm,
  pickPositions,
  ppmToPercent,
  secondsToHours,
  secureRandomInt,
  wordMatches,
} from './forms.ts';

describe('checkNewPassword', () => {
  it('accepts 8 characters that match', () => expect(checkNewPassword('abcdefgh', 'abcdefgh')).toBeUndefined());
  it('too short comes first (7 characters)', () => expect(checkNewPassword('abcdefg', 'other')?.code).toBe('PASSWORD_TOO_SHORT'));
  it('empty', () => expect(checkNewPassword('', '')?.code).toBe('PASSWORD_TOO_SHORT'));
  it('mismatch', () => expect(checkNewPassword('abcdefgh', 'abcdefgH')?.code).toBe('PASSWORD_MISMATCH'));
});

describe('passwordStrength', () => {
  const cases: [string, string][] = [
    ['', 'weak'],
    ['Ab1!', 'weak'],
    ['password', 'weak'],
    ['Password1', 'fair'],
    ['passwordpassword', 'fair'],
    ['Password123!', 'strong'],
    ['correct horse battery staple', 'strong'],
  ];
  for (const [pw, want] of cases) it(`${JSON.stringify(pw)} → ${want}`, () => expect(passwordStrength(pw)).toBe(want));
});

describe('pickPositions', () => {
  it('distinct, ascending, 1-based, within range', () => {
    for (let run = 0; run < 200; run++) {
      const picked = pickPositions(12, 3);
      expect(picked).toHaveLength(3);
      expect(new Set(picked).size).toBe(3);
      expect([...picked].sort((a, b) => a - b)).toEqual(picked);
      for (const p of picked) expect(p >= 1 && p <= 12).toBe(true);
    }
  });
  it('skips repeats from the random source', () => {
    const draws = [4, 4, 0, 4, 11];
    expect(pickPositions(12, 3, () => draws.shift()!)).toEqual([1, 5, 12]);
  });
  it('can ask for every word', () => expect(pickPositions(12, 12)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
  it('rejects impossible counts', () => {
    expect(() => pickPositions(12, 13)).toThrow(/forms: invalid count=13/);
    expect(() => pickPositions(12, -1)).toThrow(/forms: invalid count=-1/);
  });
  it('secureRandomInt covers its range', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(secureRandomInt(3));
    expect([...seen].sort()).toEqual([0, 1, 2]);
  });
});

describe('wordMatches', () => {
  it('ignores case and surrounding spaces', () => expect(wordMatches('abandon', '  Abandon ')).toBe(true));
  it('rejects another word', () => expect(wordMatches('abandon', 'ability')).toBe(false));
  it('rejects a prefix', () => expect(wordMatches('abandon', 'aban')).toBe(false));
});

describe('connectionFrom', () => {
  const empty = { restUrl: '', macaroon: '', tapdUrl: '', tapdMacaroon: '' };
  it('lndconnect link, trimmed', () => expect(connectionFrom('lndconnect', '  lndconnect://h:8080?macaroon=x \n', empty)).toEqual({ lndconnect: 'lndconnect://h:8080?macaroon=x' }));
  it('empty link', () => expect(connectionFrom('lndconnect', '  ', empty)).toBeUndefined());
  it('manual needs address and macaroon', () => {
    expect(connectionFrom('manual', '', { ...empty, restUrl: 'https://h:8080' })).toBeUndefined();
    expect(connectionFrom('manual', '', { ...empty, macaroon: 'ab' })).toBeUndefined();
  });
  it('manual leaves out empty optional fields', () => {
    expect(connectionFrom('manual', 'ignored', { ...empty, restUrl: ' https://h:8080 ', macaroon: 'ab' })).toEqual({ restUrl: 'https://h:8080', macaroon: 'ab' });
  });
  it('manual with tapd', () => {
    const fields = { restUrl: 'https://h:8080', macaroon: 'ab', tapdUrl: 'https://h:8089', tapdMacaroon: 'cd' };
    expect(connectionFrom('manual', '', fields)).toEqual(fields);
  });
});

describe('nodeOrigin', () => {
  it('from an lndconnect link', () => expect(nodeOrigin({ lndconnect: 'lndconnect://10.0.0.5:8080?cert=abc&macaroon=def' })).toBe('https://10.0.0.5:8080'));
  it('from an lndconnect link with an IPv6 host', () => expect(nodeOrigin({ lndconnect: 'lndconnect://[::1]:8080?macaroon=def' })).toBe('https://[::1]:8080'));
  it('from a REST address', () => expect(nodeOrigin({ restUrl: 'https://node.local:8080/v1/getinfo' })).toBe('https://node.local:8080'));
  it('nothing for malformed or foreign input', () => {
    expect(nodeOrigin({ lndconnect: 'not a link' })).toBeUndefined();
    expect(nodeOrigin({ lndconnect: 'https://h:1' })).toBeUndefined();
    expect(nodeOrigin({ restUrl: 'ftp://h' })).toBeUndefined();
    expect(nodeOrigin({})).toBeUndefined();
  });
});

describe('parseSats', () => {
  const good: [string, number][] = [
    ['0', 0],
    ['1000', 1000],
    [' 42 ', 42],
    ['007', 7],
    ['2100000000000000', 2_100_000_000_000_000],
  ];
  for (const [text, want] of good) it(`${JSON.stringify(text)} → ${want}`, () => expect(parseSats(text)).toBe(want));
  for (const text of ['', ' ', '-1', '1.5', '1,000', '1e3', '0x10', 'abc', '2100000000000001', '99999999999999999999']) {
    it(`rejects ${JSON.stringify(text)}`, () => expect(parseSats(text)).toBeUndefined());
  }
});

describe('checkRangedAmount', () => {
  const cases: [string, number, number, ReturnType<typeof checkRangedAmount>][] = [
    ['1', 1, 1000, { ok: true, amountSat: 1 }],
    ['1000', 1, 1000, { ok: true, amountSat: 1000 }],
    [' 500 ', 1, 1000, { ok: true, amountSat: 500 }],
    ['21', 21, 21, { ok: true, amountSat: 21 }],
    ['0', 1, 1000, { ok: false, problem: 'below_min' }],
    ['9', 10, 1000, { ok: false, problem: 'below_min' }],
    ['1001', 1, 1000, { ok: false, problem: 'above_max' }],
    ['22', 21, 21, { ok: false, problem: 'above_max' }],
    ['', 1, 1000, { ok: false, problem: 'not_whole' }],
    ['1.5', 1, 1000, { ok: false, problem: 'not_whole' }],
    ['1,000', 1, 1000, { ok: false, problem: 'not_whole' }],
    ['-5', 1, 1000, { ok: false, problem: 'not_whole' }],
    ['abc', 1, 1000, { ok: false, problem: 'not_whole' }],
  ];
  for (const [text, min, max, want] of cases) {
    it(`${JSON.stringify(text)} in ${min}..${max} → ${JSON.stringify(want)}`, () => expect(checkRangedAmount(text, min, max)).toEqual(want));
  }
});

describe('percent ↔ ppm', () => {
  const cases: [string, number][] = [
    ['0', 0],
    ['1', 10_000],
    ['0.5', 5_000],
    ['0,5', 5_000],
    ['0.0001', 1],
    ['1.05', 10_500],
    ['12.3456', 123_456],
    ['100', 1_000_000],
  ];
  for (const [text, ppm] of cases) it(`${text} % = ${ppm} ppm`, () => expect(percentToPpm(text)).toBe(ppm));
  for (const text of ['', '.5', '1.', '0.00001', '100.0001', '101', '1000', '-1', '1e2', 'abc', '1.2.3']) {
    it(`rejects ${JSON.stringify(text)}`, () => expect(percentToPpm(text)).toBeUndefined());
  }
  const shown: [number, string][] = [
    [0, '0'],
    [1, '0.0001'],
    [5_000, '0.5'],
    [10_000, '1'],
    [10_500, '1.05'],
    [100_000, '10'],
    [1_000_000, '100'],
  ];
  for (const [ppm, text] of shown) it(`${ppm} ppm shows as ${text}`, () => expect(ppmToPercent(ppm)).toBe(text));
  it('round-trips every shown value', () => {
    for (const ppm of [0, 1, 9, 10, 99, 1234, 10_000, 999_999, 1_000_000]) expect(percentToPpm(ppmToPercent(ppm))).toBe(ppm);
  });
});

describe('parseWhole', () => {
  it('digits as typed', () => expect([' 288 ', '0', '2016'].map(parseWhole)).toEqual([288, 0, 2016]));
  it('anything else', () => expect(['', '1.5', '-1', '1e3', '9'.repeat(20)].map(parseWhole)).toEqual([undefined, undefined, undefined, undefined, undefined]));
});

describe('hours ↔ seconds', () => {
  const cases: [string, number][] = [
    ['24', 86_400],
    ['1.5', 5_400],
    ['0,25', 900],
    ['0.0167', 60],
    [' 720 ', 2_592_000],
  ];
  for (const [text, seconds] of cases) it(`${JSON.stringify(text)} h = ${seconds} s`, () => expect(parseHours(text)).toBe(seconds));
  for (const text of ['', '.5', '1.', '1.23456', '-1', '1e2', 'abc', '1234567']) {
    it(`rejects ${JSON.stringify(text)}`, () => expect(parseHours(text)).toBeUndefined());
  }
  it('shown as typed, and read back to the second', () => {
    expect([86_400, 5_400, 60, 2_592_000].map(secondsToHours)).toEqual(['24', '1.5', '0.0167', '720']);
    for (const s of [60, 61, 3_599, 86_400, 123_457]) expect(parseHours(secondsToHours(s))).toBe(s);
  });
});

describe('deposit limits form', () => {
  const stored = { autoHold: true, maxDepositSat: 100_000, maxForfeitPerDaySat: 50_000, maxLockedSat: 1_000_000, maxHoldSeconds: 86_400, maxCltv: 288 };
  const draft = depositDraftOf(stored);
  it('shows the stored limits, the hold in hours', () => expect(draft).toEqual({ maxDeposit: '100000', maxForfeit: '50000', maxLocked: '1000000', holdHours: '24', cltv: '288' }));
  it('reads them back with the switch as it is', () => expect(depositLimitsFrom(draft, false)).toEqual({ ok: true, limits: { ...stored, autoHold: false } }));
  it('the worker’s bounds are the form’s', () => {
    expect(HOLD_SECONDS_RANGE).toEqual({ min: 60, max: 2_592_000 });
    expect(CLTV_RANGE).toEqual({ min: 20, max: 2_016 });
  });
  const wrong: [Partial<typeof draft>, string][] = [
    [{ maxDeposit: '1.5' }, 'maxDeposit'],
    [{ maxLocked: '' }, 'maxLocked'],
    [{ maxForfeit: '-1' }, 'maxForfeit'],
    [{ holdHours: '0.01' }, 'holdHours'],
    [{ holdHours: '721' }, 'holdHours'],
    [{ holdHours: 'day' }, 'holdHours'],
    [{ cltv: '19' }, 'cltv'],
    [{ cltv: '2017' }, 'cltv'],
    [{ cltv: '40.5' }, 'cltv'],
  ];
  for (const [change, field] of wrong) {
    it(`${JSON.stringify(change)} is refused at ${field}`, () => expect(depositLimitsFrom({ ...draft, ...change }, true)).toEqual({ ok: false, field }));
  }
  it('the first wrong field is named', () => expect(depositLimitsFrom({ ...draft, maxLocked: 'x', cltv: 'y' }, true)).toEqual({ ok: false, field: 'maxLocked' }));
});

describe('budget amounts in sats or dollars', () => {
  const dollars: Array<[string, number | undefined]> = [
    ['20', 20_000_000],
    ['0.10', 100_000],
    ['0,5', 500_000],
    [' $ 1.25 ', 1_250_000],
    ['0.000001', 1],
    ['0.0000001', undefined],
    ['-1', undefined],
    ['1e3', undefined],
    ['', undefined],
    ['1000000000', 1_000_000_000_000_000],
    ['1000000001', undefined],
  ];
  for (const [text, micro] of dollars) it(`${JSON.stringify(text)} → ${micro} micro-dollars`, () => expect(parseDollars(text)).toBe(micro));
  it('a stored amount as the form shows it: sats as digits, dollars with at least their cents', () => {
    expect(amountDraftOf({ sat: 1_000 })).toEqual({ text: '1000', unit: 'sat' });
    expect(amountDraftOf({ microUsd: 100_000 })).toEqual({ text: '0.10', unit: 'usd' });
    expect(amountDraftOf({ microUsd: 20_000_000 })).toEqual({ text: '20.00', unit: 'usd' });
    expect(amountDraftOf({ microUsd: 12_345 })).toEqual({ text: '0.012345', unit: 'usd' });
  });
  it('the typed text in its unit: the same digits are sats or dollars', () => {
    expect(amountFrom({ text: '20', unit: 'sat' })).toEqual({ sat: 20 });
    expect(amountFrom({ text: '20', unit: 'usd' })).toEqual({ microUsd: 20_000_000 });
    expect(amountFrom({ text: '0.5', unit: 'sat' })).toBeUndefined();
    expect(amountFrom({ text: 'x', unit: 'usd' })).toBeUndefined();
  });
  it('round-trips', () => {
    for (const a of [{ sat: 0 }, { sat: 21 }, { microUsd: 1 }, { microUsd: 99_990_000 }]) expect(amountFrom(amountDraftOf(a))).toEqual(a);
  });
});
