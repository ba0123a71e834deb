import Redis from 'ioredis';
import { loadConfig } from '../../src/config';
import { isoDate, parseIsoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import type { TrendData, UpstreamRequest } from '../../src/engagement/model';
import { createUpstream } from '../../src/upstream';
import { connectRedis, createRedisCache } from '../../src/upstream/redis';
import { createRedisFlights } from '../../src/upstream/redis-flights';
import type { ResponseCache } from '../../src/upstream/response-cache';
import { startFakeUpstream, type FakeReply, type FakeRequest, type FakeUpstream } from '../helpers/fake-upstream';
import { dailyAnswerFor, expectedUnique } from '../helpers/kore-answers';
import { redisBinary, startRedis, warnRedisMissing, type RedisServer } from '../helpers/redis-server';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { until, within } from '../helpers/wait';

/**
 * Issue 14 row 3: single flight across replicas when the leading replica dies. Real redis-server,
 * replicas as real child processes, one recording upstream (its own HTTP server) whose log of
 * arrivals is what the assertions count.
 */
const binary = redisBinary();
if (!binary) warnRedisMissing('flight-lease.test.ts');
const suite = binary ? describe : describe.skip;

jest.setTimeout(90_000);

const today = todayIn('UTC');
const day = (offset: number) => isoDate(today + offset);
/** Eight distinct questions for a bot (the range start tells them apart). */
const questions = (n = 8) => Array.from({ length: n }, (_, i) => ({ start: day(-60 + i), end: day(-30) }));
type Question = ReturnType<typeof questions>[number];
const queryFor = (bot: string, q: Question) =>
  `{ engagementTrend(botId: "${bot}", range: { start: "${q.start}", end: "${q.end}" }) { summary { uniqueUsers } } }`;
const name = (q: { start: string; end: string }) => `${q.start}..${q.end}`;

interface Arrival {
  readonly at: number;
  readonly question: string;
}

let redis: RedisServer;
let upstream: FakeUpstream;
let arrivals: Arrival[];
/** Calls the upstream holds unanswered until the test lets them go (so no timer outlives a test). */
let held: Array<() => void>;
let answer: (req: FakeRequest) => Promise<FakeReply>;
const processes: ServerProcess[] = [];

const hold = (req: FakeRequest) => new Promise<FakeReply>((resolve) => held.push(() => resolve(dailyAnswerFor(req))));
const slow =
  (ms: number) =>
  async (req: FakeRequest): Promise<FakeReply> => ({ ...dailyAnswerFor(req), delayMs: ms });

async function replica(env: Record<string, string> = {}): Promise<ServerProcess> {
  const started = await startServerProcess({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    KORE_HOST: upstream.url,
    KORE_CLIENT_ID: 'cs-lease',
    KORE_CLIENT_SECRET: 'secret-lease',
    REDIS_URL: redis.url,
    ...env,
  });
  processes.push(started);
  return started;
}

async function ask(url: string, bot: string, q: Question): Promise<number | undefined> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: queryFor(bot, q) }),
  });
  const body = (await res.json()) as { data?: { engagementTrend?: { summary?: { uniqueUsers: number } } }; errors?: unknown[] };
  if (body.errors) throw new Error(`answered with errors: ${JSON.stringify(body.errors)}`);
  return body.data?.engagementTrend?.summary?.uniqueUsers;
}

/** A replica's single-flight counters: questions it took into a flight, and askers that joined one. */
async function flightCounts(graphqlUrl: string): Promise<{ misses: number; joins: number }> {
  const text = await (await fetch(graphqlUrl.replace(/\/graphql$/, '/metrics'))).text();
  const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
  return { misses: value(/^eg_cache_events_total\{event="miss"\} (\d+)/m), joins: value(/^eg_singleflight_joins_total (\d+)/m) };
}

const perQuestion = (list: Arrival[]) => {
  const counts = new Map<string, number>();
  for (const a of list) counts.set(a.question, (counts.get(a.question) ?? 0) + 1);
  return counts;
};

/**
 * Once the upstream has recorded the leader's calls: three askers per question on `follower`, and
 * the wait until they all wait on its flights (one per question taken into a flight, the others joined).
 */
async function followersWaiting(followerUrl: string, bot: string, asked: Question[]): Promise<Array<Promise<number | undefined>>> {
  await until(() => arrivals.length === asked.length, {
    what: "the upstream recorded the leader's calls",
    timeoutMs: 20_000,
    intervalMs: 25,
  });
  const following = asked.flatMap((q) => [1, 2, 3].map(() => ask(followerUrl, bot, q)));
  await until(
    async () => {
      const c = await flightCounts(followerUrl);
      return c.misses === asked.length && c.joins === 2 * asked.length;
    },
    { what: 'the follower had all its askers waiting on the flights', timeoutMs: 20_000, intervalMs: 25 },
  );
  return following;
}

