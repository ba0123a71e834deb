import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { BadUserInputError } from '../errors';
import { Bot, BotTrendArgs } from './bot.type';
import { EngagementTrend } from './engagement.type';
import { resolveTrend } from './engagement.resolver';
import { BOT_ID } from './engagement.validate';

@Resolver(() => Bot)
export class BotResolver {
  @Query(() => Bot, { nullable: true, description: 'A bot by id, to reach its engagement directly (without a supergraph).' })
  bot(@Arg('id', () => ID, { description: 'The Kore.ai bot (stream) id.' }) id: string): Bot {
    if (!BOT_ID.test(id)) throw new BadUserInputError('id', 'must be 1–64 letters, digits, "-" or "_"');
    return { id };
  }

  @FieldResolver(() => EngagementTrend, {
    description: "This bot's unique, new and returning users over a range of days (the same as Query.engagementTrend).",
  })
  engagementTrend(@Root() bot: Bot, @Args(() => BotTrendArgs) { range, filters }: BotTrendArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): EngagementTrend {
    return resolveTrend(ctx, info, bot.id, range, filters);
  }
}

/** Federation entity resolution: a representation is just the key; nothing is fetched until a field needs it. */
export function resolveBotReference(reference: { id: string }): Bot {
  return { id: reference.id };
}
