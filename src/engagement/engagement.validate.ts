import { canonicalTimeZone, todayIn } from '../time/zones';
import { isoDate, parseIsoDate } from '../time/calendar';
import { BadUserInputError, UpstreamUnsupportedError } from '../errors';
import { CAPABILITIES } from '../upstream/kore/capabilities';
import type { ApiVersion, TrendQuery } from './model';
import { isoWeekStart, monthStart } from '../time/periods';
import type { DateRangeInput, EngagementFilters } from './engagement.args';
import { ConversationStatus, ConversationType, RangePreset } from './engagement.args';

export interface ValidationLimits {
  readonly maxRangeDaysDaily: number;
  readonly maxRangeDaysHourly: number;
  /** The zone a version with a fixed zone (v1, see capabilities.ts) aggregates in; consulted only for such a version. */
  readonly v1TimeZone: string;
}

export const BOT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const CHANNEL = /^[A-Za-z0-9]{1,32}$/;
const EARLIEST_DAY = parseIsoDate('2000-01-01') as number;

const shown = (value: string) => JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);

/** A bot id as Kore.ai has them: letters, digits, `-`, `_`; nothing that could change a URL path. */
export function checkBotId(botId: string, argument = 'botId'): void {
  if (!BOT_ID.test(botId)) throw new BadUserInputError(argument, `must be 1–64 letters, digits, "-" or "_", got ${shown(botId)}`);
}

/**
 * The days of a preset, given today's day number in the question's zone. LAST_N_DAYS ends today,
 * today included; weeks are ISO weeks (Monday to Sunday); LAST_WEEK and LAST_MONTH are whole.
 */
export function presetRange(preset: RangePreset, today: number): { startDay: number; endDay: number } {
  const lastDays = (n: number) => ({ startDay: today - (n - 1), endDay: today });
  switch (preset) {
    case RangePreset.TODAY:
      return { startDay: today, endDay: today };
    case RangePreset.YESTERDAY:
      return { startDay: today - 1, endDay: today - 1 };
    case RangePreset.LAST_7_DAYS:
      return lastDays(7);
    case RangePreset.LAST_28_DAYS:
      return lastDays(28);
    case RangePreset.LAST_30_DAYS:
      return lastDays(30);
    case RangePreset.LAST_90_DAYS:
      return lastDays(90);
    case RangePreset.THIS_WEEK:
      return { startDay: isoWeekStart(today), endDay: today };
    case RangePreset.LAST_WEEK:
      return { startDay: isoWeekStart(today) - 7, endDay: isoWeekStart(today) - 1 };
    case RangePreset.THIS_MONTH:
      return { startDay: monthStart(today), endDay: today };
    case RangePreset.LAST_MONTH:
      return { startDay: monthStart(monthStart(today) - 1), endDay: monthStart(today) - 1 };
  }
  // Coercion admits only the values above; a raw value reaching here is refused, never guessed.
  throw new BadUserInputError('range.preset', `must be one of ${Object.values(RangePreset).join(', ')}`);
}

const given = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;

/**
 * The range's days, from exactly one of its two forms (explicit dates or a preset). Every check
 * after this one (order, today, the caps) reads only the days, so a preset and the same explicit
 * dates cannot be told apart from here on: one canonical question, one call, one cache entry.
 */
function resolveRange(range: DateRangeInput, today: number): { startDay: number; endDay: number } {
  const explicit = given(range.start) || given(range.end);
  if (given(range.preset)) {
    if (explicit) throw new BadUserInputError('range', 'give either start and end, or preset, not both');
    return presetRange(range.preset, today);
  }
  if (!given(range.start) || !given(range.end)) throw new BadUserInputError('range', 'give either start and end, or preset');
  const startDay = parseIsoDate(range.start);
  const endDay = parseIsoDate(range.end);
  if (startDay === null) throw new BadUserInputError('range.start', `must be a real date as YYYY-MM-DD, got ${shown(range.start)}`);
  if (endDay === null) throw new BadUserInputError('range.end', `must be a real date as YYYY-MM-DD, got ${shown(range.end)}`);
  if (startDay < EARLIEST_DAY) throw new BadUserInputError('range.start', 'must not be before 2000-01-01');
  if (startDay > endDay) throw new BadUserInputError('range', `start (${range.start}) must not be after end (${range.end})`);
  return { startDay, endDay };
}

/**
 * Every argument of an engagement question, checked before anything is asked upstream.
 * Returns the canonical question (day numbers, canonical zone name) that loaders and caches key on.
 */
export function validateTrendArgs(
  version: ApiVersion,
  botId: string,
  range: DateRangeInput,
  filters: EngagementFilters | null | undefined,
  hourlyAsked: boolean,
  limits: ValidationLimits,
  now: number,
): TrendQuery {
  checkBotId(botId);

  const zoneName = filters?.timeZone ?? 'UTC';
  const timeZone = zoneName.length <= 64 ? canonicalTimeZone(zoneName) : undefined;
  if (!timeZone)
    throw new BadUserInputError(
      'filters.timeZone',
      `must be an IANA time zone name such as "Europe/Berlin" or "UTC", got ${shown(zoneName)}`,
    );

  const channel = filters?.channel ?? null;
  if (channel !== null && !CHANNEL.test(channel)) {
    throw new BadUserInputError('filters.channel', `must be one channel code of letters and digits (such as "rtm"), got ${shown(channel)}`);
  }

  const today = todayIn(timeZone, now);
  const { startDay, endDay } = resolveRange(range, today);
  if (startDay > today) throw new BadUserInputError('range.start', `must not be after today (${isoDate(today)} in ${timeZone})`);
  const days = endDay - startDay + 1;
  const cap = hourlyAsked ? limits.maxRangeDaysHourly : limits.maxRangeDaysDaily;
  if (days > cap) {
    throw new BadUserInputError(
      'range',
      `spans ${days} days; at most ${cap} days are allowed${hourlyAsked ? ' when `hourly` is selected' : ''}`,
    );
  }

  const conversationType = filters?.conversationType ?? ConversationType.ALL;
  const conversationStatus = filters?.conversationStatus ?? ConversationStatus.ALL;
  // What the version cannot be asked, from its row in the capabilities table; checked after the
  // input itself, so bad input is BAD_USER_INPUT on every version.
  const can = CAPABILITIES[version];
  if (channel !== null && !can.filters.channel) throw new UpstreamUnsupportedError('a channel filter', version);
  if (
    (conversationType !== ConversationType.ALL && !can.filters.conversationType) ||
    (conversationStatus !== ConversationStatus.ALL && !can.filters.conversationStatus)
  ) {
    throw new UpstreamUnsupportedError('conversation type or status filters', version);
  }
  if (can.timeZone === 'fixed' && timeZone !== limits.v1TimeZone)
    throw new UpstreamUnsupportedError(`time zones other than ${limits.v1TimeZone}`, version);
  return { version, botId, startDay, endDay, channel, conversationType, conversationStatus, timeZone };
}
