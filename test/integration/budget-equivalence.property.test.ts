import fc from 'fast-check';
import { connectRedis } from '../../src/upstream/redis';
import { createMemoryBudget, type BotBudget, type BudgetLimits, type BudgetSlot } from '../../src/upstream/budget';
import { createRedisBudget } from '../../src/upstream/redis-budget';
import { UpstreamError } from '../../src/errors';
import { budgetSettings, callsAndSpares, callStep, playCalls, spareSettings, STEP_UNIT_MS } from '../helpers/budget-calls';
import { redisBinary, startRedis, warnRedisMissing, type RedisServer } from '../helpers/redis-server';

/**
 * The budget's rules live twice: in TypeScript for one process (budget.ts) and as Lua scripts on a
 * real redis-server for replicas (redis-budget.ts). Driven by one fake clock through the same calls
 * and releases, both must grant and refuse alike, with the same reason and retryAfter, and grant or
 * withhold the same spare slots (refreshes), which a refusal for the bot's budget holds back.
 */
const binary = redisBinary();
if (!binary) warnRedisMissing('budget-equivalence.property.test.ts');
const suite = binary ? describe : describe.skip;

type Outcome = { slot?: BudgetSlot; refusal?: string };
async function take(budget: BotBudget, bot: string, caller: string): Promise<Outcome> {
  try {
    return { slot: await budget.acquire(bot, caller) };
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error;
    return { refusal: `${String(error.extensions.reason)}/${String(error.extensions.retryAfter)}` };
  }
}

/** One call asked of both budgets: whether they refused alike, and both slots when both granted one. */
async function takeBoth(local: BotBudget, shared: BotBudget, bot: string, caller: string) {
  const [mine, theirs] = [await take(local, bot, caller), await take(shared, bot, caller)];
  const slots: [BudgetSlot, BudgetSlot] | undefined = mine.slot && theirs.slot ? [mine.slot, theirs.slot] : undefined;
  return { agreed: mine.refusal === theirs.refusal, slots };
}

suite('the Redis budget decides exactly as the in-process one (property-based, real redis-server)', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis(binary as string);
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('same grants, refusals, reasons and retryAfter for any callers, shares and call durations', async () => {
    const client = connectRedis(redis.url);
    let run = 0;
    try {
      await fc.assert(
        fc.asyncProperty(
          budgetSettings,
          fc.array(callStep, { minLength: 1, maxLength: 120 }),
          async ([perMinute, perHour, callerShare, reserveShare], steps) => {
            const clock = { now: 1_000_000_000_000 };
            const limits: BudgetLimits = { perMinute, perHour, maxWaitMs: 0, callerShare, reserveShare };
            await client.flushall();
            const local = createMemoryBudget(limits, () => clock.now);
            const shared = createRedisBudget(client, limits, { recoveryMs: 5000, now: () => clock.now });
            const prefix = `r${run++}-`; // the in-process budget forgets nothing between runs either: fresh bots
            let agreed = true;
            try {
              await playCalls(steps, clock, async ({ bot, caller }) => {
                const both = await takeBoth(local, shared, prefix + bot, caller);
                if (!both.agreed) agreed = false;
                return both.slots;
              });
            } finally {
              shared.close?.();
            }
            return agreed;
          },
        ),
        { numRuns: 60 },
      );
    } finally {
      await client.quit();
    }
  }, 120_000);

  it("holds refreshes alike after a refusal for the bot's budget: its slot plus maxWaitMs, not before", async () => {
    const client = connectRedis(redis.url);
    const clock = { now: 1_000_000_000_000 };
    const limits: BudgetLimits = { perMinute: 3, perHour: 100, maxWaitMs: 10_000 };
    await client.flushall();
    const budgets = [
      createMemoryBudget(limits, () => clock.now),
      createRedisBudget(client, limits, { recoveryMs: 5000, now: () => clock.now }),
    ];
    /** What each budget does now: a grant, a refusal (reason/retryAfter), or a spare slot or none. */
    const each = (step: (b: BotBudget) => Promise<string>) => Promise.all(budgets.map(step));
    const call = async (b: BotBudget) => {
      const { slot, refusal } = await take(b, 'held', '');
      slot?.release();
      return slot ? 'granted' : `refused ${refusal}`;
    };
    const spare = (b: BotBudget) => b.trySpare('held', 1).then((s) => (s ? 'spare' : 'none'));
    try {
      for (let i = 0; i < 3; i++) expect(await each(call)).toEqual(['granted', 'granted']);
      expect(await each(call)).toEqual(['refused bot-budget/60', 'refused bot-budget/60']);
      clock.now += 60_000; // its slot: the minute has room again, for its retry first
      expect(await each(spare)).toEqual(['none', 'none']);
      clock.now += 9_999;
      expect(await each(spare)).toEqual(['none', 'none']);
      clock.now += 1;
      expect(await each(spare)).toEqual(['spare', 'spare']);
    } finally {
      budgets[1].close?.();
      await client.quit();
    }
  });

  it("same spare slots for refreshes between any calls, held alike after refusals for the bot's budget", async () => {
    const client = connectRedis(redis.url);
    let run = 0;
    try {
      await fc.assert(
        fc.asyncProperty(
          spareSettings,
          callsAndSpares,
          fc.constantFrom(0.3, 1),
          async ([perMinute, perHour, callerShare, reserveShare], steps, spareShare) => {
            const clock = { now: 1_000_000_000_000 };
            // Under one step unit: no call waits, yet a refusal holds refreshes past its slot (the
            // moment it frees included).
            const limits: BudgetLimits = { perMinute, perHour, maxWaitMs: STEP_UNIT_MS - 1, callerShare, reserveShare };
            await client.flushall();
            const local = createMemoryBudget(limits, () => clock.now);
            const shared = createRedisBudget(client, limits, { recoveryMs: 5000, now: () => clock.now });
            const prefix = `s${run++}-`;
            let agreed = true;
            try {
              await playCalls(steps, clock, async ({ kind, bot, caller }) => {
                if (kind === 'spare') {
                  const mine = await local.trySpare(prefix + bot, spareShare);
                  const theirs = await shared.trySpare(prefix + bot, spareShare);
                  if ((mine === undefined) !== (theirs === undefined)) agreed = false;
                  return mine && theirs ? [mine, theirs] : undefined;
                }
                const both = await takeBoth(local, shared, prefix + bot, caller);
                if (!both.agreed) agreed = false;
                return both.slots;
              });
            } finally {
              shared.close?.();
            }
            return agreed;
          },
        ),
        { numRuns: 60 },
      );
    } finally {
      await client.quit();
    }
  }, 120_000);
});