suite('single flight across replicas with a leased claim', () => {
  beforeAll(async () => {
    redis = await startRedis(binary as string);
  });
  afterAll(async () => {
    await redis?.stop();
  });
  beforeEach(async () => {
    arrivals = [];
    held = [];
    answer = hold;
    upstream = await startFakeUpstream((req) => {
      arrivals.push({ at: Date.now(), question: name({ start: req.query.start_date, end: req.query.end_date }) });
      return answer(req);
    });
  });
  afterEach(async () => {
    for (const p of processes.splice(0)) {
      p.kill('SIGKILL');
      await p.exited;
    }
    for (const release of held.splice(0)) release();
    await upstream.close();
  });

  it('a leader SIGKILLed mid-call: followers on another replica take over once per question, within seconds', async () => {
    const bot = 'st-lease-kill';
    const asked = questions();
    const [leader, follower] = await Promise.all([replica(), replica()]);

    // The leader's 8 calls reach the upstream and are held there: in flight when it dies.
    const leading = asked.map((q) => ask(leader.url, bot, q).catch(() => undefined));
    // 24 askers on the other replica: 8 questions taken into a flight (waiting on the leader), 16 joined.
    const following = await followersWaiting(follower.url, bot, asked);
    expect(arrivals).toHaveLength(8); // followers wait: no call while the leader lives

    answer = slow(500); // the upstream stays slow for whoever calls next
    leader.kill('SIGKILL');
    const killedAt = Date.now();
    await leader.exited;

    const answers = await within(Promise.all(following), { what: 'the follower answered all 24 after the kill', timeoutMs: 10_000 });
    expect(answers).toEqual(asked.flatMap((q) => [1, 2, 3].map(() => expectedUnique(q.start, q.end))));
    const after = arrivals.filter((a) => a.at >= killedAt);
    expect(after).toHaveLength(8);
    expect(arrivals).toHaveLength(16); // 8 from the dead leader, 8 from the one taker-over per question
    expect(perQuestion(after)).toEqual(new Map(asked.map((q) => [name(q), 1])));
    await Promise.all(leading);
  });

  it('a leader whose call lasts several leases keeps its claim: still one call per question', async () => {
    const bot = 'st-lease-long';
    const asked = questions();
    const env = { FLIGHT_LEASE_MS: '1000' };
    const [leader, follower] = await Promise.all([replica(env), replica(env)]);
    answer = slow(4500); // more than four leases

    const leading = asked.map((q) => ask(leader.url, bot, q));
    await until(() => arrivals.length === 8, { what: "the upstream recorded the leader's 8 calls", timeoutMs: 20_000, intervalMs: 25 });
    const following = asked.flatMap((q) => [1, 2, 3].map(() => ask(follower.url, bot, q)));

    const expected = asked.map((q) => expectedUnique(q.start, q.end));
    expect(await within(Promise.all(leading), { what: 'the leader answered', timeoutMs: 30_000 })).toEqual(expected);
    expect(await within(Promise.all(following), { what: 'the followers answered', timeoutMs: 30_000 })).toEqual(
      expected.flatMap((n) => [n, n, n]),
    );
    expect(arrivals).toHaveLength(8);
    expect(perQuestion(arrivals)).toEqual(new Map(asked.map((q) => [name(q), 1])));
  });

  it('a leader that put the answer in the cache and then died costs no second call', async () => {
    const bot = 'st-lease-cached';
    const asked = questions(3);
    const env = { FLIGHT_LEASE_MS: '1000' };
    const follower = await replica(env);

    // The leader runs in this process on the real upstream code, so that it writes the answer
    // exactly as a replica does; it "dies" right after that write, before releasing its claim:
    // its Redis connection drops (no renewal, no release, no notice) and its call never returns.
    const config = loadConfig({
      NODE_ENV: 'test',
      KORE_HOST: upstream.url,
      KORE_CLIENT_ID: 'cs-lease',
      KORE_CLIENT_SECRET: 'secret-lease',
      REDIS_URL: redis.url,
      ...env,
    });
    const leaderRedis = connectRedis(redis.url);
    leaderRedis.on('error', () => undefined);
    const realCache = createRedisCache(leaderRedis);
    let written = 0;
    const afterDeath: Array<() => void> = [];
    const dyingCache: ResponseCache = {
      get: (key) => realCache.get(key),
      async set(key, entry, keepMs) {
        await realCache.set(key, entry, keepMs);
        written++;
        if (written === asked.length) leaderRedis.disconnect();
        await new Promise<void>((resolve) => afterDeath.push(resolve));
      },
    };
    const leaderClient = createUpstream(
      config,
      { redis: leaderRedis, cache: dyingCache },
      { debug: () => undefined, warn: () => undefined },
    );
    const request = (q: Question): UpstreamRequest => ({
      version: 'v2',
      botId: bot,
      startDay: parseIsoDate(q.start) as number,
      endDay: parseIsoDate(q.end) as number,
      channel: null,
      conversationType: 'ALL',
      conversationStatus: 'ALL',
      timeZone: 'UTC',
      granularity: 'daily',
    });
    const leading = asked.map((q) => leaderClient.fetchTrend(request(q)).catch(() => undefined));
    try {
      const following = await followersWaiting(follower.url, bot, asked);

      answer = slow(200); // a second call, if one were made, would be answered (and counted)
      for (const release of held.splice(0)) release(); // the upstream answers the leader
      await until(() => written === asked.length && leaderRedis.status === 'end', {
        what: 'the leader wrote its answers and died',
        timeoutMs: 10_000,
        intervalMs: 25,
      });
      const diedAt = Date.now();

      const answers = await within(Promise.all(following), {
        what: "the follower answered from the dead leader's cache entries",
        timeoutMs: 10_000,
      });
      expect(answers).toEqual(asked.flatMap((q) => [1, 2, 3].map(() => expectedUnique(q.start, q.end))));
      expect(arrivals.filter((a) => a.at >= diedAt)).toHaveLength(0);
      expect(arrivals).toHaveLength(asked.length);
    } finally {
      for (const resurrect of afterDeath) resurrect();
      await Promise.all(leading);
      leaderClient.close();
    }
  });

  it('followers use the answer they waited for even when the cache keeps nothing fresh (TTL 0)', async () => {
    const bot = 'st-lease-ttl0';
    const asked = questions(2);
    const env = { CACHE_TTL_SETTLED_SECONDS: '0', CACHE_TTL_RECENT_SECONDS: '0' };
    const [leader, follower] = await Promise.all([replica(env), replica(env)]);

    const leading = asked.map((q) => ask(leader.url, bot, q));
    const following = await followersWaiting(follower.url, bot, asked);

    answer = slow(200); // a second call, if one were made, would be answered (and counted)
    for (const release of held.splice(0)) release();
    const expected = asked.map((q) => expectedUnique(q.start, q.end));
    expect(await within(Promise.all(leading), { what: 'the leader answered', timeoutMs: 10_000 })).toEqual(expected);
    expect(await within(Promise.all(following), { what: 'the followers answered', timeoutMs: 10_000 })).toEqual(
      expected.flatMap((n) => [n, n, n]),
    );
    expect(arrivals).toHaveLength(asked.length);
  });

  it('a leader that lost its lease neither renews nor releases the claim that replaced it', async () => {
    const conn = new Redis(redis.url);
    const flights = createRedisFlights(conn, { leaseMs: 300, waitMs: 5000 });
    const noCache: ResponseCache = { get: async () => undefined, set: async () => undefined };
    // The answer's content plays no part here: only the claim is looked at.
    const anAnswer = {} as TrendData;
    let finish: () => void = () => undefined;
    const key = 'lease-test|lost';
    const evals = async () => Number(/cmdstat_eval:calls=(\d+)/.exec(await conn.info('commandstats'))?.[1] ?? 0);
    try {
      const leading = flights.run(key, () => new Promise<TrendData>((resolve) => (finish = () => resolve(anAnswer))), noCache);
      await until(async () => (await conn.get(`eg:flight:${key}`)) !== null, {
        what: 'the leader claimed the question',
        timeoutMs: 5000,
        intervalMs: 25,
      });
      // What a successor does once the leader's lease lapsed (a paused leader): a claim of its own.
      const before = await evals();
      await conn.set(`eg:flight:${key}`, 'successor', 'PX', 60_000);
      await until(async () => (await evals()) > before, { what: 'the old leader tried to renew', timeoutMs: 5000, intervalMs: 25 });
      expect(await conn.get(`eg:flight:${key}`)).toBe('successor');
      expect(await conn.pttl(`eg:flight:${key}`)).toBeGreaterThan(30_000);
      finish();
      await leading;
      expect(await conn.get(`eg:flight:${key}`)).toBe('successor');
      expect(await conn.pttl(`eg:flight:${key}`)).toBeGreaterThan(30_000);
    } finally {
      flights.close?.();
      await conn.quit();
    }
  });
});
