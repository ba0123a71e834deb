import type { Context } from '../context';
import { credentialFor, type KoreCredential } from '../config';
import { BotNotConfiguredError, EngagementError, ForbiddenError } from '../errors';
import { mayRead } from '../security/auth';
import { startOfLocalDay, todayIn } from '../time/zones';
import type { DateRangeInput, EngagementFilters } from './engagement.args';
import { checkBotId, validateTrendArgs } from './engagement.validate';
import type { TrendQuery } from './model';
import type { ResolveQuestion } from './plan';

/**
 * From a field's arguments to the canonical question the loaders key on: the one place that
 * authorizes and validates, read by the resolvers (engagement.resolver.ts, bot.resolver.ts) and by
 * the planner (through questionResolver), so an estimate is keyed exactly like the calls.
 */

/**
 * May this caller read this bot? A well-formed id is checked against the caller's token (FORBIDDEN),
 * then against the configured Kore.ai apps (BOT_NOT_CONFIGURED). Used by every field that names a
 * bot, entity resolution included, always before any upstream call.
 */
export function authorizeBot(ctx: Context, botId: string, argument = 'botId'): KoreCredential {
  checkBotId(botId, argument);
  if (!mayRead(ctx.principal, botId)) throw new ForbiddenError(botId);
  const credential = credentialFor(ctx.config.credentials, botId);
  if (!credential) throw new BotNotConfiguredError(botId);
  return credential;
}

/** The validated question, or the refusal (FORBIDDEN, BOT_NOT_CONFIGURED, BAD_USER_INPUT, UPSTREAM_UNSUPPORTED) thrown. */
export function canonicalQuestion(
  ctx: Context,
  botId: string,
  range: DateRangeInput,
  filters: EngagementFilters | null | undefined,
  hourlyAsked: boolean,
): TrendQuery {
  const credential = authorizeBot(ctx, botId);
  const limits = { ...ctx.config, v1TimeZone: credential.v1TimeZone };
  const now = ctx.receivedAt;
  const query = validateTrendArgs(credential.apiVersion, botId, range, filters, hourlyAsked, limits, now);
  // A preset names other days after midnight in its zone: the same operation must not be replayed
  // whole (the operation cache keys on its text) past then, however long its answers stay fresh.
  if (range.preset) ctx.freshness.until = Math.min(ctx.freshness.until, startOfLocalDay(todayIn(query.timeZone, now) + 1, query.timeZone));
  return query;
}

/**
 * The planner's view of the resolvers: a refusal is null, since the resolver answers it with an
 * error before any call. Both judge "today" at `ctx.receivedAt`, so they agree at midnight too.
 */
export function questionResolver(ctx: Context): ResolveQuestion {
  return (botId, range, filters, hourlyAsked) => {
    try {
      return canonicalQuestion(ctx, botId, range, filters, hourlyAsked);
    } catch (error) {
      if (error instanceof EngagementError) return null;
      throw error;
    }
  };
}
