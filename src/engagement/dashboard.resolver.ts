import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Directive, FieldResolver, Float, Info, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { BadUserInputError, EngagementError, ErrorCode, UpstreamUnsupportedError } from '../errors';
import { isoDate } from '../time/calendar';
import { CAPABILITIES } from '../upstream/kore/capabilities';
import { averageDailyUsers, peakDay, stickiness } from './activity';
import { comparedArguments, periodQuestions } from './comparison';
import { Change, ComparisonPeriod, EngagementActivity, EngagementChange, EngagementPeriod, PeriodUnit } from './dashboard.type';
import { resolveTrend } from './engagement.resolver';
import { DataPoint, DateRange, EngagementSummary, EngagementTrend } from './engagement.type';
import type { TrendData, TrendQuery } from './model';
import { canonicalQuestion } from './question';

/**
 * The dashboard fields of EngagementTrend (issue 16). Each asks the loaders for needs of the range's
 * question or of a derived one (comparison.ts), exactly as the planner (plan-trend.ts) counts them.
 * Every resolver up to its loads is synchronous, so all loads of an operation meet in one batch.
 *
 * Nested `compare` is allowed and not capped here: each level is a question like any other, the
 * operation depth limit (MAX_DEPTH) bounds the nesting and the cost limit counts every level.
 */

const dateRange = (q: TrendQuery) => new DateRange(isoDate(q.startDay), isoDate(q.endDay), q.endDay - q.startDay + 1);

/** A compared question's refusal names the argument that caused it (`to`) and the compared dates. */
function compared<T>(to: ComparisonPeriod, trend: EngagementTrend, resolve: (args: ReturnType<typeof comparedArguments>) => T): T {
  const args = comparedArguments(trend.query, to);
  try {
    return resolve(args);
  } catch (error) {
    if (!(error instanceof BadUserInputError)) throw error;
    throw new BadUserInputError('to', `${to} compares with ${args.range.start} to ${args.range.end}, refused: ${error.message}`);
  }
}

async function summaryOf(ctx: Context, query: TrendQuery): Promise<EngagementSummary> {
  const data = await ctx.loaders.trend.load({ query, need: 'summary' });
  if (!data.summary) throw new EngagementError(ErrorCode.UPSTREAM_BAD_RESPONSE, "Kore.ai's answer did not include a summary.");
  return data.summary;
}

function seriesOf(data: TrendData): readonly DataPoint[] {
  if (!data.series) throw new Error('a daily upstream answer without a series'); // mapper bug: masked
  return data.series.uniqueUsers;
}

@Resolver(() => EngagementTrend)
export class EngagementDashboardResolver {
  @FieldResolver(() => EngagementTrend, {
    nullable: true,
    description:
      'The same bot and filters over the compared range: its summary, series, hourly, activity and periods work as usual. ' +
      'Costs what its own selection costs; a call equal to another field’s is shared. Null, with BAD_USER_INPUT on `to`, ' +
      'when the compared range is refused (before 2000-01-01, or over the hourly cap when hourly is selected under it). ' +
      'May be nested (a comparison of a comparison); the operation depth and cost limits bound it.',
  })
  compare(
    @Root() trend: EngagementTrend,
    @Arg('to', () => ComparisonPeriod, { description: 'The range to compare with.' }) to: ComparisonPeriod,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): EngagementTrend {
    return compared(to, trend, (args) => resolveTrend(ctx, info, args.botId, args.range, args.filters));
  }

  // Two summaries (the range's and the compared range's): two calls for the router, 100 each.
  @Directive('@cost(weight: 200)')
  @FieldResolver(() => EngagementChange, {
    nullable: true,
    description:
      "The range's unique, new and returning users against the compared range's (the two summaries; the compared one costs one daily call " +
      'unless shared). Null, with UPSTREAM_UNSUPPORTED, on Kore.ai API v1 (no summary, no call); with BAD_USER_INPUT when the compared range is refused.',
  })
  async change(
    @Root() trend: EngagementTrend,
    @Arg('to', () => ComparisonPeriod, { description: 'The range to compare with.' }) to: ComparisonPeriod,
    @Ctx() ctx: Context,
  ): Promise<EngagementChange> {
    const { version } = trend.query;
    if (!CAPABILITIES[version].summary) throw new UpstreamUnsupportedError('a summary to compare', version);
    const previousQuery = compared(to, trend, (args) => canonicalQuestion(ctx, args.botId, args.range, args.filters, false));
    // Both loads before any await: they meet the operation's other loads in one batch.
    const [current, previous] = await Promise.all([summaryOf(ctx, trend.query), summaryOf(ctx, previousQuery)]);
    return new EngagementChange(
      new Change(current.uniqueUsers, previous.uniqueUsers),
      new Change(current.newUsers, previous.newUsers),
      new Change(current.returningUsers, previous.returningUsers),
    );
  }

