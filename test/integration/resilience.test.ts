import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { createMemoryCache } from '../../src/upstream/response-cache';
import { startFakeUpstream, type FakeReply, type FakeUpstream } from '../helpers/fake-upstream';
import { dailyAnswerFor, expectedUnique } from '../helpers/kore-answers';
import { codes, startStackBehind, type Stack, type StackOptions } from '../helpers/stack';
import { testNow } from '../helpers/clock';
import { until } from '../helpers/wait';

/** Budget, retries, breaker, cache, single flight and stale answers, against a recording fake over real HTTP. */

let fake: FakeUpstream;
const stacks: Stack[] = [];
beforeEach(async () => {
  fake = await startFakeUpstream(dailyAnswerFor);
});
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((s) => s.close()));
  await fake.close();
});

async function stackWith(env: Record<string, string>, extra: Partial<StackOptions> = {}): Promise<Stack> {
  const stack = await startStackBehind(fake.url, {
    // `wait`: these tests are about waiting for Kore.ai (retries, breaker, stale only on failure);
    // the default (stale-while-revalidate) would answer an expired entry without waiting.
    env: { RETRY_BASE_DELAY_MS: '20', CACHE_POLICY: 'wait', ...env },
    ...extra,
  });
  stacks.push(stack);
  return stack;
}

// "Today" on the stacks' clock: tests that drive a clock by hand start it from the same instant.
const today = todayIn('UTC', testNow());
const day = (offset: number) => isoDate(today + offset);
const summaryQuery = (start: string, end: string, bot = 'st-1') =>
  `{ engagementTrend(botId: "${bot}", range: { start: "${start}", end: "${end}" }) { summary { uniqueUsers } } }`;
type Summary = { engagementTrend: { summary: { uniqueUsers: number } | null } | null };

