import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { startFakeUpstream, type FakeReply, type FakeUpstream } from '../helpers/fake-upstream';
import { dailyAnswerFor } from '../helpers/kore-answers';
import { redisBinary, startRedis, warnRedisMissing, type RedisServer } from '../helpers/redis-server';
import { startStackBehind, type Stack } from '../helpers/stack';
import { until } from '../helpers/wait';

/**
 * STALE_WHILE_REVALIDATE across two replicas on one real Redis: an expired shared entry is served
 * at once by both, and refreshed once (the Redis leased flight), not once per replica.
 *
 * The replicas share a hand-driven clock for freshness (the cache's `freshUntil`); Redis keeps its
 * own time for TTLs and the budget (entries are kept far longer; the budget's minute outlasts each
 * test). The refresh takes only a spare slot of the shared budget (redis-budget-usage.ts's SPARE).
 */
const binary = redisBinary();
if (!binary) warnRedisMissing('freshness-replicas.test.ts');
const suite = binary ? describe : describe.skip;

let redis: RedisServer;
let fake: FakeUpstream;
let release: () => void = () => undefined;
const stacks: Stack[] = [];
let clock = Date.now();

type Trend = { engagementTrend: { freshness: { source: string; stale: boolean } } | null };

suite('STALE_WHILE_REVALIDATE on replicas sharing Redis', () => {
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
    release();
    await Promise.all(stacks.splice(0).map((s) => s.close()));
    await fake.close();
  });

  it('both replicas answer stale at once from the shared entry, behind exactly one refresh', async () => {
    clock = Date.now();
    const started = await Promise.all(
      [0, 1].map(() =>
        startStackBehind(fake.url, {
          now: () => clock,
          env: { REDIS_URL: redis.url, CACHE_TTL_RECENT_SECONDS: '60' },
        }),
      ),
    );
    stacks.push(...started);
    const [a, b] = started;
    const today = todayIn('UTC', clock);
    const query = (cache: string) =>
      `{ engagementTrend(botId: "st-swr", range: { start: "${isoDate(today - 2)}", end: "${isoDate(today)}" }, cache: ${cache}) {
        summary { uniqueUsers } freshness { source stale } } }`;

    const first = await a.gql<Trend>(query('DEFAULT'));
    expect(first.body.data?.engagementTrend?.freshness.source).toBe('UPSTREAM');
    expect(fake.requests).toHaveLength(1);

    clock += 120_000;
    const gate = new Promise<void>((resolve) => (release = resolve));
    fake.reply = async (r): Promise<FakeReply> => {
      await gate;
      return dailyAnswerFor(r);
    };
    const answers = await Promise.all([a, b, a, b, a, b].map((replica) => replica.gql<Trend>(query('STALE_WHILE_REVALIDATE'))));
    for (const { body } of answers) expect(body.data?.engagementTrend?.freshness).toEqual({ source: 'STALE_CACHE', stale: true });
    await until(() => fake.requests.length >= 2, { what: 'the refresh behind the responses' });
    release();
    for (const replica of [a, b]) {
      await until(async () => (await replica.gql<Trend>(query('DEFAULT'))).body.data?.engagementTrend?.freshness.source === 'CACHE', {
        what: 'the refreshed answer in the shared cache',
      });
    }
    expect(fake.requests).toHaveLength(2);
  });

  it("skips the refresh on both replicas while interactive calls hold the bot's budget: no call, nothing remembered as failed", async () => {
    clock = Date.now();
    // 3 a minute (on Redis's clock): two interactive calls leave one slot, which a refresh must leave free.
    const started = await Promise.all(
      [0, 1].map(() =>
        startStackBehind(fake.url, {
          now: () => clock,
          env: { REDIS_URL: redis.url, CACHE_TTL_RECENT_SECONDS: '60', BUDGET_PER_MINUTE: '3', BUDGET_MAX_WAIT_MS: '0', REFRESH: 'off' },
        }),
      ),
    );
    stacks.push(...started);
    const [a, b] = started;
    const today = todayIn('UTC', clock);
    const query = (cache: string, from = 2) =>
      `{ engagementTrend(botId: "st-held", range: { start: "${isoDate(today - from)}", end: "${isoDate(today)}" }, cache: ${cache}) {
        summary { uniqueUsers } freshness { source stale } } }`;
    const skipped = async (replica: Stack) => {
      const text = await (await fetch(`${replica.url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('eg_refresh_total{outcome="skipped_budget"}'));
      return line ? Number(line.split(' ').pop()) : 0;
    };

    expect((await a.gql<Trend>(query('DEFAULT'))).body.data?.engagementTrend?.freshness.source).toBe('UPSTREAM');
    expect((await b.gql<Trend>(query('DEFAULT', 3))).body.data?.engagementTrend?.freshness.source).toBe('UPSTREAM');
    clock += 120_000;
    for (const replica of [a, b]) {
      const { body } = await replica.gql<Trend>(query('STALE_WHILE_REVALIDATE'));
      expect(body.data?.engagementTrend?.freshness).toEqual({ source: 'STALE_CACHE', stale: true });
      await until(async () => fake.requests.length > 2 || (await skipped(replica)) === 1, { what: 'the refresh to be skipped for budget' });
    }
    expect(fake.requests).toHaveLength(2);
    // An interactive asker still gets the slot the refreshes left, and a fresh answer.
    const fresh = await b.gql<Trend>(query('MUST_REVALIDATE'));
    expect(fresh.body.data?.engagementTrend?.freshness).toEqual({ source: 'UPSTREAM', stale: false });
    expect(fake.requests).toHaveLength(3);
  });
  it("a refresh's failed single attempt is not remembered for other replicas: one waiting for a fresh answer asks itself", async () => {
    clock = Date.now();
    const started = await Promise.all(
      [0, 1].map(() =>
        startStackBehind(fake.url, { now: () => clock, env: { REDIS_URL: redis.url, CACHE_TTL_RECENT_SECONDS: '60', REFRESH: 'off' } }),
      ),
    );
    stacks.push(...started);
    const [a, b] = started;
    const today = todayIn('UTC', clock);
    const query = (cache: string) =>
      `{ engagementTrend(botId: "st-once", range: { start: "${isoDate(today - 4)}", end: "${isoDate(today)}" }, cache: ${cache}) {
        summary { uniqueUsers } freshness { source stale } } }`;
    const failed = async (replica: Stack) => {
      const text = await (await fetch(`${replica.url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('eg_refresh_total{outcome="failed"}'));
      return line ? Number(line.split(' ').pop()) : 0;
    };

    expect((await a.gql<Trend>(query('DEFAULT'))).body.data?.engagementTrend?.freshness.source).toBe('UPSTREAM');
    clock += 90_000; // 30 s past its freshness: a spare refresh behind the stale answer
    let failures = 0;
    fake.reply = (r): FakeReply =>
      failures++ === 0 ? { status: 503, body: { errors: [{ msg: 'Service Unavailable', code: 503 }] } } : dailyAnswerFor(r);
    const stale = await a.gql<Trend>(query('STALE_WHILE_REVALIDATE'));
    expect(stale.body.data?.engagementTrend?.freshness).toEqual({ source: 'STALE_CACHE', stale: true });
    await until(async () => (await failed(a)) === 1, { what: 'the refresh behind the answer to fail (one attempt, a 503)' });

    // At once (well inside the 2 s a failure is remembered): the other replica makes its own call.
    const fresh = await b.gql<Trend>(query('MUST_REVALIDATE'));
    expect(fresh.body.errors).toBeUndefined();
    expect(fresh.body.data?.engagementTrend?.freshness).toEqual({ source: 'UPSTREAM', stale: false });
    expect(fake.requests).toHaveLength(3);
  });
});
