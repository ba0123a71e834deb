import { DataPoint, EngagementSummary, engagementSeries, hourlyBucket, type EngagementSeries, type HourlyBucket } from './engagement.type';

/**
 * What is not a GraphQL type: the canonical question (TrendQuery), one upstream call
 * (UpstreamRequest), their keys, and what one call yields (TrendData). The data inside TrendData
 * are the GraphQL object classes themselves (engagement.type.ts). Dates are ISO `YYYY-MM-DD`.
 */

export type ApiVersion = 'v1' | 'v2';
export type Granularity = 'daily' | 'hourly';
export type ConversationTypeValue = 'ALL' | 'INTERACTIVE' | 'NON_INTERACTIVE';
export type ConversationStatusValue = 'ALL' | 'ACTIVE' | 'CLOSED';

/** What one upstream call yields. Daily calls fill `series`, hourly calls fill `hourly`; `summary` is null where the version has none. */
export interface TrendData {
  readonly version: ApiVersion;
  readonly summary: EngagementSummary | null;
  readonly series?: EngagementSeries;
  readonly hourly?: readonly HourlyBucket[];
  /** Set when an expired cached answer is served (the upstream failed, or stale-while-revalidate). */
  readonly stale?: { readonly storedAt: number };
}

/** Where an answer came from: this request's upstream call (or one it joined), the cache, or an expired cache entry. */
export type AnswerSourceValue = 'UPSTREAM' | 'CACHE' | 'STALE_CACHE';

/**
 * Where one answer came from and when it was fetched: told by the resilient client to the one fetch
 * that asked (FetchOptions.served), never stored with the answer (a cached answer is one object
 * served to many requests, each with its own provenance). The `freshness` field reports it.
 */
export interface Provenance {
  /** When the upstream answer was fetched (the resilient client's clock, ms). */
  readonly fetchedAt: number;
  readonly source: AnswerSourceValue;
}

/**
 * How an expired answer may be served (per fetch, never part of a key: every policy asks the same
 * question with the same one call). `wait`: wait for a fresh answer, an expired one only when the
 * upstream fails (stale-if-error); `stale-while-revalidate`: an expired answer still kept is served
 * at once, marked stale, and refreshed behind; `must-revalidate`: wait, and fail rather than serve stale.
 */
export type ServingPolicy = 'wait' | 'stale-while-revalidate' | 'must-revalidate';

/** Per fetch, beside the question (neither is part of any key). */
export interface FetchOptions {
  /** Undefined: the configured CACHE_POLICY. */
  readonly policy?: ServingPolicy;
  /** Told, once, where the answer returned came from. */
  served?(provenance: Provenance): void;
}

/**
 * A TrendData after a JSON round trip (a cache shared through Redis): the same own fields on plain
 * objects. The `version` of a series or bucket is its class's, not an own field, so JSON does not
 * carry it; the answer's own `version` does.
 */
export type TrendDataJson = Omit<TrendData, 'series' | 'hourly'> & {
  readonly series?: Omit<EngagementSeries, 'version'>;
  readonly hourly?: ReadonlyArray<Omit<HourlyBucket, 'version'>>;
};

/** Class instances again, as every `@Root()` expects, from what JSON.parse gave back. */
export function trendDataFromJson(json: TrendDataJson): TrendData {
  const { version, summary, series, hourly, stale } = json;
  const points = (list: readonly DataPoint[]) => list.map((p) => new DataPoint(p.date, p.users));
  return {
    version,
    summary: summary && new EngagementSummary(summary),
    ...(series && {
      series: engagementSeries(
        version,
        points(series.uniqueUsers),
        series.newUsers && points(series.newUsers),
        series.returningUsers && points(series.returningUsers),
      ),
    }),
    ...(hourly && { hourly: hourly.map((b) => hourlyBucket(version, b.date, b.hour, b.uniqueUsers, b.newUsers, b.returningUsers)) }),
    ...(stale && { stale }),
  };
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
