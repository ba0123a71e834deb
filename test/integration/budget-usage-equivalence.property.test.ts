import fc from 'fast-check';
import { connectRedis } from '../../src/upstream/redis';
import { createMemoryBudget, type BotBudget, type BudgetLimits, type BudgetSlot } from '../../src/upstream/budget';
import { createRedisBudget } from '../../src/upstream/redis-budget';
import { budgetSettings, callStep, playCalls } from '../helpers/budget-calls';
import { redisBinary, startRedis, warnRedisMissing, type RedisServer } from '../helpers/redis-server';

/**
 * Bot.upstreamBudget and the refresh class read the budget twice: in TypeScript (budget.ts) and on
 * a real redis-server (redis-budget-usage.ts). Driven by one fake clock through the same calls,
 * both must report the same usage for every bot and caller, and grant or skip the same spare slot.
 */
const binary = redisBinary();
if (!binary) warnRedisMissing('budget-usage-equivalence.property.test.ts');
const suite = binary ? describe : describe.skip;

async function grant(budget: BotBudget, bot: string, caller: string): Promise<BudgetSlot | undefined> {
  return budget.acquire(bot, caller).catch(() => undefined);
}

suite('the Redis budget reads and spares exactly as the in-process one (property-based, real redis-server)', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis(binary as string);
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('same usage for every bot and caller, and the same spare slots, after any calls', async () => {
    const client = connectRedis(redis.url);
    let run = 0;
    try {
      await fc.assert(
        fc.asyncProperty(
          budgetSettings,
          fc.array(callStep, { minLength: 1, maxLength: 80 }),
          fc.constantFrom(0.1, 0.3, 1),
          async ([perMinute, perHour, callerShare, reserveShare], steps, spareShare) => {
            const clock = { now: 1_000_000_000_000 };
            const limits: BudgetLimits = { perMinute, perHour, maxWaitMs: 0, callerShare, reserveShare };
            await client.flushall();
            const local = createMemoryBudget(limits, () => clock.now);
            const shared = createRedisBudget(client, limits, { recoveryMs: 5000, now: () => clock.now });
            const prefix = `u${run++}-`;
            try {
              await playCalls(steps, clock, async ({ bot, caller }) => {
                const [mine, theirs] = [await grant(local, prefix + bot, caller), await grant(shared, prefix + bot, caller)];
                return mine && theirs ? [mine, theirs] : undefined;
              });
              for (const bot of ['a', 'b'])
                for (const caller of ['alice', 'bob', 'carol', '']) {
                  expect(await shared.usage(prefix + bot, caller)).toEqual(await local.usage(prefix + bot, caller));
                }
              for (let i = 0; i < 3; i++) {
                const [mine, theirs] = [await local.trySpare(prefix + 'a', spareShare), await shared.trySpare(prefix + 'a', spareShare)];
                expect(theirs === undefined).toBe(mine === undefined);
              }
            } finally {
              shared.close?.();
            }
          },
        ),
        { numRuns: 40 },
      );
    } finally {
      await client.quit();
    }
  }, 120_000);
});
