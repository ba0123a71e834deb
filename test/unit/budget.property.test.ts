import fc from 'fast-check';
import { createMemoryBudget } from '../../src/upstream/budget';

/**
 * The budget keeps only the slots that can still decide a wait. It must decide exactly as the plain
 * sliding log would: every slot of the last hour kept, a call refused when the minute or the hour
 * already holds its limit.
 */
function referenceBudget(perMinute: number, perHour: number) {
  const log = new Map<string, number[]>();
  return (botId: string, t: number): boolean => {
    const times = (log.get(botId) ?? []).filter((x) => x > t - 3_600_000);
    log.set(botId, times);
    const lastMinute = times.filter((x) => x > t - 60_000).length;
    if (lastMinute >= perMinute || times.length >= perHour) return false;
    times.push(t);
    return true;
  };
}

const step = fc.record({
  bot: fc.constantFrom('a', 'b', 'c'),
  advanceMs: fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 400_000 })),
});

describe('per-bot budget (property-based)', () => {
  it('grants and refuses exactly as a sliding log over the whole hour, for any sequence of calls', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 40 }),
        fc.array(step, { minLength: 1, maxLength: 2_500 }),
        async (perMinute, perHour, steps) => {
          let clock = 1_000_000;
          const budget = createMemoryBudget({ perMinute, perHour, maxWaitMs: 0 }, () => clock);
          const reference = referenceBudget(perMinute, perHour);
          for (const { bot, advanceMs } of steps) {
            clock += advanceMs;
            const granted = await budget.acquire(bot).then(
              () => true,
              () => false,
            );
            if (granted !== reference(bot, clock)) return false;
          }
          return true;
        },
      ),
      { numRuns: 200 },
    );
  });
});
