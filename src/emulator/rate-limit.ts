import { koreError, type Answer } from './answer';

/** Kore's documented analytics limits: per bot, rolling. */
export interface RateLimit {
  readonly perMinute: number;
  readonly perHour: number;
}

export const KORE_RATE_LIMIT: RateLimit = { perMinute: 60, perHour: 1800 };

/**
 * Kore.ai's per-bot rate limits over a rolling minute and hour. Only accepted calls count (a refused
 * call does not extend the wait), and a refusal says in `retry-after` when the oldest call in the
 * full window leaves it. Returns the 429 answer, or undefined after counting the call.
 */
export function createRateLimiter(limits: RateLimit, now: () => number) {
  const accepted = new Map<string, number[]>(); // bot → times of accepted calls in the last hour

  return function rateLimited(botId: string): Answer | undefined {
    const t = now();
    let times = accepted.get(botId);
    if (!times) accepted.set(botId, (times = []));
    // Times are appended in order: drop the expired ones from the front, and find the minute's
    // window by binary search (a filter per call grew with every call in the hour).
    let expired = 0;
    while (expired < times.length && times[expired] <= t - 3_600_000) expired++;
    if (expired) times.splice(0, expired);
    const minuteStart = firstAfter(times, t - 60_000);
    const inLastMinute = times.length - minuteStart;
    const wait = (oldest: number, windowMs: number) => String(Math.max(1, Math.ceil((oldest + windowMs - t) / 1000)));
    if (inLastMinute >= limits.perMinute) {
      return {
        ...koreError(429, "You've exceeded the per-minute rate limit for this API. Please try again later."),
        headers: { 'retry-after': wait(times[minuteStart], 60_000) },
      };
    }
    if (times.length >= limits.perHour) {
      return {
        ...koreError(429, "You've exceeded the hourly rate limit for this API. Please try again later."),
        headers: { 'retry-after': wait(times[0], 3_600_000) },
      };
    }
    times.push(t);
    return undefined;
  };
}

/** Index of the first time after `bound` in ascending `times`. */
function firstAfter(times: number[], bound: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] > bound) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
