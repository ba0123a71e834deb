import { DAY_MS, dayFromParts } from './calendar';

/**
 * Calendar periods over day numbers (see calendar.ts): ISO weeks (Monday to Sunday), months, and
 * the same date a year earlier. Pure arithmetic on UTC dates, so no process time zone enters; the
 * caller decides which zone "today" is in before it becomes a day number.
 */

/** 1970-01-01 (day 0) was a Thursday: the day's index in an ISO week (Monday 0 … Sunday 6) is (day + 3) mod 7. */
const isoWeekday = (day: number): number => (((day + 3) % 7) + 7) % 7;

const parts = (day: number) => {
  const d = new Date(day * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, date: d.getUTCDate() };
};

/** The Monday of `day`'s ISO week (`day` itself on a Monday). */
export function isoWeekStart(day: number): number {
  return day - isoWeekday(day);
}

/** The first day of `day`'s month. */
export function monthStart(day: number): number {
  return day - parts(day).date + 1;
}

/** The last day of `day`'s month (28, 29, 30 or 31 days after the day before its first). */
export function monthEnd(day: number): number {
  const { year, month } = parts(day);
  // Day 0 of the next month is the last day of this one; Date.UTC rolls month 13 into January.
  return Date.UTC(year, month, 0) / DAY_MS;
}

/** The same date a year earlier; 29 February becomes 28 February (the year before has none). */
export function sameDayYearBefore(day: number): number {
  const { year, month, date } = parts(day);
  return dayFromParts(year - 1, month, date) ?? (dayFromParts(year - 1, month, date - 1) as number);
}
