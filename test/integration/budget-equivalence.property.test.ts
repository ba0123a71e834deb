import fc from 'fast-check';
import { connectRedis } from '../../src/upstream/redis';
import { createMemoryBudget, type BotBudget, type BudgetLimits, type BudgetSlot } from '../../src/upstream/budget';
import { createRedisBudget } from '../../src/upstream/redis-budget';
import { UpstreamError } from '../../src/errors';
import { redisBinary, startRedis, warnRedisMissing, type RedisServer } from '../helpers/redis-server';

/**
 * The budget's rules live twice: in TypeScript for one process (budget.ts) and as Lua scripts on a
 * real redis-server for replicas (redis-budget.ts). Driven by one fake clock through the same calls
 * and releases, both must grant and refuse alike, with the same reason and retryAfter.
 */
const binary = redisBinary();
if (!binary) warnRedisMissing('budget-equivalence.property.test.ts');
const suite = binary ? describe : describe.skip;

const step = fc.record({
  bot: fc.constantFrom('a', 'b'),
  caller: fc.constantFrom('alice', 'bob', 'carol', ''),
  advanceMs: fc.oneof(fc.integer({ min: 0, max: 1_500 }), fc.integer({ min: 0, max: 70_000 }), fc.integer({ min: 0, max: 1_000_000 })),
  durationMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: 0, max: 50_000 })),
});

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
          fc.integer({ min: 1, max: 6 }),
          fc.integer({ min: 2, max: 25 }),
          fc.constantFrom(1, 0.5, 0.3),
          fc.constantFrom(0, 0.25, 0.5),
          fc.array(step, { minLength: 1, maxLength: 120 }),
          async (perMinute, perHour, callerShare, reserveShare, steps) => {
            let clock = 1_000_000_000_000;
            const limits: BudgetLimits = { perMinute, perHour, maxWaitMs: 0, callerShare, reserveShare };
            await client.flushall();
            const local = createMemoryBudget(limits, () => clock);
            const shared = createRedisBudget(client, limits, { recoveryMs: 5000, now: () => clock });
            const prefix = `r${run++}-`; // the in-process budget forgets nothing between runs either: fresh bots
            const inFlight: Array<{ end: number; slots: BudgetSlot[] }> = [];
            try {
              for (const { bot, caller, advanceMs, durationMs } of steps) {
                const target = clock + advanceMs;
                inFlight.sort((x, y) => x.end - y.end);
                while (inFlight.length && inFlight[0].end <= target) {
                  const call = inFlight.shift() as (typeof inFlight)[number];
                  clock = call.end;
                  for (const slot of call.slots) slot.release();
                }
                clock = target;
                const [mine, theirs] = [await take(local, prefix + bot, caller), await take(shared, prefix + bot, caller)];
                if (mine.refusal !== theirs.refusal) return false;
                if (mine.slot && theirs.slot) inFlight.push({ end: clock + durationMs, slots: [mine.slot, theirs.slot] });
              }
              return true;
            } finally {
              shared.close?.();
            }
          },
        ),
        { numRuns: 60 },
      );
    } finally {
      await client.quit();
    }
  }, 120_000);
});
