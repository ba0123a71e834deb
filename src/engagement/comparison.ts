import { isoDate } from '../time/calendar';
import { calendarPeriods, comparedRange, type Comparison, type DayRange, type Unit } from './calendar-periods';
import type { DateRangeInput, EngagementFilters } from './engagement.args';
import type { TrendQuery } from './model';

/**
 * Questions derived from a canonical question: the compared question (`compare`, `change`) and the
 * period questions (`periods`). The one implementation the resolvers (dashboard.resolver.ts) and
 * the planner (plan-trend.ts) both use, so derived questions are keyed alike everywhere.
 */

/** The arguments of a question over other days with the same bot and filters, as a resolver takes them. */
export interface QuestionArguments {
  readonly botId: string;
  readonly range: DateRangeInput;
  readonly filters: EngagementFilters;
}

/**
 * The compared question's arguments. They go through the same validation as any question
 * (question.ts: not before 2000-01-01, the hourly cap when hourly is selected under `compare`), so
 * a refusal is the resolver's and the planner's alike. The canonical filters validate to themselves.
 */
export function comparedArguments(query: TrendQuery, to: Comparison): QuestionArguments {
  const { startDay, endDay } = comparedRange(query, to);
  const { botId, channel, conversationType, conversationStatus, timeZone } = query;
  return {
    botId,
    range: { start: isoDate(startDay), end: isoDate(endDay) },
    filters: { channel, conversationType, conversationStatus, timeZone } as EngagementFilters,
  };
}

/** A period's question: the range's question over the period's days (inside a valid range, so valid). */
export function periodQuery(query: TrendQuery, days: DayRange): TrendQuery {
  return days.startDay === query.startDay && days.endDay === query.endDay
    ? query
    : { ...query, startDay: days.startDay, endDay: days.endDay };
}

/** The calendar periods of a question's range, each with its own question. */
export function periodQuestions(query: TrendQuery, unit: Unit): Array<{ readonly complete: boolean; readonly query: TrendQuery }> {
  return calendarPeriods(query, unit).map((period) => ({ complete: period.complete, query: periodQuery(query, period) }));
}
