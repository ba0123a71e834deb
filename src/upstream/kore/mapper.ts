import { DataPoint, EngagementSummary, engagementSeries, hourlyBucket, type HourlyBucket } from '../../engagement/engagement.type';
import type { ApiVersion, TrendData, UpstreamRequest } from '../../engagement/model';
import { isoDate } from '../../time/calendar';
import { HOUR_KEYS, parseKoreDate } from './labels';
import { MalformedBodyError, readV1Body, readV2Body, type KoreDayRow, type KoreSummary, type KoreTrend } from './wire';

/**
 * Kore.ai wire JSON → the domain classes. The body's shape is checked first (wire.ts); here each
 * value kept is checked: a count must be a non-negative integer, a date a real `MMM DD YYYY` label,
 * no day twice. Lenient about what the documentation shows varying: days left out and hour keys
 * left out are zero-filled, unknown keys are ignored. Anything else throws MalformedBodyError,
 * which the client maps to UPSTREAM_BAD_RESPONSE.
 */

export { MalformedBodyError };

/**
 * A count: a non-negative safe integer, or a string of digits (v1's sample shows strings).
 * `where` may be a function: the error's path is then built only when there is an error (an
 * hourly answer has 24 counts a day, and building each path up front showed in profiles).
 */
export function parseCount(value: unknown, where: string | (() => string)): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value)) return Number(value);
  throw new MalformedBodyError(typeof where === 'string' ? where : where());
}

function parseAverage(value: unknown, where: string): number {
  const n = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) throw new MalformedBodyError(where);
  return n;
}

function summaryFrom(s: KoreSummary): EngagementSummary {
  return new EngagementSummary({
    uniqueUsers: parseCount(s.uniqueUsers, 'summary.uniqueUsers'),
    newUsers: parseCount(s.newUsers, 'summary.newUsers'),
    returningUsers: parseCount(s.returningUsers, 'summary.returningUsers'),
    avgUniqueUsersPerDay: parseAverage(s.avgUniqueUsersPerDay, 'summary.avgUniqueUsersPerDay'),
    avgNewUsersPerDay: parseAverage(s.avgNewUsersPerDay, 'summary.avgNewUsersPerDay'),
    avgReturningUsersPerDay: parseAverage(s.avgReturningUsersPerDay, 'summary.avgReturningUsersPerDay'),
  });
}

/** Rows keyed by day number; rows outside the asked range are dropped, a day seen twice is an error. */
function rowsByDay(rows: readonly KoreDayRow[], where: string, req: UpstreamRequest): Map<number, KoreDayRow> {
  const byDay = new Map<number, KoreDayRow>();
  rows.forEach((row, i) => {
    const day = parseKoreDate(row.date);
    if (day === null) throw new MalformedBodyError(`${where}[${i}].date`);
    if (day < req.startDay || day > req.endDay) return;
    if (byDay.has(day)) throw new MalformedBodyError(`${where}[${i}].date (day repeated)`);
    byDay.set(day, row);
  });
  return byDay;
}

// Arrays that outlive the request (cached answers) are allocated at their final length: one grown
// by push keeps a backing store larger than a week's series needs.

function dailyPoints(rows: readonly KoreDayRow[], where: string, req: UpstreamRequest): DataPoint[] {
  const byDay = rowsByDay(rows, where, req);
  const points = new Array<DataPoint>(req.endDay - req.startDay + 1);
  for (let day = req.startDay; day <= req.endDay; day++) {
    const row = byDay.get(day);
    const date = isoDate(day);
    points[day - req.startDay] = new DataPoint(date, row ? parseCount(row.users, () => `${where}[${date}].users`) : 0);
  }
  return points;
}

/** 24 counts per day of the range, in order; a missing day or hour key is zero. */
function hourlyCounts(rows: readonly KoreDayRow[], where: string, req: UpstreamRequest): number[] {
  const byDay = rowsByDay(rows, where, req);
  const counts: number[] = [];
  for (let day = req.startDay; day <= req.endDay; day++) {
    const row = byDay.get(day);
    for (const key of HOUR_KEYS) {
      const value = row?.[key];
      counts.push(value === undefined ? 0 : parseCount(value, () => `${where}[${isoDate(day)}]["${key}"]`));
    }
  }
  return counts;
}