  // The most periods a range can hold: 14 ISO weeks over MAX_RANGE_DAYS_DAILY's default (90 days).
  @Directive('@listSize(assumedSize: 14)')
  @FieldResolver(() => [EngagementPeriod], {
    description:
      'The calendar weeks or months that overlap the range, in order, each clipped to it. Each distinct period with `summary` ' +
      'selected is one daily call (shared with any equal question, cached like any range); without `summary`, periods cost nothing.',
  })
  periods(
    @Root() trend: EngagementTrend,
    @Arg('unit', () => PeriodUnit, { description: 'Weeks (ISO, Monday to Sunday) or months.' }) unit: PeriodUnit,
  ): EngagementPeriod[] {
    return periodQuestions(trend.query, unit).map(({ complete, query }) => new EngagementPeriod(dateRange(query), complete, query));
  }

  @Directive('@cost(weight: 100)')
  @FieldResolver(() => EngagementActivity, {
    nullable: true,
    description: "Average daily users, the peak day and stickiness, from the range's daily call (the one series and summary use).",
  })
  activity(@Root() trend: EngagementTrend): EngagementActivity {
    return new EngagementActivity(trend.query);
  }
}

@Resolver(() => EngagementPeriod)
export class EngagementPeriodResolver {
  @Directive('@cost(weight: 100)')
  @FieldResolver(() => EngagementSummary, {
    nullable: true,
    description:
      "The period's totals (distinct users over the period's days, not sums of days). Null, with its own error, when its call fails; " +
      'with UPSTREAM_UNSUPPORTED on Kore.ai API v1.',
  })
  summary(@Root() period: EngagementPeriod, @Ctx() ctx: Context): Promise<EngagementSummary> {
    const { version } = period.query;
    if (!CAPABILITIES[version].summary) throw new UpstreamUnsupportedError('a summary', version);
    return summaryOf(ctx, period.query);
  }
}

@Resolver(() => EngagementActivity)
export class EngagementActivityResolver {
  @FieldResolver(() => Float, {
    description:
      'The mean of the daily unique users over the days of the range. Not Kore.ai’s `avgUniqueUsersPerDay` ' +
      "(EngagementSummary), which is the range's distinct users ÷ days: a user active on three days counts three times here, once there.",
  })
  async averageDailyUsers(@Root() activity: EngagementActivity, @Ctx() ctx: Context): Promise<number> {
    return averageDailyUsers(seriesOf(await ctx.loaders.trend.load({ query: activity.query, need: 'daily' })));
  }

  @FieldResolver(() => DataPoint, {
    nullable: true,
    description: 'The day with the most unique users, the earliest on a tie; null when nobody came.',
  })
  async peakDay(@Root() activity: EngagementActivity, @Ctx() ctx: Context): Promise<DataPoint | null> {
    return peakDay(seriesOf(await ctx.loaders.trend.load({ query: activity.query, need: 'daily' })));
  }

  @FieldResolver(() => Float, {
    nullable: true,
    description:
      "averageDailyUsers ÷ the range's distinct users: DAU/MAU for a 30-day range, between 0 and 1. Null when nobody came; " +
      'null with UPSTREAM_UNSUPPORTED on Kore.ai API v1 (it needs the summary).',
  })
  async stickiness(@Root() activity: EngagementActivity, @Ctx() ctx: Context): Promise<number | null> {
    const { version } = activity.query;
    if (!CAPABILITIES[version].summary) throw new UpstreamUnsupportedError("the range's distinct users (a summary)", version);
    const data = await ctx.loaders.trend.load({ query: activity.query, need: 'daily' });
    if (!data.summary) throw new EngagementError(ErrorCode.UPSTREAM_BAD_RESPONSE, "Kore.ai's answer did not include a summary.");
    return stickiness(seriesOf(data), data.summary.uniqueUsers);
  }
}
