import type { TrendData, UpstreamRequest } from '../engagement/model';
import { UpstreamError } from '../errors';
import type { BotBudget } from './budget';
import type { CircuitBreaker } from './breaker';
import { isHostFailure } from './failures';
import type { KoreClient } from './kore';

/**
 * The budget's lower class as the resilient client uses it, for both kinds of refresh: the
 * background refresher's (`refresh`) and the one behind a stale-while-revalidate answer. A refresh
 * is one call from a spare slot (`trySpare`: a slot now or none, never while an interactive call
 * waits or is being refused, held under REFRESH_CALLER so it is no caller's share), never waiting
 * and never retried: the next asker tries again.
 */

/**
 * A refresh found no spare slot: it made no call. Not an UpstreamError on purpose: nobody is told
 * of it as a failure (the Redis flight keeps no failure memory for it, no stale-if-error applies),
 * and whoever joined the refresh asks on its own instead.
 */
export class NoSpareSlot extends Error {
  constructor(botId: string) {
    super(`no spare budget slot for bot ${botId}: refresh skipped`);
    this.name = 'NoSpareSlot';
  }
}

/**
 * A refresh's single attempt failed. It crosses the flight coordinator wrapped, so that no replica
 * remembers it as the question's failure (redis-flights.ts hands an UpstreamError to followers for
 * a moment): one unretried attempt says little, and a follower who waits for a fresh answer must
 * make its own, with retries. The resilient client unwraps it for its own askers.
 */
export class SingleAttemptFailure extends Error {
  constructor(readonly error: UpstreamError) {
    super(error.message);
    this.name = 'SingleAttemptFailure';
  }
}

/** What a refresh does its call with. */
export interface SpareCallDeps {
  readonly inner: KoreClient;
  readonly budget: BotBudget;
  readonly breaker: CircuitBreaker;
}

/**
 * One call from a spare slot, `maxShare` capping the refreshes' part of the minute (1: no cap).
 * Rejects with NoSpareSlot when there is none, with the budget store's
 * error when it could not say (a failed refresh, not a skipped one), with the open circuit's or the
 * call's UpstreamError otherwise.
 */
export async function spareCall(deps: SpareCallDeps, req: UpstreamRequest, maxShare: number): Promise<TrendData> {
  const { inner, budget, breaker } = deps;
  const slot = await budget.trySpare(req.botId, maxShare);
  if (!slot) throw new NoSpareSlot(req.botId);
  try {
    breaker.enter();
  } catch (open) {
    slot.release();
    throw open;
  }
  try {
    const data = await inner.fetchTrend(req);
    slot.release();
    breaker.success();
    return data;
  } catch (error) {
    slot.release();
    if (error instanceof UpstreamError && isHostFailure(error)) breaker.failure(error);
    else breaker.abandon();
    throw error;
  }
}
