import { describe, expect, it } from 'vitest';
import {
  formatAmount,
  formatAsset,
  formatBtc,
  formatCountdown,
  formatDateTime,
  formatDuration,
  formatInteger,
  formatMinutes,
  formatRelativeTime,
  formatSats,
  formatSignedSats,
  isUsdPegged,
  shareOf,
  shiftDecimal,
  shortenMiddle,
} from './format.ts';

// French groups with a narrow no-break space and puts a no-break space before the symbol.
const NNBSP = '\u202f';
const NBSP = '\u00a0';

describe('shiftDecimal', () => {
  const cases: [string, number, string][] = [
    ['0', 0, '0'],
    ['12', 0, '12'],
    ['123450', 2, '1234.50'],
    ['5', 6, '0.000005'],
    ['1000000', 6, '1.000000'],
    ['123456789012345678901234567890', 6, '123456789012345678901234.567890'],
  ];
  for (const [raw, decimals, want] of cases) {
    it(`${raw} / 10^${decimals}`, () => expect(shiftDecimal(raw, decimals)).toBe(want));
  }
  for (const raw of ['', '-1', '1.5', '1e3', ' 1', '0x10']) {
    it(`rejects amount ${JSON.stringify(raw)}`, () => expect(() => shiftDecimal(raw, 2)).toThrow(/format: invalid amount/));
  }
  for (const decimals of [-1, 1.5, 21, Number.NaN]) {
    it(`rejects decimals ${decimals}`, () => expect(() => shiftDecimal('1', decimals)).toThrow(/format: invalid decimals/));
  }
});

describe('formatSats / formatInteger', () => {
  const cases: [string, string][] = [
    ['en', '1,234,567 sat'],
    ['fr', `1${NNBSP}234${NNBSP}567 sat`],
    ['de', '1.234.567 sat'],
    ['zh-TW', '1,234,567 sat'],
  ];
  for (const [locale, want] of cases) it(locale, () => expect(formatSats(1_234_567, locale)).toBe(want));
  it('zero', () => expect(formatSats(0, 'en')).toBe('0 sat'));
  it('bigint above 2^53 stays exact', () => expect(formatInteger(9_007_199_254_740_993n, 'en')).toBe('9,007,199,254,740,993'));
  it('rejects unsafe, fractional and negative numbers', () => {
    expect(() => formatSats(2 ** 53, 'en')).toThrow(/format: invalid sats/);
    expect(() => formatSats(1.5, 'en')).toThrow(/format: invalid sats/);
    expect(() => formatSats(-1, 'en')).toThrow(/format: negative sats/);
  });
});

describe('formatBtc', () => {
  const cases: [number | bigint, string, string][] = [
    [150_000, 'en', '0.0015 BTC'],
    [150_000, 'fr', '0,0015 BTC'],
    [150_000, 'de', '0,0015 BTC'],
    [150_000, 'zh-TW', '0.0015 BTC'],
    [1, 'en', '0.00000001 BTC'],
    [0, 'en', '0 BTC'],
    [100_000_000, 'en', '1 BTC'],
    [123_456_789, 'de', '1,23456789 BTC'],
    [2_100_000_000_000_000, 'en', '21,000,000 BTC'],
    [9_007_199_254_740_993n, 'en', '90,071,992.54740993 BTC'],
    [9_007_199_254_740_993n, 'fr', `90${NNBSP}071${NNBSP}992,54740993 BTC`],
  ];
  for (const [sats, locale, want] of cases) it(`${sats} sat in ${locale}`, () => expect(formatBtc(sats, locale)).toBe(want));
});

describe('formatAsset', () => {
  const usdt = (amount: string, decimalDisplay = 6) => ({ amount, decimalDisplay, ticker: 'USDT' });
  const cases: [ReturnType<typeof usdt>, string, string][] = [
    [usdt('12340000'), 'en', '$12.34'],
    [usdt('12340000'), 'fr', `12,34${NBSP}$`],
    [usdt('12340000'), 'de', `12,34${NBSP}$`],
    [usdt('12340000'), 'zh-TW', '$12.34'],
    [usdt('1234500000'), 'en', '$1,234.50'],
    [usdt('1234500000'), 'fr', `1${NNBSP}234,50${NBSP}$`],
    // Sub-cent amounts are shown, not rounded away.
    [usdt('12345678'), 'en', '$12.345678'],
    [usdt('1'), 'de', `0,000001${NBSP}$`],
    [usdt('0'), 'en', '$0.00'],
    [usdt('12', 0), 'en', '$12'],
    [usdt('12', 0), 'de', `12${NBSP}$`],
    [usdt('123456789012345678901234567890'), 'en', '$123,456,789,012,345,678,901,234.56789'],
    [{ amount: '500', decimalDisplay: 2, ticker: 'USDC' }, 'en', '$5.00'],
  ];
  for (const [asset, locale, want] of cases) {
    it(`${asset.amount}/10^${asset.decimalDisplay} ${asset.ticker} in ${locale}`, () => expect(formatAsset(asset, locale)).toBe(want));
  }
  it('other tickers: number and ticker', () => {
    expect(formatAsset({ amount: '1500', decimalDisplay: 3, ticker: 'XAU' }, 'en')).toBe('1.5 XAU');
    expect(formatAsset({ amount: '1500', decimalDisplay: 3, ticker: 'XAU' }, 'de')).toBe('1,5 XAU');
    expect(formatAsset({ amount: '1234567', decimalDisplay: 0, ticker: 'PTS' }, 'fr')).toBe(`1${NNBSP}234${NNBSP}567 PTS`);
    expect(formatAsset({ amount: '1234567', decimalDisplay: 0, ticker: 'PTS' }, 'zh-TW')).toBe('1,234,567 PTS');
  });
  it('rejects a malformed amount', () => expect(() => formatAsset(usdt('12.5'), 'en')).toThrow(/format: invalid amount/));
  it('USD pegging is by ticker, case-insensitive', () => {
    expect(isUsdPegged('usdt')).toBe(true);
    expect(isUsdPegged('USD')).toBe(true);
    expect(isUsdPegged('EURT')).toBe(false);
  });
});

