import fc from 'fast-check';
import { createMemoryBudget } from '../../src/upstream/budget';
import { budgetSettings, callStep, playCalls, type Interval } from '../helpers/budget-calls';

/**
 * Kore.ai may count a call at any moment between sending it and answering it. Whatever the
 * callers, their shares and the calls' durations, the budget never lets more calls touch one
 * rolling minute (or hour) than its limit, counting each call over its whole [granted, ended]
 * interval. Calls end within 50 s (KORE_TIMEOUT_MS's ceiling).
 */

/** The most intervals of one bot that touch any window [x, x + len). */
function worstWindow(intervals: readonly Interval[], len: number): number {
  let worst = 0;
  for (const bot of new Set(intervals.map((i) => i.bot))) {
    const mine = intervals.filter((i) => i.bot === bot);
    // The count only rises where a window's end passes a start, so those starts are the candidates.
    for (const { from } of mine) {
      const x = from - len + 1;
      worst = Math.max(worst, mine.filter((i) => i.from < x + len && i.to >= x).length);
    }
  }
  return worst;
}

describe('per-bot budget with calls in flight (property-based)', () => {
  it('never lets more calls touch one rolling minute or hour than the budget, for any callers and durations', async () => {
    await fc.assert(
      fc.asyncProperty(
        budgetSettings,
        fc.array(callStep, { minLength: 1, maxLength: 400 }),
        async ([perMinute, perHour, callerShare, reserveShare], steps) => {
          const clock = { now: 1_000_000 };
          const budget = createMemoryBudget({ perMinute, perHour, maxWaitMs: 0, callerShare, reserveShare }, () => clock.now);
          const calls = await playCalls(steps, clock, (s) =>
            budget.acquire(s.bot, s.caller).then(
              (slot) => [slot],
              () => undefined,
            ),
          );
          return worstWindow(calls, 60_000) <= perMinute && worstWindow(calls, 3_600_000) <= perHour;
        },
      ),
      { numRuns: 150 },
    );
  });

  it('counts a slot until its call ends: a call that ran 30 s holds the minute until 30 s after it ended', async () => {
    let clock = 0;
    const budget = createMemoryBudget({ perMinute: 1, perHour: 100, maxWaitMs: 0 }, () => clock);
    const slot = await budget.acquire('bot');
    clock = 30_000;
    slot.release();
    clock = 60_000; // a minute after the grant: a grant-time log would free the slot here
    await expect(budget.acquire('bot')).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED', retryAfter: 30 } });
    clock = 90_000;
    await budget.acquire('bot');
  });
});
