import type { GraphQLResolveInfo } from 'graphql';
import { Args, Ctx, FieldResolver, Info, Int, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { isoDate } from '../time/calendar';
import { BotNotConfiguredError, ErrorCode, EngagementError, ForbiddenError, UpstreamUnsupportedError } from '../errors';
import { mayRead } from '../security/auth';
import { credentialFor } from '../config';
import { EngagementTrendArgs, type DateRangeInput, type EngagementFilters } from './engagement.args';
import { DataPoint, EngagementSeries, EngagementSummary, EngagementTrend, HourlyBucket } from './engagement.type';
import { checkBotId, validateTrendArgs } from './engagement.validate';
import type { ApiVersion, HourlyBucket as HourlyBucketModel, Series, Summary } from './model';
import { selectsField } from './selection';

/**
 * May this caller read this bot? A well-formed id is checked against the caller's token (FORBIDDEN),
 * then against the configured Kore.ai apps (BOT_NOT_CONFIGURED). Used by every field that names a
 * bot, entity resolution included, always before any upstream call.
 */
export function authorizeBot(ctx: Context, botId: string, argument = 'botId') {
  checkBotId(botId, argument);
  if (!mayRead(ctx.principal, botId)) throw new ForbiddenError(botId);
  const credential = credentialFor(ctx.config.credentials, botId);
  if (!credential) throw new BotNotConfiguredError(botId);
  return credential;
}

/** Resolves one engagement question for a bot: shared by Query.engagementTrend and Bot.engagementTrend. */
export function resolveTrend(
  ctx: Context,
  info: GraphQLResolveInfo,
  botId: string,
  range: DateRangeInput,
  filters: EngagementFilters | null | undefined,
): EngagementTrend {
  const { config } = ctx;
  const credential = authorizeBot(ctx, botId);
  const limits = { ...config, v1TimeZone: credential.v1TimeZone };
  const query = validateTrendArgs(credential.apiVersion, botId, range, filters, selectsField(info, 'hourly'), limits, ctx.now());
  // An instance of the class, not a plain object: type-graphql copies a plain `@Root()` into a new
  // instance for every field resolver that takes it (summary, series, hourly).
  return Object.assign(new EngagementTrend(), {
    botId,
    range: { start: isoDate(query.startDay), end: isoDate(query.endDay), days: query.endDay - query.startDay + 1 },
    query,
  });
}

/** Only v1 answers leave hourly counts out (the v2 mapper insists on them), so a null bucket count means v1. */
const unsupported = (what: string) => new UpstreamUnsupportedError(what, 'v1');

/** A series the upstream left out: v1 cannot give it; a v2 answer without it is a bad answer. */
const missingSeries = (what: string, version: ApiVersion) =>
  version === 'v1' ? unsupported(what) : new EngagementError(ErrorCode.UPSTREAM_BAD_RESPONSE, `Kore.ai's answer did not include ${what}.`);

type SeriesSource = Series & { readonly version: ApiVersion };

@Resolver(() => EngagementTrend)
export class EngagementTrendResolver {
  @Query(() => EngagementTrend, {
    nullable: true,
    description:
      "A bot's unique, new and returning users over a range of days: summary, daily series and hourly buckets. " +
      'Each distinct (bot, range, filters, granularity) costs one Kore.ai call; fields that share one are answered together. ' +
      'Null, with an error, when the bot or the arguments are refused (FORBIDDEN, BAD_USER_INPUT, BOT_NOT_CONFIGURED, …): other fields of the operation still resolve.',
  })
  engagementTrend(@Args(() => EngagementTrendArgs) { botId, range, filters }: EngagementTrendArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): EngagementTrend | null {
    return resolveTrend(ctx, info, botId, range, filters);
  }

  @FieldResolver(() => EngagementSummary, {
    nullable: true,
    description: 'Totals for the range. Null, with an UPSTREAM_UNSUPPORTED error, on Kore.ai API v1, which has no summary.',
  })
  async summary(@Root() trend: EngagementTrend, @Ctx() ctx: Context): Promise<Summary> {
    if (trend.query.version === 'v1') throw unsupported('a summary');
    const data = await ctx.loaders.trend.load({ query: trend.query, need: 'summary' });
    if (!data.summary) throw unsupported('a summary');
    return data.summary;
  }

  @FieldResolver(() => EngagementSeries, { description: 'Daily series: one point per day of the range, in order.' })
  async series(@Root() trend: EngagementTrend, @Ctx() ctx: Context): Promise<SeriesSource> {
    const data = await ctx.loaders.trend.load({ query: trend.query, need: 'daily' });
    if (!data.series) throw new Error('a daily upstream answer without a series'); // mapper bug: masked
    return { ...data.series, version: data.version };
  }

  @FieldResolver(() => [HourlyBucket], { description: '24 buckets per day of the range (hours 0–23 in the requested time zone), in order.' })
  async hourly(@Root() trend: EngagementTrend, @Ctx() ctx: Context): Promise<readonly HourlyBucketModel[]> {
    const data = await ctx.loaders.trend.load({ query: trend.query, need: 'hourly' });
    if (!data.hourly) throw new Error('an hourly upstream answer without buckets'); // mapper bug: masked
    return data.hourly;
  }
}

@Resolver(() => EngagementSeries)
export class EngagementSeriesResolver {
  @FieldResolver(() => [DataPoint], { nullable: true, description: 'New users per day. Null, with an UPSTREAM_UNSUPPORTED error, on Kore.ai API v1.' })
  newUsers(@Root() series: SeriesSource): readonly DataPoint[] {
    if (!series.newUsers) throw missingSeries('daily new users', series.version);
    return series.newUsers;
  }

  @FieldResolver(() => [DataPoint], { nullable: true, description: 'Returning users per day (unique − new). Null, with an UPSTREAM_UNSUPPORTED error, on Kore.ai API v1.' })
  returningUsers(@Root() series: SeriesSource): readonly DataPoint[] {
    if (!series.returningUsers) throw missingSeries('daily returning users', series.version);
    return series.returningUsers;
  }
}

@Resolver(() => HourlyBucket)
export class HourlyBucketResolver {
  @FieldResolver(() => Int, { nullable: true, description: 'Users whose first interaction ever is in this hour. Null, with an UPSTREAM_UNSUPPORTED error, on Kore.ai API v1.' })
  newUsers(@Root() bucket: HourlyBucketModel): number {
    if (bucket.newUsers === null) throw unsupported('hourly new users');
    return bucket.newUsers;
  }

  @FieldResolver(() => Int, { nullable: true, description: 'Users in this hour first seen before it (unique − new). Null, with an UPSTREAM_UNSUPPORTED error, on Kore.ai API v1.' })
  returningUsers(@Root() bucket: HourlyBucketModel): number {
    if (bucket.returningUsers === null) throw unsupported('hourly returning users');
    return bucket.returningUsers;
  }
}
