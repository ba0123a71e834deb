import fc from 'fast-check';
import { createMemoryBudget, type BudgetSlot } from '../../src/upstream/budget';

/**
 * Kore.ai may count a call at any moment between sending it and answering it. Whatever the
 * callers, their shares and the calls' durations, the budget never lets more calls touch one
 * rolling minute (or hour) than its limit, counting each call over its whole [granted, ended]
 * interval. Calls end within 50 s (KORE_TIMEOUT_MS's ceiling).
 */

interface Interval {
  readonly bot: string;
  readonly from: number;
  readonly to: number;
}

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

const step = fc.record({
  bot: fc.constantFrom('a', 'b'),
  caller: fc.constantFrom('alice', 'bob', 'carol'),
  advanceMs: fc.oneof(fc.integer({ min: 0, max: 1_500 }), fc.integer({ min: 0, max: 90_000 })),
  durationMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 50_000 })),
});

describe('per-bot budget with calls in flight (property-based)', () => {
  it('never lets more calls touch one rolling minute or hour than the budget, for any callers and durations', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 2, max: 30 }),
        fc.constantFrom(1, 0.5, 0.3),
        fc.constantFrom(0, 0.1, 0.3),
        fc.array(step, { minLength: 1, maxLength: 400 }),
        async (perMinute, perHour, callerShare, reserveShare, steps) => {
          let clock = 1_000_000;
          const budget = createMemoryBudget({ perMinute, perHour, maxWaitMs: 0, callerShare, reserveShare }, () => clock);
          const inFlight: Array<{ slot: BudgetSlot; interval: { bot: string; from: number; to: number } }> = [];
          const done: Interval[] = [];
          for (const { bot, caller, advanceMs, durationMs } of steps) {
            const target = clock + advanceMs;
            // End the calls due by then, each at its own end time.
            inFlight.sort((x, y) => x.interval.to - y.interval.to);
            while (inFlight.length && inFlight[0].interval.to <= target) {
              const call = inFlight.shift() as (typeof inFlight)[number];
              clock = call.interval.to;
              call.slot.release();
              done.push(call.interval);
            }
            clock = target;
            const slot = await budget.acquire(bot, caller).catch(() => undefined);
            if (slot) inFlight.push({ slot, interval: { bot, from: clock, to: clock + durationMs } });
          }
          const all = [...done, ...inFlight.map((c) => c.interval)];
          return worstWindow(all, 60_000) <= perMinute && worstWindow(all, 3_600_000) <= perHour;
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
