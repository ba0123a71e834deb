import fc from 'fast-check';
import { createMemoryBudget, type BotBudget } from '../../src/upstream/budget';
import { UpstreamError } from '../../src/errors';

/**
 * The budget read without taking (Bot.upstreamBudget) and its background class (refreshes). The
 * numbers are what the budget decides on: `callerLeft` is checked against the acquires that then
 * succeed without waiting, and a background slot never leaves interactive callers without one.
 */

const usage = (b: BotBudget, bot: string, caller?: string) => b.usage(bot, caller);
const spare = (b: BotBudget, bot: string, share: number) => b.trySpare(bot, share);

describe('budget usage (in process)', () => {
  it('counts the calls of each window, when the oldest leaves, and nothing for a bot never asked', async () => {
    let clock = 1_000_000;
    const budget = createMemoryBudget({ perMinute: 10, perHour: 100, maxWaitMs: 0 }, () => clock);
    expect(await usage(budget, 'a')).toEqual({
      minute: { limit: 10, used: 0, resetsInSeconds: 0 },
      hour: { limit: 100, used: 0, resetsInSeconds: 0 },
      queued: 0,
      callerLeft: 10,
    });
    for (let i = 0; i < 3; i++) (await budget.acquire('a', 'x')).release();
    clock += 30_000;
    (await budget.acquire('a', 'x')).release();
    const u = await usage(budget, 'a', 'x');
    expect(u.minute).toEqual({ limit: 10, used: 4, resetsInSeconds: 30 });
    expect(u.hour).toEqual({ limit: 100, used: 4, resetsInSeconds: 3570 });
    expect(u.callerLeft).toBe(6);
    clock += 30_000;
    expect((await usage(budget, 'a')).minute.used).toBe(1);
    expect((await usage(budget, 'b')).minute.used).toBe(0);
  });

  it('callerLeft is exactly how many calls the caller can then start without waiting (shares and reserve on)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 12 }),
        fc.array(fc.record({ who: fc.constantFrom('p', 'q', 'r'), advanceMs: fc.integer({ min: 0, max: 20_000 }) }), { maxLength: 30 }),
        fc.constantFrom('p', 'q', 'r'),
        async (perMinute, steps, asker) => {
          let clock = 5_000_000;
          const limits = { perMinute, perHour: perMinute * 4, maxWaitMs: 0, callerShare: 0.5, reserveShare: 0.2 };
          const budget = createMemoryBudget(limits, () => clock);
          for (const { who, advanceMs } of steps) {
            clock += advanceMs;
            await budget.acquire('bot', who).then(
              (s) => s.release(),
              () => undefined,
            );
          }
          const left = (await usage(budget, 'bot', asker)).callerLeft;
          let granted = 0;
          while (
            granted <= perMinute * 4 &&
            (await budget.acquire('bot', asker).then(
              () => true,
              () => false,
            ))
          )
            granted++;
          expect(granted).toBe(left);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a slot reserved for later is queued, not used; and a refresh never goes ahead of it', async () => {
    // The waiting acquire sleeps on a timer: fake timers, cleared at the end, keep it from running.
    jest.useFakeTimers();
    try {
      const clock = 1_000_000;
      const budget = createMemoryBudget({ perMinute: 10, perHour: 100, maxWaitMs: 120_000, callerShare: 0.5 }, () => clock);
      await budget.acquire('a', 'q');
      for (let i = 0; i < 5; i++) await budget.acquire('a', 'p');
      void budget.acquire('a', 'p'); // over p's share while q is active: reserved for later
      const u = await usage(budget, 'a', 'p');
      expect(u.minute.used).toBe(6);
      expect(u.queued).toBe(1);
      expect(u.callerLeft).toBe(0);
      // Four slots are free, yet p's call waits for one: the refresh does not go first.
      expect(await spare(budget, 'a', 1)).toBeUndefined();
    } finally {
      jest.clearAllTimers();
      jest.useRealTimers();
    }
  });
});

