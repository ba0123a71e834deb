import { ErrorCode, UpstreamError } from '../errors';

/**
 * Our own per-bot budget, kept under Kore.ai's (60 a minute and 1,800 an hour per bot, rolling,
 * shared with every other analytics client of the bot). A call takes a slot: now if one is free,
 * later (queued, in order) if one frees within `maxWaitMs`, otherwise it is refused at once with
 * RATE_LIMITED and `retryAfter`, without calling upstream.
 *
 * Why not Bottleneck: its reservoir refills in fixed windows, which lets up to twice the budget
 * through within one rolling minute (a burst at 0:59 and another at 1:00). Kore counts rolling
 * windows, so this is a sliding log: the times of granted slots, future reservations included.
 */

export interface BudgetLimits {
  readonly perMinute: number;
  readonly perHour: number;
  readonly maxWaitMs: number;
}

export interface BotBudget {
  /** Resolves when the call may go; rejects with RATE_LIMITED when no slot frees within maxWaitMs. */
  acquire(botId: string): Promise<void>;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** The refusal when no slot frees in time: no upstream call is made. */
export function budgetSpent(botId: string, waitMs: number): UpstreamError {
  const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
  return new UpstreamError(ErrorCode.RATE_LIMITED, `The upstream budget for bot ${botId} is spent; try again in ${retryAfter} s.`, undefined, {
    retryAfter,
    source: 'budget',
  });
}

export function createMemoryBudget(limits: BudgetLimits, now: () => number = Date.now): BotBudget {
  const granted = new Map<string, number[]>(); // per bot, ascending slot times (past and reserved)

  function slotFor(botId: string): number {
    const t0 = now();
    const times = (granted.get(botId) ?? []).filter((t) => t > t0 - HOUR);
    granted.set(botId, times);
    let at = Math.max(t0, times.at(-1) ?? t0); // FIFO: never jump ahead of a queued call
    if (times.length >= limits.perMinute) at = Math.max(at, times[times.length - limits.perMinute] + MINUTE);
    if (times.length >= limits.perHour) at = Math.max(at, times[times.length - limits.perHour] + HOUR);
    return at;
  }

  return {
    async acquire(botId) {
      const at = slotFor(botId);
      const wait = at - now();
      if (wait > limits.maxWaitMs) throw budgetSpent(botId, wait);
      (granted.get(botId) as number[]).push(at);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    },
  };
}
