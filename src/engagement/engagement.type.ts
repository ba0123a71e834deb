import { Directive, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import type { FieldNode } from 'graphql';
import type { ApiVersion, ServingPolicy, TrendQuery } from './model';
import { DateScalar } from './date.scalar';

/**
 * The engagement domain, declared once: these classes are both the GraphQL object types and what
 * the Kore mapper (upstream/kore/mapper.ts) builds, the loaders and caches hold and the resolvers
 * get as `@Root()`. Roots must be instances (type-graphql copies a plain root into a new instance
 * for every field resolver call), so each class has a constructor and nothing builds them as
 * literals. A count or series that is null is one the answer does not carry: capabilities.ts says
 * whether that is the API version (UPSTREAM_UNSUPPORTED) or a bad answer.
 *
 * Fields without `@Field` here are served by field resolvers (engagement.resolver.ts), which
 * decide the error when they are null; the schema's field order follows the decorators.
 */

@ObjectType({ description: 'The inclusive range of days the numbers cover.' })
export class DateRange {
  @Field(() => DateScalar, { description: 'First day (inclusive).' })
  start!: string;

  @Field(() => DateScalar, { description: 'Last day (inclusive).' })
  end!: string;

  @Field(() => Int, { description: 'Number of days in the range, both ends included.' })
  days!: number;

  constructor(start: string, end: string, days: number) {
    this.start = start;
    this.end = end;
    this.days = days;
  }
}

@ObjectType({ description: 'Totals for the whole range. Unique and returning users are distinct users, not sums of days.' })
export class EngagementSummary {
  @Field(() => Int, { description: 'Distinct users who interacted with the bot in the range.' })
  uniqueUsers!: number;

  @Field(() => Int, { description: 'Users whose first interaction ever falls in the range.' })
  newUsers!: number;

  @Field(() => Int, { description: 'Users active in the range who were first seen before it (unique − new).' })
  returningUsers!: number;

  @Field(() => Float, { description: 'uniqueUsers ÷ days in the range.' })
  avgUniqueUsersPerDay!: number;

  @Field(() => Float, { description: 'newUsers ÷ days in the range.' })
  avgNewUsersPerDay!: number;

  @Field(() => Float, { description: 'returningUsers ÷ days in the range.' })
  avgReturningUsersPerDay!: number;

  constructor(totals: Readonly<EngagementSummary>) {
    this.uniqueUsers = totals.uniqueUsers;
    this.newUsers = totals.newUsers;
    this.returningUsers = totals.returningUsers;
    this.avgUniqueUsersPerDay = totals.avgUniqueUsersPerDay;
    this.avgNewUsersPerDay = totals.avgNewUsersPerDay;
    this.avgReturningUsersPerDay = totals.avgReturningUsersPerDay;
  }
}

@ObjectType({ description: 'A count of users on one day.' })
export class DataPoint {
  @Field(() => DateScalar, { description: 'The day, in the requested time zone.' })
  date!: string;

  @Field(() => Int, { description: 'Number of users that day.' })
  users!: number;

  constructor(date: string, users: number) {
    this.date = date;
    this.users = users;
  }
}

@ObjectType({ description: 'Daily series: exactly one point per day of the range, in order, zero where nobody came.' })
export class EngagementSeries {
  // One point per day: at most MAX_RANGE_DAYS_DAILY's default (90), for the router's estimate.
  @Directive('@listSize(assumedSize: 90)')
  @Field(() => [DataPoint], { description: 'Distinct users per day.' })
  uniqueUsers!: readonly DataPoint[];

  /** Null when the answer does not carry the trend. */
  newUsers!: readonly DataPoint[] | null;
  returningUsers!: readonly DataPoint[] | null;
  /** The API version that answered: its subclass's, see byVersion. */
  declare readonly version: ApiVersion;

  constructor(uniqueUsers: readonly DataPoint[], newUsers: readonly DataPoint[] | null, returningUsers: readonly DataPoint[] | null) {
    this.uniqueUsers = uniqueUsers;
    this.newUsers = newUsers;
    this.returningUsers = returningUsers;
  }
}

@ObjectType({ description: 'Users in one hour of one day (in the requested time zone).' })
export class HourlyBucket {
  @Field(() => DateScalar, { description: 'The day.' })
  date!: string;

  @Field(() => Int, { description: 'Hour of the day, 0–23: hour 17 covers 17:00–17:59 (Kore.ai\'s "17 - 18").' })
  hour!: number;

  @Field(() => Int, { description: 'Distinct users in this hour.' })
  uniqueUsers!: number;

  /** Null when the answer does not carry the trend. */
  newUsers!: number | null;
  returningUsers!: number | null;
  /** The API version that answered: its subclass's, see byVersion. */
  declare readonly version: ApiVersion;

  constructor(date: string, hour: number, uniqueUsers: number, newUsers: number | null, returningUsers: number | null) {
    this.date = date;
    this.hour = hour;
    this.uniqueUsers = uniqueUsers;
    this.newUsers = newUsers;
    this.returningUsers = returningUsers;
  }
}

/**
 * Series and buckets know which API version answered (the resolvers read its capabilities), but not
 * as an own field: an hourly answer holds up to 24 buckets a day for a month, all of one version.
 * Each version gets a subclass whose prototype carries `version`: still the same GraphQL type
 * (instanceof holds, so type-graphql takes it as is), nothing per instance, nothing in JSON (a
 * cached answer is rebuilt from its answer's version, see trendDataFromJson in model.ts).
 */
function byVersion<C extends typeof EngagementSeries | typeof HourlyBucket>(
  base: C,
  make: (base: C) => C,
): { readonly [V in ApiVersion]: C } {
  const classes = { v1: make(base), v2: make(base) };
  for (const version of ['v1', 'v2'] as const) Object.defineProperty(classes[version].prototype, 'version', { value: version });
  return classes;
}
const SERIES = byVersion(EngagementSeries, (base) => class extends base {});
const BUCKET = byVersion(HourlyBucket, (base) => class extends base {});

/** A daily series of an answer from `version`. */
export function engagementSeries(
  version: ApiVersion,
  uniqueUsers: readonly DataPoint[],
  newUsers: readonly DataPoint[] | null,
  returningUsers: readonly DataPoint[] | null,
): EngagementSeries {
  return new SERIES[version](uniqueUsers, newUsers, returningUsers);
}

/** An hourly bucket of an answer from `version`. */
export function hourlyBucket(
  version: ApiVersion,
  date: string,
  hour: number,
  uniqueUsers: number,
  newUsers: number | null,
  returningUsers: number | null,
): HourlyBucket {
  return new BUCKET[version](date, hour, uniqueUsers, newUsers, returningUsers);
}

@ObjectType({ description: "One bot's user engagement over a range of days." })
export class EngagementTrend {
  @Field(() => ID, { description: 'The Kore.ai bot (stream) id.' })
  botId!: string;

  @Field(() => DateRange, { description: 'The range the numbers cover.' })
  range!: DateRange;

  /** The validated question; not a GraphQL field. */
  query!: TrendQuery;

  /** How its loads may serve an expired answer (`cache:`; undefined: CACHE_POLICY); not a GraphQL field. */
  policy?: ServingPolicy;

  /** The field nodes that selected this trend, for `freshness` to find the loads behind it; not a GraphQL field. */
  selection: readonly FieldNode[];

  constructor(botId: string, range: DateRange, query: TrendQuery, policy?: ServingPolicy, selection: readonly FieldNode[] = []) {
    this.botId = botId;
    this.range = range;
    this.query = query;
    this.policy = policy;
    this.selection = selection;
  }
}