describe('retries', () => {
  it('429 then 200: succeeds after the advertised Retry-After, both attempts spending budget', async () => {
    const replies: FakeReply[] = [
      { status: 429, body: { errors: [{ msg: "You've exceeded the per-minute rate limit", code: 429 }] }, headers: { 'retry-after': '1' } },
    ];
    fake.reply = (r) => replies.shift() ?? dailyAnswerFor(r);
    const stack = await stackWith({});
    const started = Date.now();
    const { body } = await stack.gql<Summary>(summaryQuery(day(-9), day(-3)));
    expect(body.errors).toBeUndefined();
    expect(body.data?.engagementTrend?.summary?.uniqueUsers).toBe(expectedUnique(day(-9), day(-3)));
    expect(fake.requests).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('persistent 500: UPSTREAM_UNAVAILABLE after the capped attempts, then the breaker fails fast, then a probe closes it', async () => {
    let clock = testNow();
    let healthy = false;
    fake.reply = (r) => (healthy ? dailyAnswerFor(r) : { status: 500, body: { errors: [{ msg: 'Internal Server Error', code: 500 }] } });
    const stack = await stackWith({ RETRY_MAX_ATTEMPTS: '3', BREAKER_THRESHOLD: '3', BREAKER_COOLDOWN_MS: '10000' }, { now: () => clock });
    const first = await stack.gql<Summary>(summaryQuery(day(-9), day(-3)));
    expect(codes(first.body)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(fake.requests).toHaveLength(3);

    const second = await stack.gql<Summary>(summaryQuery(day(-8), day(-3)));
    expect(codes(second.body)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(second.body.errors?.[0].extensions?.reason).toBe('circuit-open');
    expect(fake.requests).toHaveLength(3); // failed fast: nothing sent

    clock += 10_001; // cooldown over: one probe goes through
    healthy = true;
    const third = await stack.gql<Summary>(summaryQuery(day(-8), day(-3)));
    expect(third.body.errors).toBeUndefined();
    expect(fake.requests).toHaveLength(4);
  });

  it('a timeout fails with UPSTREAM_TIMEOUT within the configured bound', async () => {
    // Held far longer than any test runs: only the client's timeouts can end these calls.
    fake.reply = (r) => ({ ...dailyAnswerFor(r), delayMs: 60_000 });
    const stack = await stackWith({ KORE_TIMEOUT_MS: '200', RETRY_MAX_ATTEMPTS: '2', RETRY_MAX_TOTAL_MS: '1000' });
    const { body } = await stack.gql<Summary>(summaryQuery(day(-9), day(-3)));
    const kinds = () => fake.events.map((e) => e.kind).sort();
    // Answered while the upstream had answered neither attempt, and each was given up by its timeout.
    expect(kinds()).not.toContain('answered');
    expect(codes(body)).toEqual(['UPSTREAM_TIMEOUT']);
    await until(() => kinds().filter((k) => k === 'abandoned').length === 2, {
      what: 'both attempts to be abandoned',
      detail: () => kinds().join(),
    });
    expect(kinds()).toEqual(['abandoned', 'abandoned', 'request', 'request']);
    expect(fake.requests).toHaveLength(2);
  });

  it('a slow Kore.ai that opens the breaker is still named a timeout: every operation says UPSTREAM_TIMEOUT', async () => {
    fake.reply = (r) => ({ ...dailyAnswerFor(r), delayMs: 3000 });
    const stack = await stackWith({ KORE_TIMEOUT_MS: '300', BREAKER_THRESHOLD: '5', BUDGET_PER_MINUTE: '100' });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => stack.gql<Summary>(summaryQuery(day(-30 - i), day(-3)))));
    const errors = answers.map((a) => a.body.errors?.[0]);
    expect(errors.map((e) => e?.extensions?.code)).toEqual(Array(20).fill('UPSTREAM_TIMEOUT'));
    for (const e of errors) expect(e?.message).toMatch(/did not answer within 300 ms/);
    // Retries that found the breaker open reported their own timeout, not "circuit open".
    expect(fake.requests.length).toBeLessThan(20 * 3);
    // Operations that find it open say why it opened, and reach nothing.
    const sent = fake.requests.length;
    const later = await Promise.all(Array.from({ length: 5 }, (_, i) => stack.gql<Summary>(summaryQuery(day(-60 - i), day(-3)))));
    for (const { body } of later) {
      expect(body.errors?.[0].extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT', reason: 'circuit-open' });
      expect(body.errors?.[0].message).toMatch(/did not answer within 300 ms; calls are paused for \d+ s/);
    }
    expect(fake.requests).toHaveLength(sent);
  });

  it('never retries what cannot succeed on retry (401, 400)', async () => {
    fake.reply = (r) =>
      r.path.includes('st-auth')
        ? { status: 401, body: { errors: [{ msg: 'Invalid JWT token', code: 4002 }] } }
        : { status: 400, body: { errors: [{ msg: 'Invalid StreamId', code: 400 }] } };
    const stack = await stackWith({ RETRY_MAX_ATTEMPTS: '5' });
    expect(codes((await stack.gql(summaryQuery(day(-3), day(-2), 'st-auth'))).body)).toEqual(['UPSTREAM_UNAUTHENTICATED']);
    expect(codes((await stack.gql(summaryQuery(day(-3), day(-2), 'st-bad'))).body)).toEqual(['UPSTREAM_REJECTED']);
    expect(fake.requests).toHaveLength(2);
  });

  it('retries spend the same budget: a flapping upstream cannot push a bot past it', async () => {
    fake.reply = () => ({ status: 503, raw: '' });
    const stack = await stackWith({ RETRY_MAX_ATTEMPTS: '6', BUDGET_PER_MINUTE: '2', BUDGET_MAX_WAIT_MS: '0', BREAKER_THRESHOLD: '100' });
    const { body } = await stack.gql(summaryQuery(day(-3), day(-2)));
    expect(codes(body)).toHaveLength(1);
    expect(fake.requests).toHaveLength(2);
  });
});

describe('the per-bot budget', () => {
  it('200 concurrent operations over 20 ranges with a budget of 10 a minute: ≤ 10 upstream calls, every answer right or RATE_LIMITED', async () => {
    fake.reply = (r) => ({ ...dailyAnswerFor(r), delayMs: 20 });
    const stack = await stackWith({ BUDGET_PER_MINUTE: '10', BUDGET_MAX_WAIT_MS: '300' });
    const ranges = Array.from({ length: 20 }, (_, i) => [day(-40 + i), day(-10)] as const);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => ranges[i % 20]).map(async ([s, e]) => ({
        s,
        e,
        ...(await stack.gql<Summary>(summaryQuery(s, e))),
      })),
    );
    expect(fake.requests.length).toBeLessThanOrEqual(10);
    expect(fake.requests.length).toBeGreaterThanOrEqual(1);
    let ok = 0;
    for (const r of results) {
      if (r.body.errors) {
        expect(codes(r.body)).toEqual(['RATE_LIMITED']);
        expect(r.body.errors[0].extensions?.retryAfter).toBeGreaterThan(0);
      } else {
        expect(r.body.data?.engagementTrend?.summary?.uniqueUsers).toBe(expectedUnique(r.s, r.e));
        ok++;
      }
    }
    expect(ok).toBeGreaterThanOrEqual(10 * 10); // the ≤10 ranges that got a slot served all their 10 askers
  });

  it('refuses at once, with retryAfter and no upstream call, when no slot frees within BUDGET_MAX_WAIT_MS', async () => {
    const stack = await stackWith({ BUDGET_PER_MINUTE: '1', BUDGET_MAX_WAIT_MS: '0' });
    expect((await stack.gql(summaryQuery(day(-5), day(-3)))).body.errors).toBeUndefined();
    const refused = await stack.gql(summaryQuery(day(-6), day(-3)));
    expect(codes(refused.body)).toEqual(['RATE_LIMITED']);
    expect(refused.body.errors?.[0].extensions?.retryAfter).toBeGreaterThanOrEqual(59);
    expect(fake.requests).toHaveLength(1);
  });
});

describe('the shared cache and single flight', () => {
  it('asks once: a repeated question is served from cache across requests', async () => {
    const stack = await stackWith({});
    const a = await stack.gql<Summary>(summaryQuery(day(-9), day(-3)));
    const b = await stack.gql<Summary>(summaryQuery(day(-9), day(-3)));
    expect(b.body).toEqual(a.body);
    expect(fake.requests).toHaveLength(1);
  });

  it('caches settled ranges long and ranges touching yesterday or today briefly', async () => {
    let clock = testNow();
    const stack = await stackWith({ CACHE_TTL_RECENT_SECONDS: '60', CACHE_TTL_SETTLED_SECONDS: '3600' }, { now: () => clock });
    const settled = summaryQuery(day(-9), day(-3));
    const recent = summaryQuery(day(-9), day(-1));
    await stack.gql(settled);
    await stack.gql(recent);
    expect(fake.requests).toHaveLength(2);
    clock += 61_000;
    await stack.gql(settled);
    await stack.gql(recent);
    expect(fake.requests.map((r) => r.query.end_date)).toEqual([day(-3), day(-1), day(-1)]);
    clock += 3600_000;
    await stack.gql(settled);
    expect(fake.requests).toHaveLength(4);
  });

  it('N concurrent operations asking the same question cause one upstream call', async () => {
    fake.reply = (r) => ({ ...dailyAnswerFor(r), delayMs: 150 });
    const stack = await stackWith({});
    const results = await Promise.all(Array.from({ length: 30 }, () => stack.gql<Summary>(summaryQuery(day(-20), day(-4)))));
    expect(new Set(results.map((r) => r.body.data?.engagementTrend?.summary?.uniqueUsers))).toEqual(
      new Set([expectedUnique(day(-20), day(-4))]),
    );
    expect(fake.requests).toHaveLength(1);
  });

  it("never serves one credential's cached answer to another, while replicas with the same credential share it", async () => {
    const cache = createMemoryCache(10_000_000);
    const tenantA = await stackWith({}, { cache });
    const tenantB = await stackWith({ KORE_CLIENT_ID: 'cs-b', KORE_CLIENT_SECRET: 'secret-b' }, { cache });
    const replicaOfA = await stackWith({}, { cache });
    await tenantA.gql(summaryQuery(day(-9), day(-3)));
    await tenantB.gql(summaryQuery(day(-9), day(-3)));
    expect(fake.requests).toHaveLength(2);
    await replicaOfA.gql(summaryQuery(day(-9), day(-3)));
    expect(fake.requests).toHaveLength(2);
  });

  it('serves an expired answer, marked stale, when the upstream then fails', async () => {
    let clock = testNow();
    let failing = false;
    fake.reply = (r) => (failing ? { status: 502, raw: '<html>bad gateway</html>' } : dailyAnswerFor(r));
    const stack = await stackWith({ CACHE_TTL_RECENT_SECONDS: '60', RETRY_MAX_ATTEMPTS: '2' }, { now: () => clock });
    const fresh = await stack.gql<Summary>(summaryQuery(day(-2), day(0)));
    expect(fresh.body.extensions?.engagementGraph).toBeUndefined();
    clock += 120_000;
    failing = true;
    const stale = await stack.gql<Summary>(summaryQuery(day(-2), day(0)));
    expect(stale.body.errors).toBeUndefined();
    expect(stale.body.data).toEqual(fresh.body.data);
    expect(stale.body.extensions?.engagementGraph).toEqual({
      stale: true,
      staleAnswers: [{ botId: 'st-1', granularity: 'daily', start: day(-2), end: day(0), ageSeconds: 120 }],
    });
    expect(fake.requests).toHaveLength(3);
  });
});
