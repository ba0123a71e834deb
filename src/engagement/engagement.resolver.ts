import type { GraphQLResolveInfo } from 'graphql';
import { Args, Ctx, Directive, FieldResolver, Info, Int, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { isoDate } from '../time/calendar';
import { ErrorCode, EngagementError, UpstreamUnsupportedError } from '../errors';
import { EngagementTrendArgs, servingPolicy, type CachePolicy, type DateRangeInput, type EngagementFilters } from './engagement.args';
import { Freshness, freshnessOf, loadsBehind } from './freshness';
import { CAPABILITIES, provides, type TrendCounts } from '../upstream/kore/capabilities';
import { DataPoint, DateRange, EngagementSeries, EngagementSummary, EngagementTrend, HourlyBucket } from './engagement.type';
import type { ApiVersion, Granularity } from './model';
import { selectsField } from './plan';
import { canonicalQuestion } from './question';

/** Resolves one engagement question for a bot: shared by Query.engagementTrend and Bot.engagementTrend. */
export function resolveTrend(
  ctx: Context,
  info: GraphQLResolveInfo,
  botId: string,
  range: DateRangeInput,
  filters: EngagementFilters | null | undefined,
  cache?: CachePolicy | null,
): EngagementTrend {
  const query = canonicalQuestion(ctx, botId, range, filters, selectsField(info, 'hourly'));
  // An instance of the class, not a plain object: type-graphql copies a plain `@Root()` into a new
  // instance for every field resolver that takes it (summary, series, hourly).
  return new EngagementTrend(
    botId,
    new DateRange(isoDate(query.startDay), isoDate(query.endDay), query.endDay - query.startDay + 1),
    query,
    servingPolicy(cache),
    info.fieldNodes,
  );
}

/**
 * A count or series the answer may leave out. The answering version is known (the question's, the
 * answer's) and its row in the capabilities table says what it lacks: a version that never provides
 * it is UPSTREAM_UNSUPPORTED; one that does but left it out sent a bad answer.
 */
function present<T>(value: T | null, what: string, version: ApiVersion, granularity: Granularity, count: keyof TrendCounts): T {
  if (value !== null) return value;
  if (!provides(version, granularity, count)) throw new UpstreamUnsupportedError(what, version);
  throw new EngagementError(ErrorCode.UPSTREAM_BAD_RESPONSE, `Kore.ai's answer did not include ${what}.`);
}

@Resolver(() => EngagementTrend)
export class EngagementTrendResolver {
  @Query(() => EngagementTrend, {
    nullable: true,
    description:
      "A bot's unique, new and returning users over a range of days: summary, daily series and hourly buckets. " +
      'Each distinct (bot, range, filters, granularity) costs one Kore.ai call; fields that share one are answered together. ' +
      'Null, with an error, when the bot or the arguments are refused (FORBIDDEN, BAD_USER_INPUT, BOT_NOT_CONFIGURED, …): other fields of the operation still resolve.',
  })
  engagementTrend(
    @Args(() => EngagementTrendArgs) { botId, range, filters, cache }: EngagementTrendArgs,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): EngagementTrend | null {
    return resolveTrend(ctx, info, botId, range, filters, cache);
  }

  // Router cost (README "Cost declared to the router"): 100 per Kore.ai call the field can cause.
  @Directive('@cost(weight: 100)')
  @FieldResolver(() => EngagementSummary, {
    nullable: true,
    description: 'Totals for the range. Null, with an UPSTREAM_UNSUPPORTED error, on Kore.ai API v1, which has no summary.',
  })
  async summary(@Root() trend: EngagementTrend, @Ctx() ctx: Context): Promise<EngagementSummary> {
    const { version } = trend.query;
    // Refused before any upstream call: the version's row says it has no summary.
    if (!CAPABILITIES[version].summary) throw new UpstreamUnsupportedError('a summary', version);
    const data = await ctx.loaders.trend.load({ query: trend.query, need: 'summary', policy: trend.policy });
    if (!data.summary) throw new EngagementError(ErrorCode.UPSTREAM_BAD_RESPONSE, "Kore.ai's answer did not include a summary.");
    return data.summary;
  }

  @Directive('@cost(weight: 100)')
  @FieldResolver(() => EngagementSeries, { description: 'Daily series: one point per day of the range, in order.' })
  async series(@Root() trend: EngagementTrend, @Ctx() ctx: Context): Promise<EngagementSeries> {
    const data = await ctx.loaders.trend.load({ query: trend.query, need: 'daily', policy: trend.policy });
    if (!data.series) throw new Error('a daily upstream answer without a series'); // mapper bug: masked
    return data.series;
  }

  // One hourly call; the router weighs it by its buckets: 24 × MAX_RANGE_DAYS_HOURLY's default (31).
  @Directive('@listSize(assumedSize: 744)')
  @FieldResolver(() => [HourlyBucket], {
    description: '24 buckets per day of the range (hours 0–23 in the requested time zone), in order.',
  })
  async hourly(@Root() trend: EngagementTrend, @Ctx() ctx: Context): Promise<readonly HourlyBucket[]> {
    const data = await ctx.loaders.trend.load({ query: trend.query, need: 'hourly', policy: trend.policy });
    if (!data.hourly) throw new Error('an hourly upstream answer without buckets'); // mapper bug: masked
    return data.hourly;
  }

  // Free: it waits for the loads of its sibling fields (freshness.ts) and makes none of its own.
  @FieldResolver(() => Freshness, {
    description:
      'How old the numbers of the selected fields are and where they came from (cache, Kore.ai, or a stale cache entry). Costs no Kore.ai call by itself.',
  })
  freshness(@Root() trend: EngagementTrend, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<Freshness> {
    // Ages are as of this execution: the operation cache must not replay them (operation-cache.ts).
    ctx.stats.reportsAge = true;
    // Loaded now, in the same tick as the sibling fields' loads, so one batch sees them all.
    return freshnessOf(ctx, loadsBehind(ctx, trend.selection, trend.query, info, trend.policy));
  }
}

@Resolver(() => EngagementSeries)
export class EngagementSeriesResolver {
  @Directive('@listSize(assumedSize: 90)')
  @FieldResolver(() => [DataPoint], {
    nullable: true,
    description: 'New users per day. Null, with an UPSTREAM_UNSUPPORTED error, on Kore.ai API v1.',
  })
  newUsers(@Root() series: EngagementSeries): readonly DataPoint[] {
    return present(series.newUsers, 'daily new users', series.version, 'daily', 'newUsers');
  }

  @Directive('@listSize(assumedSize: 90)')
  @FieldResolver(() => [DataPoint], {
    nullable: true,
    description: 'Returning users per day (unique − new). Null, with an UPSTREAM_UNSUPPORTED error, on Kore.ai API v1.',
  })
  returningUsers(@Root() series: EngagementSeries): readonly DataPoint[] {
    return present(series.returningUsers, 'daily returning users', series.version, 'daily', 'returningUsers');
  }
}

@Resolver(() => HourlyBucket)
export class HourlyBucketResolver {
  @FieldResolver(() => Int, {
    nullable: true,
    description: 'Users whose first interaction ever is in this hour. Null, with an UPSTREAM_UNSUPPORTED error, on Kore.ai API v1.',
  })
  newUsers(@Root() bucket: HourlyBucket): number {
    return present(bucket.newUsers, 'hourly new users', bucket.version, 'hourly', 'newUsers');
  }

  @FieldResolver(() => Int, {
    nullable: true,
    description: 'Users in this hour first seen before it (unique − new). Null, with an UPSTREAM_UNSUPPORTED error, on Kore.ai API v1.',
  })
  returningUsers(@Root() bucket: HourlyBucket): number {
    return present(bucket.returningUsers, 'hourly returning users', bucket.version, 'hourly', 'returningUsers');
  }
}
