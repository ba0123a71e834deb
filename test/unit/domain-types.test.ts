import { DataPoint, EngagementSeries, EngagementSummary, HourlyBucket } from '../../src/engagement/engagement.type';
import { trendDataFromJson, type ApiVersion, type Granularity, type TrendData, type TrendDataJson } from '../../src/engagement/model';
import { mapTrend } from '../../src/upstream/kore';
import { fullBody, upstreamReq } from '../helpers/kore-bodies';

/**
 * The domain is declared once: what the mapper builds, the caches hold and the resolvers get as
 * `@Root()` are the GraphQL object classes themselves, never plain objects (type-graphql would copy
 * a plain root into a new instance for every field resolver call). A JSON round trip (the Redis
 * cache) gives plain objects back; trendDataFromJson makes them instances again.
 */

const CASES: Array<[ApiVersion, Granularity]> = [
  ['v1', 'daily'],
  ['v1', 'hourly'],
  ['v2', 'daily'],
  ['v2', 'hourly'],
];

function mapped(version: ApiVersion, granularity: Granularity): TrendData {
  const req = upstreamReq(version, granularity, '2025-12-01', '2025-12-03');
  return mapTrend(fullBody(req), req);
}

/** Every object an answer holds is an instance of its GraphQL class, and knows the version that answered. */
function expectInstances(data: TrendData, version: ApiVersion): void {
  if (data.summary !== null) expect(data.summary).toBeInstanceOf(EngagementSummary);
  if (data.series) {
    expect(data.series).toBeInstanceOf(EngagementSeries);
    expect(data.series.version).toBe(version);
    const points = [...data.series.uniqueUsers, ...(data.series.newUsers ?? []), ...(data.series.returningUsers ?? [])];
    expect(points.length).toBeGreaterThan(0);
    expect(points.every((p) => p instanceof DataPoint)).toBe(true);
  }
  if (data.hourly) {
    expect(data.hourly).toHaveLength(72);
    expect(data.hourly.every((b) => b instanceof HourlyBucket && b.version === version)).toBe(true);
  }
}

describe.each(CASES)('a mapped %s %s answer', (version, granularity) => {
  it('is built of class instances that know their API version', () => {
    const data = mapped(version, granularity);
    expect(data.series !== undefined).toBe(granularity === 'daily');
    expect(data.hourly !== undefined).toBe(granularity === 'hourly');
    expectInstances(data, version);
  });

  it('keeps the version out of its JSON, and comes back from JSON as equal instances', () => {
    const data = mapped(version, granularity);
    const text = JSON.stringify({ ...data, stale: { storedAt: 7 } });
    // Only the answer itself names its version: not each bucket or series (JSON is what it was).
    expect(text.match(/"version"/g)).toHaveLength(1);
    const back = trendDataFromJson(JSON.parse(text) as TrendDataJson);
    expectInstances(back, version);
    expect(back).toStrictEqual({ ...data, stale: { storedAt: 7 } });
  });
});

it('buckets hold only their own counts (the version is on their class)', () => {
  const bucket = mapped('v2', 'hourly').hourly?.[17];
  expect(Object.keys(bucket ?? {})).toEqual(['date', 'hour', 'uniqueUsers', 'newUsers', 'returningUsers']);
});