describe('the background class (in process)', () => {
  it('takes at most the share of the minute, and always leaves a slot for interactive callers', async () => {
    let clock = 1_000_000;
    const budget = createMemoryBudget({ perMinute: 10, perHour: 100, maxWaitMs: 0 }, () => clock);
    expect(await spare(budget, 'a', 0.2)).toBeDefined();
    expect(await spare(budget, 'a', 0.2)).toBeDefined();
    expect(await spare(budget, 'a', 0.2)).toBeUndefined(); // 2 of 10 is the share
    for (let i = 0; i < 7; i++) await budget.acquire('a', 'x');
    clock += 1;
    // 9 of 10 held: a refresh would take the last slot an interactive caller could have.
    expect(await spare(budget, 'a', 1)).toBeUndefined();
    await budget.acquire('a', 'x');
    clock += 60_000;
    expect(await spare(budget, 'a', 0.2)).toBeDefined(); // a new minute
  });

  it('leaves the reserve share free for interactive callers', async () => {
    const clock = 1_000_000;
    const budget = createMemoryBudget({ perMinute: 10, perHour: 100, maxWaitMs: 0, reserveShare: 0.3 }, () => clock);
    for (let i = 0; i < 6; i++) await budget.acquire('a', 'x');
    expect(await spare(budget, 'a', 1)).toBeDefined(); // 7 of 10: 3 stay free
    expect(await spare(budget, 'a', 1)).toBeUndefined();
  });
});

describe('refreshes hold while interactive callers are refused (in process)', () => {
  it("after a refusal for the bot's budget, no spare slot until the refused call's slot plus maxWaitMs", async () => {
    let clock = 1_000_000;
    const budget = createMemoryBudget({ perMinute: 3, perHour: 100, maxWaitMs: 10_000 }, () => clock);
    for (let i = 0; i < 3; i++) (await budget.acquire('a', 'x')).release();
    // The fourth could have its slot when the first leaves the minute: 60 s, longer than it may wait.
    const refusal = await budget.acquire('a', 'x').catch((e: UpstreamError) => e);
    expect(refusal).toBeInstanceOf(UpstreamError);
    expect((refusal as UpstreamError).extensions).toMatchObject({ reason: 'bot-budget', retryAfter: 60 });
    clock += 60_000; // the slots have left the minute: room for a refresh, but the refused caller retries now
    expect(await spare(budget, 'a', 1)).toBeUndefined();
    clock += 9_999;
    expect(await spare(budget, 'a', 1)).toBeUndefined();
    clock += 1; // its retry has had all of maxWaitMs
    expect(await spare(budget, 'a', 1)).toBeDefined();
  });

  it('a later refusal extends the hold; retries take the slots that free meanwhile', async () => {
    let clock = 1_000_000;
    const budget = createMemoryBudget({ perMinute: 4, perHour: 100, maxWaitMs: 5_000 }, () => clock);
    const take = async (n: number) => {
      for (let i = 0; i < n; i++) (await budget.acquire('a', 'x')).release();
    };
    await take(2);
    clock += 20_000;
    await take(2);
    await expect(budget.acquire('a', 'x')).rejects.toThrow(UpstreamError); // its slot at 1_060_000: held to 1_065_000
    clock = 1_062_000;
    await take(2); // the retries get the two slots that freed
    await expect(budget.acquire('a', 'x')).rejects.toThrow(UpstreamError); // its slot at 1_080_000: held to 1_085_000
    clock = 1_080_000; // two slots free: room for a refresh, but the last refused caller retries now
    expect(await spare(budget, 'a', 1)).toBeUndefined();
    clock = 1_085_000;
    expect(await spare(budget, 'a', 1)).toBeDefined();
  });

  it("a refusal of one caller's share does not hold refreshes", async () => {
    const clock = 1_000_000;
    const budget = createMemoryBudget({ perMinute: 10, perHour: 100, maxWaitMs: 0, callerShare: 0.3 }, () => clock);
    await budget.acquire('a', 'q');
    for (let i = 0; i < 3; i++) await budget.acquire('a', 'p');
    const refusal = await budget.acquire('a', 'p').catch((e: UpstreamError) => e);
    expect((refusal as UpstreamError).extensions).toMatchObject({ reason: 'caller-share' });
    expect(await spare(budget, 'a', 1)).toBeDefined(); // 5 of 10: the bot has room, and nobody waits for it
  });
});