describe('formatMinutes', () => {
  const cases: [number, string, string][] = [
    [1, 'en', '1 minute'],
    [15, 'en', '15 minutes'],
    [60, 'en', '1 hour'],
    [240, 'en', '4 hours'],
    [90, 'en', '90 minutes'],
    [5, 'fr', '5 minutes'],
    [240, 'fr', `4${NBSP}heures`],
    [1, 'de', '1 Minute'],
    [240, 'de', '4 Stunden'],
    [30, 'zh-TW', '30 分鐘'],
    [60, 'zh-TW', '1 小時'],
  ];
  for (const [minutes, locale, want] of cases) it(`${minutes} in ${locale}`, () => expect(formatMinutes(minutes, locale)).toBe(want));
});

describe('formatDuration', () => {
  const cases: [number, string, string][] = [
    [60, 'en', '1 minute'],
    [2_700, 'en', '45 minutes'],
    [3_600, 'en', '1 hour'],
    [5_400, 'en', '1.5 hours'],
    [86_400, 'en', '1 day'],
    [288 * 600, 'en', '2 days'],
    [2_592_000, 'en', '30 days'],
    [40 * 600, 'en', '6.7 hours'],
    [5_400, 'fr', `1,5${NBSP}heure`],
    [172_800, 'de', '2 Tage'],
    [86_400, 'zh-TW', '1 天'],
    [30, 'en', '30 seconds'],
  ];
  for (const [seconds, locale, want] of cases) it(`${seconds} s in ${locale}`, () => expect(formatDuration(seconds, locale)).toBe(want));
});

describe('formatRelativeTime', () => {
  const now = Date.UTC(2025, 0, 15, 12, 0, 0);
  const cases: [number, string, string][] = [
    [0, 'en', 'now'],
    [-59_000, 'en', 'now'],
    [-60_000, 'en', '1 minute ago'],
    [-5 * 60_000 - 59_000, 'en', '5 minutes ago'],
    [-3 * 3_600_000, 'en', '3 hours ago'],
    [10 * 60_000, 'en', 'in 10 minutes'],
    [-5 * 60_000, 'fr', 'il y a 5 minutes'],
    [-5 * 60_000, 'de', 'vor 5 Minuten'],
    [-2 * 3_600_000, 'zh-TW', '2 小時前'],
  ];
  for (const [offset, locale, want] of cases) it(`${offset} ms, ${locale}`, () => expect(formatRelativeTime(now + offset, now, locale)).toBe(want));
  it('a day or more away shows the date and time', () => {
    const then = now - 26 * 3_600_000;
    expect(formatRelativeTime(then, now, 'en')).toBe(formatDateTime(then, 'en'));
    expect(formatRelativeTime(then, now, 'en')).toMatch(/Jan 14, 2025/);
  });
});

describe('formatCountdown', () => {
  const cases: [number, string][] = [
    [0, '0:00'],
    [-5000, '0:00'],
    [1, '0:01'],
    [9 * 60_000 + 5000, '9:05'],
    [59 * 60_000 + 59_999, '1:00:00'],
    [3_723_000, '1:02:03'],
  ];
  for (const [ms, want] of cases) it(`${ms} ms → ${want}`, () => expect(formatCountdown(ms)).toBe(want));
});

describe('formatSignedSats', () => {
  it('out is a minus sign', () => expect(formatSignedSats(1234, 'out', 'en')).toBe('\u22121,234 sat'));
  it('in is a plus sign', () => expect(formatSignedSats(1234, 'in', 'de')).toBe('+1.234 sat'));
});

describe('shortenMiddle', () => {
  const pubkey = '02' + 'ab'.repeat(32);
  it('keeps both ends of a pubkey', () => expect(shortenMiddle(pubkey)).toBe(`02ababab…abababab`));
  it('short text is left alone', () => {
    expect(shortenMiddle('0123456789abcdef0')).toBe('0123456789abcdef0');
    expect(shortenMiddle('0123456789abcdef01')).toBe('01234567…abcdef01');
  });
  it('custom length', () => expect(shortenMiddle('abcdefghij', 2)).toBe('ab…ij'));
});

describe('shareOf', () => {
  const cases: [number, number, number][] = [
    [0, 1000, 0],
    [250, 1000, 25],
    [1000, 1000, 100],
    [1500, 1000, 100],
    [0, 0, 0],
    [5, 0, 100],
    [-5, 100, 0],
  ];
  for (const [part, total, want] of cases) it(`${part} of ${total} → ${want}`, () => expect(shareOf(part, total)).toBe(want));
});

describe('formatAmount', () => {
  it('a budget in its unit, per locale', () => {
    expect(formatAmount({ sat: 1_000 }, 'en')).toBe('1,000 sat');
    expect(formatAmount({ microUsd: 100_000 }, 'en')).toBe('$0.10');
    expect(formatAmount({ microUsd: 52_000 }, 'en')).toBe('$0.052');
    expect(formatAmount({ microUsd: 20_000_000 }, 'de')).toBe('20,00\u00a0$');
    expect(formatAmount({ microUsd: 1_234_500_000 }, 'fr')).toBe(`1${NNBSP}234,50\u00a0$`);
  });
});
