import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream';
import { dailyAnswerFor, expectedUnique } from '../helpers/kore-answers';
import { redisBinary, startRedis, warnRedisMissing, type RedisServer } from '../helpers/redis-server';
import { codes, startStackBehind, type Stack } from '../helpers/stack';

/** Three replicas on one real Redis share the cache, the single flight and each bot's budget. */
const binary = redisBinary();
if (!binary) warnRedisMissing('redis-replicas.test.ts');
const suite = binary ? describe : describe.skip;

let redis: RedisServer;
let fake: FakeUpstream;
const stacks: Stack[] = [];

const today = todayIn('UTC');
const day = (offset: number) => isoDate(today + offset);
const summaryQuery = (start: string, end: string, bot = 'st-1') =>
  `{ engagementTrend(botId: "${bot}", range: { start: "${start}", end: "${end}" }) { summary { uniqueUsers } } }`;
type Summary = { engagementTrend: { summary: { uniqueUsers: number } | null } | null };

async function replicas(n: number, env: Record<string, string> = {}): Promise<Stack[]> {
  const started = await Promise.all(
    Array.from({ length: n }, () =>
      startStackBehind(fake.url, {
        env: { REDIS_URL: redis.url, ...env },
      }),
    ),
  );
  stacks.push(...started);
  return started;
}

suite('replicas sharing Redis', () => {
  beforeAll(async () => {
    redis = await startRedis(binary as string);
  });
  afterAll(async () => {
    await redis?.stop();
  });
  beforeEach(async () => {
    fake = await startFakeUpstream(dailyAnswerFor);
  });
  afterEach(async () => {
    await Promise.all(stacks.splice(0).map((s) => s.close()));
    await fake.close();
  });

  it("the second replica's identical query makes no upstream call", async () => {
    const [a, b] = await replicas(2);
    const first = await a.gql<Summary>(summaryQuery(day(-30), day(-20), 'st-cache'));
    const second = await b.gql<Summary>(summaryQuery(day(-30), day(-20), 'st-cache'));
    expect(second.body).toEqual(first.body);
    expect(second.body.data?.engagementTrend?.summary?.uniqueUsers).toBe(expectedUnique(day(-30), day(-20)));
    expect(fake.requests).toHaveLength(1);
  });

  it('three replicas together keep one bot under one budget', async () => {
    const all = await replicas(3, { BUDGET_PER_MINUTE: '4', BUDGET_MAX_WAIT_MS: '0' });
    const results = await Promise.all(
      all.flatMap((replica, r) =>
        Array.from({ length: 4 }, (_, i) => replica.gql(summaryQuery(day(-50 + r * 4 + i), day(-10), 'st-budget'))),
      ),
    );
    expect(fake.requests).toHaveLength(4);
    const refused = results.filter((res) => res.body.errors);
    expect(refused).toHaveLength(8);
    for (const res of refused) expect(codes(res.body)).toEqual(['RATE_LIMITED']);
  });

  it('N concurrent askers on three replicas cause one upstream call', async () => {
    fake.reply = (r) => ({ ...dailyAnswerFor(r), delayMs: 300 });
    const all = await replicas(3);
    const results = await Promise.all(
      all.flatMap((replica) => Array.from({ length: 10 }, () => replica.gql<Summary>(summaryQuery(day(-60), day(-31), 'st-flight')))),
    );
    expect(fake.requests).toHaveLength(1);
    for (const res of results) expect(res.body.data?.engagementTrend?.summary?.uniqueUsers).toBe(expectedUnique(day(-60), day(-31)));
  });

  it('cached answers never cross credentials', async () => {
    const [a] = await replicas(1);
    const [b] = await replicas(1, { KORE_CLIENT_ID: 'cs-b', KORE_CLIENT_SECRET: 'secret-b' });
    await a.gql(summaryQuery(day(-70), day(-61), 'st-tenant'));
    await b.gql(summaryQuery(day(-70), day(-61), 'st-tenant'));
    expect(fake.requests).toHaveLength(2);
    expect(new Set(fake.requests.map((r) => r.headers.auth))).toHaveProperty('size', 2);
  });

  it("a leader's failure reaches the waiting replicas without each of them calling", async () => {
    fake.reply = () => ({ status: 400, body: { errors: [{ msg: 'Invalid StreamId', code: 400 }] }, delayMs: 200 });
    const all = await replicas(3);
    const results = await Promise.all(all.map((replica) => replica.gql(summaryQuery(day(-80), day(-71), 'st-missing'))));
    for (const res of results) expect(codes(res.body)).toEqual(['UPSTREAM_REJECTED']);
    expect(fake.requests).toHaveLength(1);
  });
});

suite('when Redis goes away', () => {
  it('fails closed with a clear UPSTREAM_UNAVAILABLE and calls nothing upstream', async () => {
    const own = await startRedis(binary as string);
    const upstream = await startFakeUpstream(dailyAnswerFor);
    const replica = await startStackBehind(upstream.url, {
      env: { REDIS_URL: own.url, RETRY_MAX_ATTEMPTS: '1' },
    });
    try {
      expect((await replica.gql(summaryQuery(day(-9), day(-5), 'st-down'))).body.errors).toBeUndefined();
      await own.stop();
      const { status, body } = await replica.gql(summaryQuery(day(-19), day(-15), 'st-down'));
      expect(status).toBe(200);
      expect(codes(body)).toEqual(['UPSTREAM_UNAVAILABLE']);
      expect(body.errors?.[0].extensions?.reason).toBe('shared-state-unavailable');
      expect(upstream.requests).toHaveLength(1);
    } finally {
      await replica.close().catch(() => undefined);
      await upstream.close();
    }
  });
});
