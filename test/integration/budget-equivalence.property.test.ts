import fc from 'fast-check';
import { connectRedis } from '../../src/upstream/redis';
import { createMemoryBudget, type BotBudget, type BudgetLimits, type BudgetSlot } from '../../src/upstream/budget';
import { createRedisBudget } from '../../src/upstream/redis-budget';
import { UpstreamError } from '../../src/errors';
import { budgetSettings, callStep, playCalls } from '../helpers/budget-calls';
import { redisBinary, startRedis, warnRedisMissing, type RedisServer } from '../helpers/redis-server';

/**
 * The budget's rules live twice: in TypeScript for one process (budget.ts) and as Lua scripts on a
 * real redis-server for replicas (redis-budget.ts). Driven by one fake clock through the same calls
 * and releases, both must grant and refuse alike, with the same reason and retryAfter.
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
                const [mine, theirs] = [await take(local, prefix + bot, caller), await take(shared, prefix + bot, caller)];
                if (mine.refusal !== theirs.refusal) agreed = false;
                return mine.slot && theirs.slot ? [mine.slot, theirs.slot] : undefined;
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
