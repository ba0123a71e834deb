import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { Bot, BotTrendArgs } from './bot.type';
import { BudgetWindow, UpstreamBudget } from './budget.type';
import { EngagementTrend } from './engagement.type';
import { resolveTrend } from './engagement.resolver';
import { authorizeBot } from './question';

@Resolver(() => Bot)
export class BotResolver {
  @Query(() => Bot, { nullable: true, description: 'A bot by id, to reach its engagement directly (without a supergraph).' })
  bot(@Arg('id', () => ID, { description: 'The Kore.ai bot (stream) id.' }) id: string, @Ctx() ctx: Context): Bot {
    authorizeBot(ctx, id, 'id');
    return botWithId(id);
  }

  @FieldResolver(() => EngagementTrend, {
    nullable: true,
    description:
      "This bot's unique, new and returning users over a range of days (the same as Query.engagementTrend; null, with an error, when refused).",
  })
  engagementTrend(
    @Root() bot: Bot,
    @Args(() => BotTrendArgs) { range, filters, cache }: BotTrendArgs,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): EngagementTrend {
    return resolveTrend(ctx, info, bot.id, range, filters, cache);
  }

  @FieldResolver(() => UpstreamBudget, {
    nullable: true,
    description: "This bot's upstream budget now (null, with FORBIDDEN, for a bot the caller may not read). Costs no upstream call.",
  })
  async upstreamBudget(@Root() bot: Bot, @Ctx() ctx: Context): Promise<UpstreamBudget | null> {
    authorizeBot(ctx, bot.id, 'id');
    // A reading of this moment: no cache may hand it out later (operation cache, Cache-Control).
    ctx.stats.readsBudget = true;
    const usage = await ctx.budgetUsage?.(bot.id, ctx.trace.caller);
    if (!usage) return null;
    const window = (w: typeof usage.minute) => Object.assign(new BudgetWindow(), w);
    return Object.assign(new UpstreamBudget(), { ...usage, minute: window(usage.minute), hour: window(usage.hour) });
  }
}

/**
 * Federation entity resolution: a representation is just the key; nothing is fetched until a field
 * needs it. A bot the caller may not read is a FORBIDDEN entity (null at `_entities[i]`).
 */
export async function resolveBotReference(reference: { id: unknown }, ctx: Context): Promise<Bot> {
  // Async on purpose: @apollo/subgraph turns a rejected promise into a null at `_entities[i]`,
  // while a synchronous throw would fail every representation of the request.
  // A representation is raw JSON (the _Any scalar): an ID is a string or a number (as ID coerces);
  // anything else is refused like any bad id, not passed to String() (which throws on some objects).
  const id = typeof reference.id === 'string' ? reference.id : typeof reference.id === 'number' ? String(reference.id) : '';
  authorizeBot(ctx, id, 'representations.id');
  return botWithId(id);
}

/** An instance, not a plain object: type-graphql copies a plain `@Root()` per field resolver call (per entity). */
const botWithId = (id: string): Bot => Object.assign(new Bot(), { id });
