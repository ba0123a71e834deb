/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** Where the answers behind a trend came from; with several answers, the least fresh of them. */
export type AnswerSource =
  /** A cached answer, still within its freshness (CACHE_TTL_RECENT_SECONDS or CACHE_TTL_SETTLED_SECONDS). */
  | 'CACHE'
  /** A cached answer past its freshness: served because Kore.ai failed or the budget was spent, or at once under STALE_WHILE_REVALIDATE. */
  | 'STALE_CACHE'
  /** Asked from Kore.ai for this request (or by a request asking the same at the same time). */
  | 'UPSTREAM';

/** Conversation state filter. */
export type ConversationStatus =
  /** Conversations still open. */
  | 'ACTIVE'
  /** Open and closed conversations. */
  | 'ALL'
  /** Conversations that have ended. */
  | 'CLOSED';

/** Which conversations count. */
export type ConversationType =
  /** Every conversation. */
  | 'ALL'
  /** Conversations in which the user interacted with the bot. */
  | 'INTERACTIVE'
  /** Conversations without user interaction (for example proactive messages). */
  | 'NON_INTERACTIVE';

/** An inclusive range of calendar days, given either as `start` and `end` (2025-12-01 to 2025-12-05 is five days) or as a `preset`; exactly one form. */
export type DateRangeInput = {
  /** Last day of the range (inclusive); with `start`, instead of `preset`. */
  end?: string | null | undefined;
  /** A range relative to today in `filters.timeZone`, instead of `start` and `end`. */
  preset?: RangePreset | null | undefined;
  /** First day of the range (inclusive); with `end`, instead of `preset`. */
  start?: string | null | undefined;
};

/** Optional filters; every field has a default. */
export type EngagementFilters = {
  /** One channel code, for example `rtm`, `msteams` or `slack`. Omitted: all channels. */
  channel?: string | null | undefined;
  /** Open, closed or all conversations. */
  conversationStatus?: ConversationStatus | null | undefined;
  /** Which conversations count. */
  conversationType?: ConversationType | null | undefined;
  /** IANA time zone name (for example `Europe/Berlin`); day and hour boundaries are in this zone. */
  timeZone?: string | null | undefined;
};

/** A calendar period. */
export type PeriodUnit =
  /** Calendar months. */
  | 'MONTH'
  /** ISO weeks, Monday to Sunday. */
  | 'WEEK';

/** A range relative to today in `filters.timeZone`, resolved before anything else: a preset and the same explicit dates are one question (one call, one cache entry). Weeks are ISO weeks, Monday to Sunday. */
export type RangePreset =
  /** The 7 days ending today, today included (today − 6 to today). */
  | 'LAST_7_DAYS'
  /** The 28 days ending today, today included. */
  | 'LAST_28_DAYS'
  /** The 30 days ending today, today included. */
  | 'LAST_30_DAYS'
  /** The 90 days ending today, today included (over the cap when `hourly` is selected). */
  | 'LAST_90_DAYS'
  /** The whole previous calendar month. */
  | 'LAST_MONTH'
  /** The whole previous ISO week, Monday to Sunday. */
  | 'LAST_WEEK'
  /** This month's first day to today. */
  | 'THIS_MONTH'
  /** This ISO week's Monday to today. */
  | 'THIS_WEEK'
  /** Today alone. */
  | 'TODAY'
  /** Yesterday alone. */
  | 'YESTERDAY';

export type ExplorerTrendQueryVariables = Exact<{
  botId: string | number;
  range: DateRangeInput;
  filters?: EngagementFilters | null | undefined;
  withHourly: boolean;
  unit: PeriodUnit;
}>;


export type ExplorerTrendQuery = { engagementTrend: { botId: string, range: { start: string, end: string, days: number }, summary: { uniqueUsers: number, newUsers: number, returningUsers: number, avgUniqueUsersPerDay: number, avgNewUsersPerDay: number, avgReturningUsersPerDay: number } | null, series: { uniqueUsers: Array<{ date: string, users: number }>, newUsers: Array<{ date: string, users: number }> | null, returningUsers: Array<{ date: string, users: number }> | null }, hourly?: Array<{ date: string, hour: number, uniqueUsers: number }>, change: { uniqueUsers: { current: number, previous: number, absolute: number, relative: number | null }, newUsers: { current: number, previous: number, absolute: number, relative: number | null }, returningUsers: { current: number, previous: number, absolute: number, relative: number | null } } | null, compare: { range: { start: string, end: string, days: number }, series: { uniqueUsers: Array<{ date: string, users: number }> } } | null, periods: Array<{ complete: boolean, range: { start: string, end: string, days: number }, summary: { uniqueUsers: number } | null }>, activity: { averageDailyUsers: number, stickiness: number | null, peakDay: { date: string, users: number } | null } | null, freshness: { asOf: unknown, ageSeconds: number, stale: boolean, source: AnswerSource } } | null, bot: { id: string, upstreamBudget: { queued: number, callerLeft: number, minute: { limit: number, used: number, resetsInSeconds: number } } | null } | null };

export type ChangeFiguresFragment = { current: number, previous: number, absolute: number, relative: number | null };
