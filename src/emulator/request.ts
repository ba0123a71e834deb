import type http from 'node:http';
import { parseIsoDate } from '../time/calendar';
import { canonicalTimeZone } from '../time/zones';
import { koreError, type Answer } from './answer';
import type { MetricsQuery, StatusFilter, TypeFilter } from './metrics';

/**
 * Reading a request, once: the route, the bot, the token and the trend parameters, parsed into one
 * typed value that the fault switches, the rate limiter, the answer and the call record all read.
 * Parsing reports problems as Kore's answers but decides nothing: which refusal wins (auth, then
 * rate limit, then parameters) is the handler's order.
 */

export interface EmulatorRequest {
  readonly method: string;
  readonly path: string;
  /** The query string as the call record keeps it (the last value of a repeated name). */
  readonly params: Readonly<Record<string, string>>;
  /** Set on the two User Engagement Trend paths, undefined on any other path. */
  readonly trend: TrendRequest | undefined;
}

export interface TrendRequest {
  readonly version: 'v1' | 'v2';
  /** The bot id as written in the path. */
  readonly rawBotId: string;
  /** The decoded bot id; null when the path segment is not valid percent-encoding. */
  readonly botId: string | null;
  /** The `auth` header (Kore's JWT header), first value. */
  readonly token: string | undefined;
  /** The parameters as a metrics question, or the answer refusing them. */
  readonly query: MetricsQuery | Answer;
}

/** The zones a request without its own zone is answered in. */
export interface ZoneDefaults {
  /** The zone v1 aggregates in (v1 takes none). */
  readonly v1TimeZone?: string;
  /** v2's zone when `timeZoneOffset` is left out (Kore's is undocumented; its UI defaults to +05:30). */
  readonly v2DefaultTimeZone?: string;
}

const TREND_PATH = /^\/api\/public\/bot\/([^/]+)\/(v2\/)?userEngagementTrend$/;
const TYPES: Record<string, TypeFilter> = { all: 'all', interactive: 'interactive', 'non interactive': 'non interactive' };
const STATUSES: Record<string, StatusFilter> = { all: 'all', active: 'active', closed: 'closed' };
const MAX_DAYS = 366;

export function parseRequest(req: http.IncomingMessage, zones: ZoneDefaults): EmulatorRequest {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const base = { method: req.method ?? '', path: url.pathname, params: Object.fromEntries(url.searchParams) };
  const route = TREND_PATH.exec(url.pathname);
  if (!route) return { ...base, trend: undefined };
  const version = route[2] ? 'v2' : 'v1';
  let botId: string | null;
  try {
    botId = decodeURIComponent(route[1]);
  } catch {
    botId = null;
  }
  const header = req.headers.auth;
  const token = Array.isArray(header) ? header[0] : header;
  return { ...base, trend: { version, rawBotId: route[1], botId, token, query: parseQuery(version, url.searchParams, zones) } };
}

function parseQuery(version: 'v1' | 'v2', q: URLSearchParams, zones: ZoneDefaults): MetricsQuery | Answer {
  const startDay = parseIsoDate(q.get('start_date') ?? '');
  const endDay = parseIsoDate(q.get('end_date') ?? '');
  if (startDay === null || endDay === null || startDay > endDay) return koreError(400, 'Invalid date range');
  if (endDay - startDay + 1 > MAX_DAYS) return koreError(412, 'Validation errors/ Invalid arguments');
  const aggregation = (q.get('aggregation_type') ?? 'hourly').toLowerCase();
  if (aggregation !== 'daily' && aggregation !== 'hourly') return koreError(412, 'Validation errors/ Invalid arguments');
  const type = TYPES[(q.get('conversationType') ?? 'All').toLowerCase()];
  const status = STATUSES[(q.get('conversationStatus') ?? 'All').toLowerCase()];
  const zoneName = version === 'v1' ? (zones.v1TimeZone ?? 'UTC') : (q.get('timeZoneOffset') ?? zones.v2DefaultTimeZone ?? 'Asia/Kolkata');
  const timeZone = canonicalTimeZone(zoneName);
  if (!type || !status || !timeZone) return koreError(412, 'Validation errors/ Invalid arguments');
  const channel = q.get('channels');
  return {
    startDay,
    endDay,
    timeZone,
    channel: channel && channel.toLowerCase() !== 'all' ? channel : null,
    type,
    status,
    hourly: aggregation === 'hourly',
  };
}
