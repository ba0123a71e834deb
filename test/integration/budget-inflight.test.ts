import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from '../../src/config';
import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { startEmulator, type Emulator } from '../../src/emulator/emulator.server';
import { redisBinary, startRedis, warnRedisMissing, type RedisServer } from '../helpers/redis-server';
import { startStack, type Stack } from '../helpers/stack';

/**
 * Kore.ai may count a call when it arrives or when it answers. With a slow upstream, a slot
 * counted only when granted lets the next minute's first call arrive while the previous minute's
 * first call still counts (the call that took 300 ms ended 300 ms into the window). So the budget
 * counts every slot until its call ended, and this test asserts it on the calls the upstream
 * received: each over [arrival, arrival + latency], never more than the budget within a minute.
 * It needs one real minute to pass; it runs in its own file so the other suites run meanwhile.
 */
const binary = redisBinary();
if (!binary) warnRedisMissing('budget-inflight.test.ts');
const suite = binary ? describe : describe.skip;

const LATENCY_MS = 300;
const BUDGET = 3;

/** The most calls whose [from, to] touches one window [x, x + len). */
function worstWindow(intervals: ReadonlyArray<{ from: number; to: number }>, len: number): number {
  let worst = 0;
  for (const { from } of intervals) {
    const x = from - len + 1;
    worst = Math.max(worst, intervals.filter((i) => i.from < x + len && i.to >= x).length);
  }
  return worst;
}

suite('the budget counts a call until it ends (real redis-server, slow upstream)', () => {
  let redis: RedisServer;
  let emulator: Emulator;
  let stack: Stack;
  beforeAll(async () => {
    redis = await startRedis(binary as string);
    emulator = await startEmulator({
      apps: [{ clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET, bots: '*' }],
      faults: { latencyMs: LATENCY_MS },
    });
    stack = await startStack({
      upstreamUrl: emulator.url,
      env: { REDIS_URL: redis.url, BUDGET_PER_MINUTE: String(BUDGET), BUDGET_MAX_WAIT_MS: '65000', CACHE_MAX_BYTES: '0' },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await emulator?.close();
    await redis?.stop();
  });

  it('a call queued for the next minute is sent only once the first call of the last minute is a minute past its end', async () => {
    const today = todayIn('UTC');
    const question = (i: number) =>
      `{ engagementTrend(botId: "st-demo-retail", range: { start: "${isoDate(today - 20 - i)}", end: "${isoDate(today - 3)}" }) { summary { uniqueUsers } } }`;
    // BUDGET + 1 distinct questions at once: the last one waits for a slot of the next minute.
    const answers = await Promise.all(
      Array.from({ length: BUDGET + 1 }, (_, i) => stack.gql<{ engagementTrend: { summary: { uniqueUsers: number } } }>(question(i))),
    );
    for (const { body } of answers) expect(body.errors).toBeUndefined();

    const calls = emulator.calls.filter((c) => c.path.endsWith('userEngagementTrend'));
    expect(calls).toHaveLength(BUDGET + 1);
    expect(calls.every((c) => c.status === 200)).toBe(true);
    const intervals = calls.map((c) => ({ from: c.at, to: c.at + LATENCY_MS }));
    expect(worstWindow(intervals, 60_000)).toBeLessThanOrEqual(BUDGET);
  }, 90_000);
});
