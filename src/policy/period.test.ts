import { describe, expect, it } from 'vitest';
import { localDate, oldestRelevantDate, periodStart } from './period.ts';

const utc = (iso: string) => Date.parse(iso);

describe('localDate', () => {
  const cases: Array<[instant: string, offset: number, date: string]> = [
    ['2025-03-09T23:30:00Z', 0, '2025-03-09'],
    ['2025-03-09T23:30:00Z', 60, '2025-03-10'], // Paris: already past midnight
    ['2025-03-10T03:59:00Z', -300, '2025-03-09'], // New York: still the evening before
    ['2025-03-10T04:00:00Z', -300, '2025-03-09'],
    ['2025-03-10T05:00:00Z', -300, '2025-03-10'],
    ['2025-12-31T18:30:00Z', 330, '2026-01-01'], // India, new year
    ['2024-02-28T20:00:00Z', 480, '2024-02-29'], // Taipei, leap day
  ];
  for (const [instant, offset, date] of cases)
    it(`${instant} at ${offset} min is ${date}`, () => expect(localDate(utc(instant), offset)).toBe(date));
  const badOffsets = [NaN, 1.5, 1440, -1440, Infinity];
  for (const off of badOffsets)
    it(`rejects offset ${off}`, () => expect(() => localDate(0, off)).toThrow(/INVALID|timeZoneOffsetMinutes/));
  it('rejects a non-finite clock', () => expect(() => localDate(NaN, 0)).toThrow('policy: invalid now'));
});

describe('periodStart', () => {
  const cases: Array<[date: string, day: string, week: string, month: string]> = [
    ['2025-03-10', '2025-03-10', '2025-03-10', '2025-03-01'], // a Monday
    ['2025-03-16', '2025-03-16', '2025-03-10', '2025-03-01'], // the Sunday after
    ['2025-03-01', '2025-03-01', '2025-02-24', '2025-03-01'], // week starts in the previous month
    ['2026-01-01', '2026-01-01', '2025-12-29', '2026-01-01'], // week starts in the previous year
    ['2024-02-29', '2024-02-29', '2024-02-26', '2024-02-01'],
  ];
  for (const [date, day, week, month] of cases)
    it(date, () => {
      expect(periodStart(date, 'day')).toBe(day);
      expect(periodStart(date, 'week')).toBe(week);
      expect(periodStart(date, 'month')).toBe(month);
    });
  it('the oldest relevant date is the earlier of week and month start', () => {
    expect(oldestRelevantDate('2025-03-01')).toBe('2025-02-24');
    expect(oldestRelevantDate('2025-03-20')).toBe('2025-03-01');
  });
});
