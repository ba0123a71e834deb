import { HOUR_KEYS, koreDate } from '../upstream/kore/labels';
import type { Counts, Metrics, MetricsQuery } from './metrics';

/**
 * The 200 bodies of both endpoints, built from computed metrics in Kore.ai's documented shapes
 * (UPSTREAM.md): v2 with a summary, three trends and the filters it applied; v1 with unique users
 * only. Hourly answers carry one row per day with a column per hour (Kore's hour labels).
 */

const round2 = (n: number) => Math.round(n * 100) / 100;

function hourRow(day: number, hours: Counts[], offset: number, pick: (c: Counts) => number): Record<string, string | number> {
  const row: Record<string, string | number> = { date: koreDate(day) };
  HOUR_KEYS.forEach((key, h) => (row[key] = pick(hours[offset + h])));
  return row;
}

export function v2Body(q: MetricsQuery, m: Metrics) {
  const dayCount = q.endDay - q.startDay + 1;
  const trend = (pick: (c: Counts) => number) => ({
    dataPoints: m.days.map((c, d) =>
      m.hours ? hourRow(q.startDay + d, m.hours, d * 24, pick) : { date: koreDate(q.startDay + d), users: pick(c) },
    ),
  });
  return {
    summary: {
      uniqueUsers: m.summary.unique,
      newUsers: m.summary.new,
      returningUsers: m.summary.returning,
      avgUniqueUsersPerDay: round2(m.summary.unique / dayCount),
      avgNewUsersPerDay: round2(m.summary.new / dayCount),
      avgReturningUsersPerDay: round2(m.summary.returning / dayCount),
    },
    uniqueUsersTrend: trend((c) => c.unique),
    newUsersTrend: trend((c) => c.new),
    returningUsersTrend: trend((c) => c.returning),
    filters: {
      start: koreDate(q.startDay),
      end: koreDate(q.endDay),
      conversationType: q.type,
      conversationStatus: q.status,
      aggregationType: q.hourly ? 'hourly' : 'daily',
      dataPointsCount: dayCount,
    },
  };
}

/** v1 leaves days without users out (its documented sample is gappy), so clients must zero-fill. */
export function v1Body(q: MetricsQuery, m: Metrics) {
  const results = m.days.flatMap((c, d) => {
    if (c.unique === 0) return [];
    return [m.hours ? hourRow(q.startDay + d, m.hours, d * 24, (h) => h.unique) : { date: koreDate(q.startDay + d), users: c.unique }];
  });
  return { results, totalResults: results.length };
}
