import type { Context } from '../context';
import { EngagementError } from '../errors';
import { authorizeBot } from './engagement.resolver';
import { validateTrendArgs } from './engagement.validate';
import type { ResolveQuestion } from './plan';

/**
 * The planner's view of the resolvers: a question canonicalized exactly as `resolveTrend` does
 * before it loads anything (authorize the caller and the bot, then validate), so an estimate is
 * keyed like the loaders. A refusal (FORBIDDEN, BOT_NOT_CONFIGURED, BAD_USER_INPUT,
 * UPSTREAM_UNSUPPORTED) is null: the resolver answers it with an error before any call.
 *
 * The plan is made before execution starts, so `ctx.now()` here is read a moment before the
 * resolver reads it; only a range starting "tomorrow" at the stroke of midnight can tell the two apart.
 */
export function questionResolver(ctx: Context): ResolveQuestion {
  return (botId, range, filters, hourlyAsked) => {
    try {
      const credential = authorizeBot(ctx, botId);
      const limits = { ...ctx.config, v1TimeZone: credential.v1TimeZone };
      return validateTrendArgs(credential.apiVersion, botId, range, filters, hourlyAsked, limits, ctx.now());
    } catch (error) {
      if (error instanceof EngagementError) return null;
      throw error;
    }
  };
}