function buckets(
  version: ApiVersion,
  req: UpstreamRequest,
  unique: number[],
  fresh: number[] | null,
  returning: number[] | null,
): HourlyBucket[] {
  const out = new Array<HourlyBucket>(unique.length);
  for (let i = 0; i < unique.length; i++) {
    const date = isoDate(req.startDay + Math.floor(i / 24));
    out[i] = hourlyBucket(version, date, i % 24, unique[i], fresh ? fresh[i] : null, returning ? returning[i] : null);
  }
  return out;
}

/** Returning = unique − new [doc]: used only when an answer carries new users but not returning. */
function deriveCounts(unique: readonly number[], fresh: readonly number[], where: string): number[] {
  return unique.map((u, i) => {
    if (fresh[i] > u) throw new MalformedBodyError(`${where}[${i}] (new users exceed unique users)`);
    return u - fresh[i];
  });
}

function derivePoints(unique: readonly DataPoint[], fresh: readonly DataPoint[], where: string): DataPoint[] {
  const counts = deriveCounts(
    unique.map((p) => p.users),
    fresh.map((p) => p.users),
    where,
  );
  return unique.map((p, i) => new DataPoint(p.date, counts[i]));
}

const points = (trend: KoreTrend, name: string, req: UpstreamRequest) => dailyPoints(trend.dataPoints, `${name}.dataPoints`, req);
const hours = (trend: KoreTrend, name: string, req: UpstreamRequest) => hourlyCounts(trend.dataPoints, `${name}.dataPoints`, req);

export function mapV2(json: unknown, req: UpstreamRequest): TrendData {
  const body = readV2Body(json);
  const summary = summaryFrom(body.summary);
  const { uniqueUsersTrend, newUsersTrend, returningUsersTrend } = body;

  if (req.granularity === 'daily') {
    // The documented daily sample shows only uniqueUsersTrend: a missing trend maps to null (a
    // field error later), never to zeros. Returning users can be derived (unique − new) [doc].
    const uniqueUsers = points(uniqueUsersTrend, 'uniqueUsersTrend', req);
    const newUsers = newUsersTrend && points(newUsersTrend, 'newUsersTrend', req);
    const returningUsers = returningUsersTrend
      ? points(returningUsersTrend, 'returningUsersTrend', req)
      : newUsers && derivePoints(uniqueUsers, newUsers, 'newUsersTrend.dataPoints');
    return { version: 'v2', summary, series: engagementSeries('v2', uniqueUsers, newUsers, returningUsers) };
  }
  // Hourly: the documented shape carries all three trends, and a bucket cannot say which is missing.
  if (!newUsersTrend) throw new MalformedBodyError('newUsersTrend');
  const unique = hours(uniqueUsersTrend, 'uniqueUsersTrend', req);
  const fresh = hours(newUsersTrend, 'newUsersTrend', req);
  const returning = returningUsersTrend
    ? hours(returningUsersTrend, 'returningUsersTrend', req)
    : deriveCounts(unique, fresh, 'newUsersTrend.dataPoints');
  return { version: 'v2', summary, hourly: buckets('v2', req, unique, fresh, returning) };
}

/**
 * v1's body has unique users only: no summary, no new or returning trends (as its row in
 * capabilities.ts says; a test holds the two together).
 */
export function mapV1(json: unknown, req: UpstreamRequest): TrendData {
  const { results } = readV1Body(json);
  if (req.granularity === 'daily') {
    return { version: 'v1', summary: null, series: engagementSeries('v1', dailyPoints(results, 'results', req), null, null) };
  }
  return { version: 'v1', summary: null, hourly: buckets('v1', req, hourlyCounts(results, 'results', req), null, null) };
}

const MAPPERS: { readonly [V in ApiVersion]: (json: unknown, req: UpstreamRequest) => TrendData } = { v1: mapV1, v2: mapV2 };

export function mapTrend(json: unknown, req: UpstreamRequest): TrendData {
  return MAPPERS[req.version](json, req);
}
