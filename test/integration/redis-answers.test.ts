import type { ApiVersion } from '../../src/engagement/model';
import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { redisBinary, startRedis, warnRedisMissing, type RedisServer } from '../helpers/redis-server';
import { startStack, trendCalls, type Stack } from '../helpers/stack';
import { until } from '../helpers/wait';

/**
 * An answer read back from the Redis cache (JSON) serves the same response as the answer the
 * replica that asked upstream served: the domain objects are rebuilt as class instances that know
 * their API version, so field errors (UPSTREAM_UNSUPPORTED on v1) and data come out identical.
 */
const binary = redisBinary();
if (!binary) warnRedisMissing('redis-answers.test.ts');
const suite = binary ? describe : describe.skip;

const day = isoDate(todayIn('UTC') - 2);
const EVERYTHING = `{ engagementTrend(botId: "st-demo-retail", range: { start: "${day}", end: "${day}" }) {
  summary { uniqueUsers newUsers avgUniqueUsersPerDay }
  series { uniqueUsers { date users } newUsers { date users } returningUsers { date users } }
  hourly { date hour uniqueUsers newUsers returningUsers } } }`;

suite('answers shared through Redis', () => {
  let redis: RedisServer;
  const stacks: Stack[] = [];
  beforeAll(async () => {
    redis = await startRedis(binary as string);
  });
  afterAll(async () => {
    await Promise.all(stacks.splice(0).map((s) => s.close()));
    await redis?.stop();
  });

  it.each<ApiVersion>(['v1', 'v2'])(
    'a %s answer read from Redis serves the same response, errors included, with no upstream call',
    async (version) => {
      const env = { KORE_API_VERSION: version, REDIS_URL: redis.url };
      const asker = await startStack({ env });
      stacks.push(asker);
      const upstream = asker.emulator!;
      const reader = await startStack({ upstreamUrl: upstream.url, env });
      stacks.push(reader);

      const first = await asker.gql(EVERYTHING);
      const calls = trendCalls(upstream).length;
      expect(calls).toBe(2); // daily and hourly
      const second = await reader.gql(EVERYTHING);
      expect(trendCalls(upstream)).toHaveLength(calls);
      expect(second.body).toEqual(first.body);
      const codes = new Set((second.body.errors ?? []).map((e) => e.extensions?.code));
      expect([...codes]).toEqual(version === 'v1' ? ['UPSTREAM_UNSUPPORTED'] : []);
    },
  );

  it('a replica waiting on another judges the answer it finds by the injected clock, not the wall clock', async () => {
    // Both replicas run a day behind the wall clock. The follower must still see the leader's
    // answer (stamped on that clock) as the one it waited for, and make no call of its own.
    const behind = () => Date.now() - 86_400_000;
    const env = { REDIS_URL: redis.url };
    const leader = await startStack({ env, now: behind, emulator: { faults: { latencyMs: 1500 } } });
    stacks.push(leader);
    const upstream = leader.emulator!;
    const follower = await startStack({ upstreamUrl: upstream.url, env, now: behind });
    stacks.push(follower);
    const question = `{ engagementTrend(botId: "st-demo-travel", range: { start: "${isoDate(todayIn('UTC', behind()) - 9)}", end: "${isoDate(todayIn('UTC', behind()) - 3)}" }) { summary { uniqueUsers } } }`;

    const led = leader.gql(question);
    await until(() => trendCalls(upstream).length === 1, { what: "the leader's upstream call" });
    const [first, second] = await Promise.all([led, follower.gql(question)]);
    expect(second.body).toEqual(first.body);
    expect(first.body.errors).toBeUndefined();
    expect(trendCalls(upstream)).toHaveLength(1);
  });
});
