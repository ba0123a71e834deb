import type { ApiVersion, Granularity } from '../../engagement/model';

/**
 * What each Kore.ai API version can answer and be asked: the one table validation, the resolvers,
 * the request builder and the mapper read. A new API version is one more row (and its wire shape in
 * wire.ts and mapper.ts); nothing else infers a version from what an answer leaves out.
 *
 * `false` means "this version never provides it": asking is refused with UPSTREAM_UNSUPPORTED
 * before (filters, zones, summary) or while (per-field counts) the operation runs. `true` means the
 * version provides it; an answer that still lacks it is a bad answer (UPSTREAM_BAD_RESPONSE).
 */

/** The counts of one granularity: unique users always, new and returning users per version. */
export interface TrendCounts {
  readonly uniqueUsers: true;
  readonly newUsers: boolean;
  readonly returningUsers: boolean;
}

export interface Capabilities {
  /** Totals for the range (v2's `summary`). */
  readonly summary: boolean;
  readonly daily: TrendCounts;
  readonly hourly: TrendCounts;
  /** Filters the version takes; a filter it lacks may only be left at its default (all). */
  readonly filters: { readonly channel: boolean; readonly conversationType: boolean; readonly conversationStatus: boolean };
  /**
   * `any`: days and hours in any IANA zone the caller names (sent as `timeZoneOffset`).
   * `fixed`: the version aggregates in one zone per app, which the credential states (`v1TimeZone`).
   */
  readonly timeZone: 'any' | 'fixed';
}

export const CAPABILITIES: { readonly [V in ApiVersion]: Capabilities } = {
  v1: {
    summary: false,
    daily: { uniqueUsers: true, newUsers: false, returningUsers: false },
    hourly: { uniqueUsers: true, newUsers: false, returningUsers: false },
    filters: { channel: true, conversationType: false, conversationStatus: false },
    timeZone: 'fixed',
  },
  v2: {
    summary: true,
    daily: { uniqueUsers: true, newUsers: true, returningUsers: true },
    hourly: { uniqueUsers: true, newUsers: true, returningUsers: true },
    filters: { channel: true, conversationType: true, conversationStatus: true },
    timeZone: 'any',
  },
};

/** Whether `version` provides the `count` trend at `granularity`. */
export function provides(version: ApiVersion, granularity: Granularity, count: keyof TrendCounts): boolean {
  return CAPABILITIES[version][granularity][count];
}
