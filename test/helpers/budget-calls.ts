import fc from 'fast-check';
import type { BudgetSlot } from '../../src/upstream/budget';

/** Random budgets and calls for the budget's property tests, and one way to play them on a fake clock. */

/** Per-minute and per-hour limits, caller share and reserve share. */
export const budgetSettings = fc.tuple(
  fc.integer({ min: 1, max: 6 }),
  fc.integer({ min: 2, max: 30 }),
  fc.constantFrom(1, 0.5, 0.3),
  fc.constantFrom(0, 0.1, 0.25, 0.5),
);

/** A call: who asks for which bot, after how long, and how long it runs (within KORE_TIMEOUT_MS's 50 s ceiling). */
export const callStep = fc.record({
  bot: fc.constantFrom('a', 'b'),
  caller: fc.constantFrom('alice', 'bob', 'carol', ''),
  advanceMs: fc.oneof(fc.integer({ min: 0, max: 1_500 }), fc.integer({ min: 0, max: 90_000 }), fc.integer({ min: 0, max: 1_000_000 })),
  durationMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 50_000 })),
});
export type CallStep = typeof callStep extends fc.Arbitrary<infer T> ? T : never;

export interface Interval {
  readonly bot: string;
  readonly from: number;
  readonly to: number;
}

/**
 * Plays the calls in order on `clock`: first ends the calls due by the next one's time (each
 * released at its own end time, in order), then asks `take` for the call's slots (none: refused).
 * Returns every granted call's [from, to] interval.
 */
export async function playCalls(
  steps: readonly CallStep[],
  clock: { now: number },
  take: (step: CallStep) => Promise<BudgetSlot[] | undefined>,
): Promise<Interval[]> {
  const inFlight: Array<{ slots: BudgetSlot[]; interval: Interval }> = [];
  const granted: Interval[] = [];
  for (const step of steps) {
    const target = clock.now + step.advanceMs;
    inFlight.sort((x, y) => x.interval.to - y.interval.to);
    while (inFlight.length && inFlight[0].interval.to <= target) {
      const call = inFlight.shift() as (typeof inFlight)[number];
      clock.now = call.interval.to;
      for (const slot of call.slots) slot.release();
    }
    clock.now = target;
    const slots = await take(step);
    if (!slots) continue;
    const interval = { bot: step.bot, from: clock.now, to: clock.now + step.durationMs };
    granted.push(interval);
    inFlight.push({ slots, interval });
  }
  return granted;
}
