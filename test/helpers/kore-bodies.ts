import { HOUR_KEYS, koreDate } from '../../src/upstream/kore/labels';
import { parseIsoDate } from '../../src/time/calendar';
import type { ApiVersion, Granularity, UpstreamRequest } from '../../src/engagement/model';

/** A canonical request for the mapper, over inclusive ISO days. */
export const upstreamReq = (version: ApiVersion, granularity: Granularity, start: string, end: string): UpstreamRequest => ({
  version,
  granularity,
  botId: 'st-1',
  startDay: parseIsoDate(start) as number,
  endDay: parseIsoDate(end) as number,
  channel: null,
  conversationType: 'ALL',
  conversationStatus: 'ALL',
  timeZone: 'UTC',
});

/** The v2 page's daily sample, verbatim: gappy (Dec 02, 04, 05 missing) and with unique users only. */
export const V2_DAILY_DOC_SAMPLE = {
  summary: {
    uniqueUsers: 2,
    newUsers: 2,
    returningUsers: 0,
    avgUniqueUsersPerDay: 0.4,
    avgNewUsersPerDay: 0.4,
    avgReturningUsersPerDay: 0,
  },
  uniqueUsersTrend: {
    dataPoints: [
      { date: 'Dec 01 2025', users: 0 },
      { date: 'Dec 03 2025', users: 1 },
    ],
  },
  filters: {
    start: 'Dec 01 2025',
    end: 'Dec 05 2025',
    conversationType: 'all',
    conversationStatus: 'all',
    aggregationType: 'daily',
    dataPointsCount: 5,
  },
};

/** One row per day of `req` in the documented shape: `users` (daily) or 24 hour keys (hourly), each count `count(day, hour)`. */
function rows(req: UpstreamRequest, count: (day: number, hour: number) => number): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (let day = req.startDay; day <= req.endDay; day++) {
    const row: Record<string, unknown> = { date: koreDate(day) };
    if (req.granularity === 'daily') row.users = count(day, 0);
    else HOUR_KEYS.forEach((key, hour) => (row[key] = count(day, hour)));
    out.push(row);
  }
  return out;
}

/** A complete, zero-free answer as the version documents it: v2 with its summary and all three trends, v1 with `results`. */
export function fullBody(req: UpstreamRequest): unknown {
  const unique = rows(req, (day, hour) => 3 + ((day + hour) % 5));
  if (req.version === 'v1') return { results: unique, totalResults: unique.length };
  const days = req.endDay - req.startDay + 1;
  return {
    summary: {
      uniqueUsers: 9,
      newUsers: 4,
      returningUsers: 5,
      avgUniqueUsersPerDay: 9 / days,
      avgNewUsersPerDay: 4 / days,
      avgReturningUsersPerDay: 5 / days,
    },
    uniqueUsersTrend: { dataPoints: unique },
    newUsersTrend: { dataPoints: rows(req, () => 1) },
    returningUsersTrend: { dataPoints: rows(req, (day, hour) => 2 + ((day + hour) % 5)) },
    filters: { aggregationType: req.granularity, dataPointsCount: days },
  };
}
