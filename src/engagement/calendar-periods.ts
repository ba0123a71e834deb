import { isoWeekStart, monthEnd, monthStart, sameDayYearBefore } from '../time/periods';

/**
 * The ranges derived from a range, on day numbers (days since 1970-01-01, see time/calendar.ts):
 * the compared range and the calendar periods, built on time/periods.ts (ISO weeks, months, the
 * same day a year before, shared with the presets). Pure and zone-free: a question's days are already days in its time zone.
 *
 * The one implementation both the resolvers and the planner derive compared and period questions
 * from (through comparison.ts), so that an estimate keys them exactly as the loaders do.
 */

/** An inclusive range of day numbers. */
export interface DayRange {
  readonly startDay: number;
  readonly endDay: number;
}

/** How a range is compared: the names of the GraphQL enum ComparisonPeriod. */
export type Comparison = 'PREVIOUS_PERIOD' | 'PREVIOUS_YEAR';

/**
 * The compared range. PREVIOUS_PERIOD: as many days, ending the day before the range starts.
 * PREVIOUS_YEAR: the same dates a year earlier, each end moved on its own (29 February → 28
 * February), so the day count may differ by one: 2024-02-20..2024-02-29 (10 days) compares with
 * 2023-02-20..2023-02-28 (9 days), 2025-02-20..2025-03-01 (10 days) with 2024-02-20..2024-03-01 (11).
 */
export function comparedRange(range: DayRange, to: Comparison): DayRange {
  if (to === 'PREVIOUS_PERIOD') {
    const days = range.endDay - range.startDay + 1;
    return { startDay: range.startDay - days, endDay: range.startDay - 1 };
  }
  return { startDay: sameDayYearBefore(range.startDay), endDay: sameDayYearBefore(range.endDay) };
}

/** Calendar period units: the names of the GraphQL enum PeriodUnit. */
export type Unit = 'WEEK' | 'MONTH';

/** One calendar period clipped to a range; `complete` when the whole calendar period lies inside it. */
export interface ClippedPeriod extends DayRange {
  readonly complete: boolean;
}

/**
 * The ISO weeks (Monday..Sunday) or calendar months that overlap `range`, in order, each clipped
 * to it. Invariant: they partition the range (consecutive, no gap, no overlap).
 */
export function calendarPeriods(range: DayRange, unit: Unit): ClippedPeriod[] {
  const bounds = (day: number): DayRange =>
    unit === 'WEEK' ? { startDay: isoWeekStart(day), endDay: isoWeekStart(day) + 6 } : { startDay: monthStart(day), endDay: monthEnd(day) };
  const periods: ClippedPeriod[] = [];
  for (let day = range.startDay; day <= range.endDay;) {
    const whole = bounds(day);
    const endDay = Math.min(whole.endDay, range.endDay);
    periods.push({ startDay: day, endDay, complete: whole.startDay >= range.startDay && whole.endDay <= range.endDay });
    day = endDay + 1;
  }
  return periods;
}
