import { moduleErrors } from '../errors.ts';

/**
 * Budget periods follow the person's calendar, not UTC: a daily allowance
 * renews at local midnight, a weekly one on Monday (ISO 8601), a monthly one
 * on the 1st. Days are named by their local date 'YYYY-MM-DD', which sorts
 * like time, so "in this period" is a string comparison.
 */
export const PERIODS = ['day', 'week', 'month'] as const;
export type Period = (typeof PERIODS)[number];

/**
 * Minutes to add to UTC to get local time at the instant `epochMs`
 * (+60 in Paris in winter, -300 in New York in winter). Taking the instant
 * lets daylight saving time move the offset.
 */
export type TimeZoneOffset = (epochMs: number) => number;

export const systemTimeZoneOffset: TimeZoneOffset = (t) => -new Date(t).getTimezoneOffset();

const err = moduleErrors('policy');
const DAY_MS = 86_400_000;
// Real offsets span -12:00..+14:00; anything beyond a day is a broken clock source.
const MAX_OFFSET_MINUTES = 24 * 60;

export function localDate(epochMs: number, offsetMinutes: number): string {
  if (!Number.isFinite(epochMs)) throw err('INVALID_CLOCK', 'invalid now', epochMs);
  if (!Number.isInteger(offsetMinutes) || Math.abs(offsetMinutes) >= MAX_OFFSET_MINUTES)
    throw err('INVALID_CLOCK', 'invalid timeZoneOffsetMinutes', offsetMinutes);
  return new Date(epochMs + offsetMinutes * 60_000).toISOString().slice(0, 10);
}

/** First local date of the `period` that contains `date`. */
export function periodStart(date: string, period: Period): string {
  if (period === 'day') return date;
  if (period === 'month') return `${date.slice(0, 8)}01`;
  const ms = Date.parse(`${date}T00:00:00Z`);
  const sinceMonday = (new Date(ms).getUTCDay() + 6) % 7;
  return new Date(ms - sinceMonday * DAY_MS).toISOString().slice(0, 10);
}

/** Oldest date any current period can still include; spend before it no longer matters. */
export function oldestRelevantDate(today: string): string {
  const week = periodStart(today, 'week');
  const month = periodStart(today, 'month');
  return week < month ? week : month;
}

/** The local date `days` after (negative: before) `date`. */
export function shiftDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}
