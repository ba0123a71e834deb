import { HOUR_KEYS, parseKoreDate } from '../upstream/kore/labels';
import { isoDate } from '../time/calendar';
import type { DataPoint, HourlyBucket, Series, Summary, TrendData, UpstreamRequest } from './model';

/**
 * Kore.ai wire JSON → the normalized model. Strict about what it keeps (a count must be a
 * non-negative integer, a date a real `MMM DD YYYY` label, no day twice), lenient about what the
 * documentation shows varying: days left out and hour keys left out are zero-filled, unknown keys
 * are ignored. Anything else throws MalformedBodyError, which the client maps to UPSTREAM_BAD_RESPONSE.
 */
export class MalformedBodyError extends Error {
  constructor(readonly where: string) {
    super(`upstream body is malformed at ${where}`);
    this.name = 'MalformedBodyError';
  }
}

type Json = Record<string, unknown>;

function obj(value: unknown, where: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new MalformedBodyError(where);
  return value as Json;
}

function arr(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new MalformedBodyError(where);
  return value;
}

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

function summaryFrom(value: unknown): Summary {
  const s = obj(value, 'summary');
  return {
    uniqueUsers: parseCount(s.uniqueUsers, 'summary.uniqueUsers'),
    newUsers: parseCount(s.newUsers, 'summary.newUsers'),
    returningUsers: parseCount(s.returningUsers, 'summary.returningUsers'),
    avgUniqueUsersPerDay: parseAverage(s.avgUniqueUsersPerDay, 'summary.avgUniqueUsersPerDay'),
    avgNewUsersPerDay: parseAverage(s.avgNewUsersPerDay, 'summary.avgNewUsersPerDay'),
    avgReturningUsersPerDay: parseAverage(s.avgReturningUsersPerDay, 'summary.avgReturningUsersPerDay'),
  };
}

/** Rows keyed by day number; rows outside the asked range are dropped, a day seen twice is an error. */
function rowsByDay(rows: unknown[], where: string, req: UpstreamRequest): Map<number, Json> {
  const byDay = new Map<number, Json>();
  rows.forEach((raw, i) => {
    const row = obj(raw, `${where}[${i}]`);
    const day = typeof row.date === 'string' ? parseKoreDate(row.date) : null;
    if (day === null) throw new MalformedBodyError(`${where}[${i}].date`);
    if (day < req.startDay || day > req.endDay) return;
    if (byDay.has(day)) throw new MalformedBodyError(`${where}[${i}].date (day repeated)`);
    byDay.set(day, row);
  });
  return byDay;
}

// Arrays that outlive the request (cached answers) are allocated at their final length: one grown
// by push keeps a backing store of 17+ slots, twice what a week's series needs.

function dailyPoints(rows: unknown[], where: string, req: UpstreamRequest): DataPoint[] {
  const byDay = rowsByDay(rows, where, req);
  const points = new Array<DataPoint>(req.endDay - req.startDay + 1);
  for (let day = req.startDay; day <= req.endDay; day++) {
    const row = byDay.get(day);
    const date = isoDate(day);
    points[day - req.startDay] = { date, users: row ? parseCount(row.users, () => `${where}[${date}].users`) : 0 };
  }
  return points;
}

/** 24 counts per day of the range, in order; a missing day or hour key is zero. */
function hourlyCounts(rows: unknown[], where: string, req: UpstreamRequest): number[] {
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

function buckets(req: UpstreamRequest, unique: number[], fresh: number[] | null, returning: number[] | null): HourlyBucket[] {
  const out = new Array<HourlyBucket>(unique.length);
  for (let i = 0; i < unique.length; i++) {
    out[i] = {
      date: isoDate(req.startDay + Math.floor(i / 24)),
      hour: i % 24,
      uniqueUsers: unique[i],
      newUsers: fresh ? fresh[i] : null,
      returningUsers: returning ? returning[i] : null,
    };
  }
  return out;
}

/** A v2 trend's data points, or null when the answer leaves that trend out. */
function v2Trend(body: Json, name: string): unknown[] | null {
  if (body[name] === undefined || body[name] === null) return null;
  return arr(obj(body[name], name).dataPoints, `${name}.dataPoints`);
}

/** Returning = unique − new [doc]: used only when an answer carries new users but not returning. */
function derive<T extends number | DataPoint>(unique: readonly T[], fresh: readonly T[], where: string): T[] {
  return unique.map((u, i) => {
    const a = typeof u === 'number' ? u : u.users;
    const f = fresh[i];
    const b = typeof f === 'number' ? f : f.users;
    if (b > a) throw new MalformedBodyError(`${where}[${i}] (new users exceed unique users)`);
    return (typeof u === 'number' ? a - b : { date: u.date, users: a - b }) as T;
  });
}

export function mapV2(body: unknown, req: UpstreamRequest): TrendData {
  const root = obj(body, 'body');
  const summary = summaryFrom(root.summary);
  const uniqueRows = v2Trend(root, 'uniqueUsersTrend');
  if (!uniqueRows) throw new MalformedBodyError('uniqueUsersTrend');
  const newRows = v2Trend(root, 'newUsersTrend');
  const returningRows = v2Trend(root, 'returningUsersTrend');

  if (req.granularity === 'daily') {
    // The documented daily sample shows only uniqueUsersTrend: a missing trend maps to null (a
    // field error later), never to zeros. Returning users can be derived (unique − new) [doc].
    const uniqueUsers = dailyPoints(uniqueRows, 'uniqueUsersTrend.dataPoints', req);
    const newUsers = newRows && dailyPoints(newRows, 'newUsersTrend.dataPoints', req);
    const returningUsers = returningRows
      ? dailyPoints(returningRows, 'returningUsersTrend.dataPoints', req)
      : newUsers && derive(uniqueUsers, newUsers, 'newUsersTrend.dataPoints');
    const series: Series = { uniqueUsers, newUsers, returningUsers };
    return { version: 'v2', summary, series };
  }
  // Hourly: the documented shape carries all three trends, and a bucket cannot say which is missing.
  if (!newRows) throw new MalformedBodyError('newUsersTrend');
  const unique = hourlyCounts(uniqueRows, 'uniqueUsersTrend.dataPoints', req);
  const fresh = hourlyCounts(newRows, 'newUsersTrend.dataPoints', req);
  const returning = returningRows
    ? hourlyCounts(returningRows, 'returningUsersTrend.dataPoints', req)
    : derive(unique, fresh, 'newUsersTrend.dataPoints');
  return { version: 'v2', summary, hourly: buckets(req, unique, fresh, returning) };
}

export function mapV1(body: unknown, req: UpstreamRequest): TrendData {
  const rows = arr(obj(body, 'body').results, 'results');
  if (req.granularity === 'daily') {
    return { version: 'v1', summary: null, series: { uniqueUsers: dailyPoints(rows, 'results', req), newUsers: null, returningUsers: null } };
  }
  return { version: 'v1', summary: null, hourly: buckets(req, hourlyCounts(rows, 'results', req), null, null) };
}

export function mapTrend(body: unknown, req: UpstreamRequest): TrendData {
  return req.version === 'v2' ? mapV2(body, req) : mapV1(body, req);
}
