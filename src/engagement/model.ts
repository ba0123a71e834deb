/**
 * The normalized engagement data every layer shares: what the mapper produces from either upstream
 * version, what the loaders cache and what the GraphQL types serve. Dates are ISO `YYYY-MM-DD`.
 * `null` for a series or count means "this upstream answer does not carry it" (v1, or a v2 answer
 * that left a trend out); the GraphQL layer turns that into a field error, never a zero.
 */

export type ApiVersion = 'v1' | 'v2';
export type Granularity = 'daily' | 'hourly';
export type ConversationTypeValue = 'ALL' | 'INTERACTIVE' | 'NON_INTERACTIVE';
export type ConversationStatusValue = 'ALL' | 'ACTIVE' | 'CLOSED';

export interface DataPoint {
  readonly date: string;
  readonly users: number;
}

export interface Summary {
  readonly uniqueUsers: number;
  readonly newUsers: number;
  readonly returningUsers: number;
  readonly avgUniqueUsersPerDay: number;
  readonly avgNewUsersPerDay: number;
  readonly avgReturningUsersPerDay: number;
}

export interface Series {
  readonly uniqueUsers: readonly DataPoint[];
  readonly newUsers: readonly DataPoint[] | null;
  readonly returningUsers: readonly DataPoint[] | null;
}

export interface HourlyBucket {
  readonly date: string;
  readonly hour: number;
  readonly uniqueUsers: number;
  readonly newUsers: number | null;
  readonly returningUsers: number | null;
}

/** What one upstream call yields. Daily calls fill `series`, hourly calls fill `hourly`. */
export interface TrendData {
  readonly version: ApiVersion;
  readonly summary: Summary | null;
  readonly series?: Series;
  readonly hourly?: readonly HourlyBucket[];
  /** Set when an expired cached answer is served because the upstream failed. */
  readonly stale?: { readonly storedAt: number };
}

/** Everything that identifies one engagement question, except its granularity. */
export interface TrendQuery {
  readonly version: ApiVersion;
  readonly botId: string;
  /** Inclusive calendar days, as day numbers (days since 1970-01-01). */
  readonly startDay: number;
  readonly endDay: number;
  readonly channel: string | null;
  readonly conversationType: ConversationTypeValue;
  readonly conversationStatus: ConversationStatusValue;
  /** Canonical IANA name. */
  readonly timeZone: string;
}

/** One upstream call: the canonical request DataLoader and every cache key on. */
export interface UpstreamRequest extends TrendQuery {
  readonly granularity: Granularity;
}

// Questions are immutable once validated and their keys are asked for several times per call
// (loader key, batch plan, single flight, cache): each key is built once per object.
const queryKeys = new WeakMap<TrendQuery, string>();
const requestKeys = new WeakMap<UpstreamRequest, string>();

/** Validated values never contain `|`, so this key is unambiguous. */
export function queryKey(q: TrendQuery): string {
  let key = queryKeys.get(q);
  if (key === undefined) {
    key = `${q.version}|${q.botId}|${q.startDay}|${q.endDay}|${q.channel ?? '*'}|${q.conversationType}|${q.conversationStatus}|${q.timeZone}`;
    queryKeys.set(q, key);
  }
  return key;
}

/** The upstream call for a question at a granularity; its key starts from the question's, already built. */
export function upstreamRequest(query: TrendQuery, granularity: Granularity): UpstreamRequest {
  const req: UpstreamRequest = { ...query, granularity };
  requestKeys.set(req, `${granularity}|${queryKey(query)}`);
  return req;
}

export function requestKey(r: UpstreamRequest): string {
  let key = requestKeys.get(r);
  if (key === undefined) {
    key = `${r.granularity}|${queryKey(r)}`;
    requestKeys.set(r, key);
  }
  return key;
}
