/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
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

/** An inclusive range of calendar days: 2025-12-01 to 2025-12-05 is five days. */
export type DateRangeInput = {
  /** Last day of the range (inclusive). */
  end: string;
  /** First day of the range (inclusive). */
  start: string;
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

export type ExplorerTrendQueryVariables = Exact<{
  botId: string | number;
  range: DateRangeInput;
  filters?: EngagementFilters | null | undefined;
  withHourly: boolean;
}>;


export type ExplorerTrendQuery = { engagementTrend: { botId: string, range: { start: string, end: string, days: number }, summary: { uniqueUsers: number, newUsers: number, returningUsers: number, avgUniqueUsersPerDay: number, avgNewUsersPerDay: number, avgReturningUsersPerDay: number } | null, series: { uniqueUsers: Array<{ date: string, users: number }>, newUsers: Array<{ date: string, users: number }> | null, returningUsers: Array<{ date: string, users: number }> | null }, hourly?: Array<{ date: string, hour: number, uniqueUsers: number }> } | null };
