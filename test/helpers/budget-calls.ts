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

/** The steps below are timed in whole units of this: half the budget's minute. */
export const STEP_UNIT_MS = 30_000;
const units = (arb: fc.Arbitrary<number>) => arb.map((n) => n * STEP_UNIT_MS);

/** Limits under which refusals for the bot's budget and spare slots both come often (minute first). */
export const spareSettings = fc.tuple(
  fc.integer({ min: 3, max: 6 }),
  fc.integer({ min: 30, max: 120 }),
  fc.constantFrom(1, 0.5),
  fc.constantFrom(0, 0.25),
);

/** Mostly none (calls granted together), or a unit or two: a refresh often asks just as a refused call's slot frees. */
const unitAdvance = fc.oneof(
  { arbitrary: fc.constant(0), weight: 4 },
  { arbitrary: units(fc.integer({ min: 1, max: 2 })), weight: 4 },
  { arbitrary: units(fc.integer({ min: 0, max: 150 })), weight: 1 },
);
const unitDuration = fc.oneof(fc.constant(0), units(fc.integer({ min: 0, max: 1 })));
const burst = fc
  .record({
    bot: fc.constantFrom('a', 'b'),
    caller: fc.constantFrom('alice', 'bob', 'carol', ''),
    calls: fc.integer({ min: 1, max: 8 }),
    advanceMs: unitAdvance,
    durationMs: unitDuration,
  })
  .map(({ calls, ...step }) =>
    Array.from({ length: calls }, (_, i) => ({ ...step, kind: 'call' as const, advanceMs: i ? 0 : step.advanceMs })),
  );
const spare = fc
  .record({ bot: fc.constantFrom('a', 'b'), caller: fc.constant(''), advanceMs: unitAdvance, durationMs: unitDuration })
  .map((step) => [{ ...step, kind: 'spare' as const }]);

/**
 * Bursts of calls at one moment, and refreshes asking for a spare slot (`spare`), timed in whole
 * units: every slot time and every wait is then a whole number of units, so with `maxWaitMs` under
 * one unit no call ever waits (granted now or refused), and a refusal's hold on refreshes (its
 * slot plus maxWaitMs) plays out on a fake clock with no real wait.
 */
export const callsAndSpares = fc.array(fc.oneof(burst, spare), { minLength: 20, maxLength: 60 }).map((groups) => groups.flat());

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
export async function playCalls<S extends CallStep>(
  steps: readonly S[],
  clock: { now: number },
  take: (step: S) => Promise<BudgetSlot[] | undefined>,
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
