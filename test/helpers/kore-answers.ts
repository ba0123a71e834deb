import { isoDate, parseIsoDate } from '../../src/time/calendar';
import { koreDate } from '../../src/upstream/kore/labels';
import type { FakeRequest, FakeReply } from './fake-upstream';

/**
 * A well-formed v2 daily answer for whatever range a request asks, with numbers derived from the
 * request itself (unique users = days in the range × 10 + the day-of-month of the start), so a
 * test can tell which question an answer belongs to.
 */
export function dailyAnswerFor(req: FakeRequest): FakeReply {
  const start = parseIsoDate(req.query.start_date) as number;
  const end = parseIsoDate(req.query.end_date) as number;
  const days = end - start + 1;
  const unique = expectedUnique(req.query.start_date, req.query.end_date);
  const points = Array.from({ length: days }, (_, i) => ({ date: koreDate(start + i), users: 1 }));
  return {
    body: {
      summary: {
        uniqueUsers: unique,
        newUsers: 1,
        returningUsers: unique - 1,
        avgUniqueUsersPerDay: unique / days,
        avgNewUsersPerDay: 1 / days,
        avgReturningUsersPerDay: (unique - 1) / days,
      },
      uniqueUsersTrend: { dataPoints: points },
      newUsersTrend: { dataPoints: points.map((p, i) => ({ ...p, users: i === 0 ? 1 : 0 })) },
      filters: {
        start: koreDate(start),
        end: koreDate(end),
        conversationType: 'all',
        conversationStatus: 'all',
        aggregationType: 'daily',
        dataPointsCount: days,
      },
    },
  };
}

export function expectedUnique(start: string, end: string): number {
  const days = (parseIsoDate(end) as number) - (parseIsoDate(start) as number) + 1;
  return days * 10 + Number(isoDate(parseIsoDate(start) as number).slice(8, 10));
}
