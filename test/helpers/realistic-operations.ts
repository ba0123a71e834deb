import { parseIsoDate } from '../../src/time/calendar';

/**
 * The operations of issue 14's memory row, as clients send them: daily series of 30 to 90 days,
 * hourly answers of 7 to 31 days, four time zones; arguments inline (curl users, generated
 * dashboards: every range a distinct document) or as variables. Shared by the heap probe and the soak.
 */

export const ZONES = ['UTC', 'Asia/Kolkata', 'America/New_York', 'Europe/Berlin'];
export const END = '2025-11-30';
export const dayOf = (iso: string) => parseIsoDate(iso) as number;
export const isoOf = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

const TYPES = ['ALL', 'INTERACTIVE', 'NON_INTERACTIVE'];
const STATUSES = ['ALL', 'ACTIVE', 'CLOSED'];

export const FULL_FIELDS = `botId range { start end days } summary { uniqueUsers newUsers returningUsers avgUniqueUsersPerDay avgNewUsersPerDay avgReturningUsersPerDay }`;
export const SERIES_FIELDS = `series { uniqueUsers { date users } newUsers { date users } returningUsers { date users } }`;
export const HOURLY_FIELDS = `hourly { date hour uniqueUsers newUsers returningUsers }`;

/** The inline document a dashboard or curl user sends: arguments in the text, `i` makes it distinct. */
export function inlineDocument(shape: 'summary' | 'daily' | 'dashboard', i: number): string {
  const bot = `st-demo-${['retail', 'banking', 'travel'][i % 3]}`;
  const zone = ZONES[i % ZONES.length];
  // A different document for every i below 18,900: the end moves back a day, every 300 the windows
  // shrink a day (up to 6, within the 90- and 31-day limits), every 2,100 another filter pair.
  const end = dayOf(END) - (i % 300);
  const shorter = Math.floor(i / 300) % 7;
  const pair = Math.floor(i / 2100) % 9;
  const filters = pair === 0 ? '' : `, conversationType: ${TYPES[pair % 3]}, conversationStatus: ${STATUSES[Math.floor(pair / 3)]}`;
  const args = (days: number) =>
    `botId: "${bot}", range: { start: "${isoOf(end - days + shorter + 1)}", end: "${isoOf(end)}" }, filters: { timeZone: "${zone}"${filters} }`;
  if (shape === 'summary') return `{ engagementTrend(${args(30)}) { ${FULL_FIELDS} } }`;
  if (shape === 'daily') return `query Daily { engagementTrend(${args(90)}) { ${FULL_FIELDS} ${SERIES_FIELDS} } }`;
  return `query Dashboard {
  last90: engagementTrend(${args(90)}) { ${FULL_FIELDS} ${SERIES_FIELDS} }
  last30: engagementTrend(${args(30)}) { ${FULL_FIELDS} ${SERIES_FIELDS} }
  lastWeekHourly: engagementTrend(${args(7)}) { summary { uniqueUsers newUsers returningUsers } ${HOURLY_FIELDS} }
  lastMonthHourly: engagementTrend(${args(31)}) { summary { uniqueUsers newUsers returningUsers } ${HOURLY_FIELDS} }
}`;
}

/** The same questions with variables: one document per shape, the range and zone in `variables`. */
export function variablesOperation(i: number): { query: string; variables: Record<string, unknown> } {
  const hourly = i % 3 === 0;
  const days = hourly ? 7 + (i % 25) : 30 + (i % 61);
  const end = dayOf(END) - (i % 200);
  return {
    query: `query Trend($bot: ID!, $range: DateRangeInput!, $filters: EngagementFilters) { engagementTrend(botId: $bot, range: $range, filters: $filters) { ${FULL_FIELDS} ${hourly ? HOURLY_FIELDS : SERIES_FIELDS} } }`,
    variables: {
      bot: 'st-demo-retail',
      range: { start: isoOf(end - days + 1), end: isoOf(end) },
      filters: { timeZone: ZONES[i % ZONES.length] },
    },
  };
}
