/** The GraphQL operations more than one scenario sends, and the week they ask about. */

export const RANGE = { start: '2025-12-01', end: '2025-12-07' };

export const TREND_FIELDS =
  'summary { uniqueUsers newUsers returningUsers avgUniqueUsersPerDay } series { uniqueUsers { date users } newUsers { date users } returningUsers { date users } }';

export const TREND_OP = `query Trend($bot: ID!, $range: DateRangeInput!) { engagementTrend(botId: $bot, range: $range) { ${TREND_FIELDS} } }`;

/** `n` `_entities` representations of bots `${prefix}0` … */
export const reps = (n: number, prefix = 'st-bot-') => Array.from({ length: n }, (_, i) => ({ __typename: 'Bot', id: `${prefix}${i}` }));
