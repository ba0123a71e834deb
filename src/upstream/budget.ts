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
  // Per bot, ascending slot times (past and reserved) from `head` on. Only the newest
  // max(perMinute, perHour) slots within the hour can decide a wait, so older ones are dropped from
  // the front: a call costs O(1) amortized, however high the budget (a filter over the whole hour
  // on every call measured ~6% of an uncached request at a few thousand calls an hour).
  const keep = Math.max(limits.perMinute, limits.perHour);
  const granted = new Map<string, { times: number[]; head: number }>();
  let sinceSweep = 0;

  /** The bot's slots with the ones that can no longer decide anything dropped; undefined before its first slot. */
  function logFor(botId: string, t0: number): { times: number[]; head: number } | undefined {
    const log = granted.get(botId);
    if (!log) return undefined;
    const { times } = log;
    log.head = Math.max(log.head, times.length - keep);
    while (log.head < times.length && times[log.head] <= t0 - HOUR) log.head++;
    if (log.head > 64 && log.head * 2 > times.length) {
      times.splice(0, log.head);
      log.head = 0;
    }
    return log;
  }

  /** Bots with nothing in the last hour are forgotten, a sweep every 1,024 calls (many bots, each asked once). */
  function sweep(t0: number): void {
    if (++sinceSweep < 1024) return;
    sinceSweep = 0;
    for (const [botId, { times }] of granted) if ((times.at(-1) ?? -Infinity) <= t0 - HOUR) granted.delete(botId);
  }

  return {
    async acquire(botId) {
      const t0 = now();
      sweep(t0);
      const log = logFor(botId, t0);
      const times = log?.times ?? [];
      const count = times.length - (log?.head ?? 0);
      let at = Math.max(t0, times.at(-1) ?? t0); // FIFO: never jump ahead of a queued call
      if (count >= limits.perMinute) at = Math.max(at, times[times.length - limits.perMinute] + MINUTE);
      if (count >= limits.perHour) at = Math.max(at, times[times.length - limits.perHour] + HOUR);
      const wait = at - t0;
      if (wait > limits.maxWaitMs) throw budgetSpent(botId, wait);
      // A bot's first slot starts an array of one (most bots are asked now and then: no slack kept).
      if (log) times.push(at);
      else granted.set(botId, { times: [at], head: 0 });
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    },
  };
}
