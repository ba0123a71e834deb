import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from '../../src/config';
import { startEmulator, type Emulator } from '../../src/emulator/emulator.server';
import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { bearer, callerToken, JWT_ENV } from '../helpers/caller-tokens';
import { redisBinary, startRedis, warnRedisMissing, type RedisServer } from '../helpers/redis-server';
import { codes, startStack, trendCalls, type Stack } from '../helpers/stack';

/**
 * Bot.upstreamBudget tells what the budget holds: its `used` is the number of calls the upstream
 * recorded, read without a call of its own, in one process and across replicas sharing Redis.
 */

interface Window {
  limit: number;
  used: number;
  resetsInSeconds: number;
}
interface Budget {
  minute: Window;
  hour: Window;
  queued: number;
  callerLeft: number;
}

const BUDGET_QUERY = `query B($id: ID!) { bot(id: $id) { upstreamBudget {
  minute { limit used resetsInSeconds } hour { limit used resetsInSeconds } queued callerLeft } } }`;
const BOT = 'st-demo-retail';
const token = bearer(callerToken({ bots: [BOT] }));
const ENV = { ...JWT_ENV, BUDGET_PER_MINUTE: '20', BUDGET_PER_HOUR: '200', BUDGET_RESERVE_SHARE: '0.2', CACHE_MAX_BYTES: '0' };

/** N distinct questions (ranges ending days ago: valid whatever the clock). */
async function askDistinct(stack: Stack, n: number): Promise<void> {
  const today = todayIn('UTC');
  for (let i = 0; i < n; i++) {
    const { body } = await stack.gql(
      `{ engagementTrend(botId: "${BOT}", range: { start: "${isoDate(today - 30 - i)}", end: "${isoDate(today - 3)}" }) { summary { uniqueUsers } } }`,
      {},
      token,
    );
    expect(codes(body)).toEqual([]);
  }
}

async function readBudget(stack: Stack): Promise<Budget> {
  const { body } = await stack.gql<{ bot: { upstreamBudget: Budget } }>(BUDGET_QUERY, { id: BOT }, token);
  expect(codes(body)).toEqual([]);
  return body.data!.bot.upstreamBudget;
}

describe('Bot.upstreamBudget (one process, built-in upstream)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: ENV });
  });
  afterAll(() => stack.close());

  it('counts exactly the calls the upstream recorded, and costs none itself', async () => {
    const before = await readBudget(stack);
    expect(before.minute).toEqual({ limit: 20, used: 0, resetsInSeconds: 0 });
    expect(before.hour).toEqual({ limit: 200, used: 0, resetsInSeconds: 0 });
    const from = stack.emulator!.calls.length;
    await askDistinct(stack, 5);
    const recorded = trendCalls(stack.emulator!, from).length;
    expect(recorded).toBe(5);
    const after = await readBudget(stack);
    expect(trendCalls(stack.emulator!, from)).toHaveLength(recorded); // the read made no call
    expect(after.minute.used).toBe(recorded);
    expect(after.hour.used).toBe(recorded);
    expect(after.queued).toBe(0);
    expect(after.minute.resetsInSeconds).toBeGreaterThan(0);
    expect(after.minute.resetsInSeconds).toBeLessThanOrEqual(60);
    // Alone, the caller may take all but the reserve (20 × 0.2 = 4 kept for newcomers).
    expect(after.callerLeft).toBe(20 - 4 - recorded);
  });

  it('refuses a bot the caller may not read with FORBIDDEN, field by field on entities', async () => {
    const { body } = await stack.gql<{ _entities: Array<{ upstreamBudget: Budget | null } | null> }>(
      `{ _entities(representations: [{ __typename: "Bot", id: "${BOT}" }, { __typename: "Bot", id: "st-demo-banking" }]) { ... on Bot { upstreamBudget { queued } } } }`,
      {},
      token,
    );
    expect(codes(body)).toEqual(['FORBIDDEN']);
    expect(body.data?._entities[0]?.upstreamBudget?.queued).toBe(0);
    expect(body.data?._entities[1]).toBeNull();
  });
});

const binary = redisBinary();
if (!binary) warnRedisMissing('upstream-budget.test.ts');
const withRedis = binary ? describe : describe.skip;

withRedis('Bot.upstreamBudget across replicas (real redis-server)', () => {
  let redis: RedisServer;
  let emulator: Emulator;
  let a: Stack;
  let b: Stack;
  beforeAll(async () => {
    redis = await startRedis(binary as string);
    emulator = await startEmulator({ apps: [{ clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET, bots: '*' }] });
    a = await startStack({ upstreamUrl: emulator.url, env: { ...ENV, REDIS_URL: redis.url } });
    b = await startStack({ upstreamUrl: emulator.url, env: { ...ENV, REDIS_URL: redis.url } });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await emulator?.close();
    await redis?.stop();
  });

  it('a replica that made no call reads the calls another made, as the upstream recorded them', async () => {
    const from = emulator.calls.length;
    await askDistinct(a, 4);
    const recorded = emulator.calls.slice(from).filter((c) => c.path.endsWith('userEngagementTrend')).length;
    expect(recorded).toBe(4);
    const seen = await readBudget(b);
    expect(seen.minute.used).toBe(recorded);
    expect(seen.hour.used).toBe(recorded);
    expect(seen.queued).toBe(0);
    expect(seen.callerLeft).toBe(20 - 4 - recorded);
    expect(emulator.calls.slice(from).filter((c) => c.path.endsWith('userEngagementTrend'))).toHaveLength(recorded);
  });
});
