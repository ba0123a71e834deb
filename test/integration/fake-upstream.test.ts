import jwt, { type JwtPayload } from 'jsonwebtoken';
import { startFakeUpstream, type FakeReply, type FakeRequest, type FakeUpstream } from '../helpers/fake-upstream';
import { codes, startStack, type Stack } from '../helpers/stack';
import { until } from '../helpers/wait';
import { V2_DAILY_DOC_SAMPLE } from '../helpers/kore-bodies';

/**
 * Engagement Graph pointed (KORE_HOST, KORE_CLIENT_ID, KORE_CLIENT_SECRET) at a recording fake that
 * follows the documented contract, then misbehaves in every documented and undocumented way.
 */

const SECRET = 'fake-client-secret-7f3a9c';
const CLIENT_ID = 'cs-fake-app';
let fake: FakeUpstream;
let stack: Stack;

const DAYS = ['Dec 01 2025', 'Dec 02 2025', 'Dec 03 2025'];
const daily = (unique: number[], fresh: number[]) => ({
  summary: {
    uniqueUsers: 9,
    newUsers: 4,
    returningUsers: 5,
    avgUniqueUsersPerDay: 3,
    avgNewUsersPerDay: 1.33,
    avgReturningUsersPerDay: 1.67,
  },
  uniqueUsersTrend: { dataPoints: unique.map((users, i) => ({ date: DAYS[i], users })) },
  newUsersTrend: { dataPoints: fresh.map((users, i) => ({ date: DAYS[i], users })) },
  returningUsersTrend: { dataPoints: unique.map((u, i) => ({ date: DAYS[i], users: u - fresh[i] })) },
  filters: {
    start: DAYS[0],
    end: DAYS[2],
    conversationType: 'all',
    conversationStatus: 'all',
    aggregationType: 'daily',
    dataPointsCount: 3,
  },
});
const ok = (): FakeReply => ({ body: daily([3, 4, 2], [1, 2, 1]) });

beforeAll(async () => {
  fake = await startFakeUpstream(ok);
  stack = await startStack({
    upstreamUrl: fake.url,
    // Cache off and one attempt: these tests are about requests, mapping and per-request planning
    // (test/integration/resilience.test.ts covers caching, retries and the breaker).
    env: {
      KORE_HOST: fake.url,
      KORE_CLIENT_ID: CLIENT_ID,
      KORE_CLIENT_SECRET: SECRET,
      KORE_TIMEOUT_MS: '300',
      UPSTREAM_CONCURRENCY: '3',
      CACHE_MAX_BYTES: '0',
      RETRY_MAX_ATTEMPTS: '1',
      BREAKER_THRESHOLD: '1000',
    },
    now: () => Date.parse('2025-12-04T10:00:00Z'),
  });
});
afterAll(async () => {
  await stack.close();
  await fake.close();
});
beforeEach(() => {
  fake.requests.length = 0;
  fake.events.length = 0;
  fake.reply = ok;
});

const Q = `query($f: EngagementFilters) { engagementTrend(botId: "st-abc", range: { start: "2025-12-01", end: "2025-12-03" }, filters: $f) {
  summary { uniqueUsers newUsers returningUsers } series { uniqueUsers { date users } newUsers { users } returningUsers { users } } } }`;

describe('the request Engagement Graph sends', () => {
  it('is a documented v2 POST with a fresh HS256 token in the `auth` header', async () => {
    await stack.gql(Q);
    await stack.gql(Q.replace('2025-12-03', '2025-12-02'));
    expect(fake.requests).toHaveLength(2);
    const tokens = fake.requests.map((r) => r.headers.auth as string);
    for (const r of fake.requests) {
      expect(r.method).toBe('POST');
      expect(r.path).toBe('/api/public/bot/st-abc/v2/userEngagementTrend');
      expect(r.headers.authorization).toBeUndefined();
      expect(r.headers['content-type']).toMatch(/application\/json/);
      const payload = jwt.verify(r.headers.auth as string, SECRET, { algorithms: ['HS256'] }) as JwtPayload;
      expect(payload.appId).toBe(CLIENT_ID);
      expect((payload.exp as number) - (payload.iat as number)).toBeLessThanOrEqual(3600);
      expect(payload.jti).toEqual(expect.any(String));
    }
    expect(new Set(tokens.map((t) => (jwt.decode(t) as JwtPayload).jti)).size).toBe(2);
  });

  it('encodes parameters exactly: %20 in "Non Interactive", %2F in the zone, dates as YYYY-MM-DD', async () => {
    await stack.gql(Q, {
      f: { conversationType: 'NON_INTERACTIVE', conversationStatus: 'ACTIVE', timeZone: 'Asia/Kolkata', channel: 'msteams' },
    });
    expect(fake.requests[0].rawQuery).toBe(
      'aggregation_type=daily&start_date=2025-12-01&end_date=2025-12-03&conversationType=Non%20Interactive&conversationStatus=Active&timeZoneOffset=Asia%2FKolkata&channels=msteams',
    );
  });

  it('maps the answer: numbers as sent, dates as ISO, one call for summary + series', async () => {
    const { body } = await stack.gql<{
      engagementTrend: { summary: object; series: { uniqueUsers: unknown[]; newUsers: unknown[]; returningUsers: unknown[] } };
    }>(Q);
    expect(body.errors).toBeUndefined();
    expect(fake.requests).toHaveLength(1);
    const t = body.data!.engagementTrend;
    expect(t.summary).toEqual({ uniqueUsers: 9, newUsers: 4, returningUsers: 5 });
    expect(t.series.uniqueUsers).toEqual([
      { date: '2025-12-01', users: 3 },
      { date: '2025-12-02', users: 4 },
      { date: '2025-12-03', users: 2 },
    ]);
    expect(t.series.returningUsers).toEqual([{ users: 2 }, { users: 2 }, { users: 1 }]);
  });

  it('runs distinct calls of one operation with bounded concurrency (UPSTREAM_CONCURRENCY=3)', async () => {
    let inFlight = 0;
    let peak = 0;
    fake.reply = async () => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, 40));
      inFlight--;
      return ok();
    };
    const fields = Array.from(
      { length: 8 },
      (_, i) => `t${i}: engagementTrend(botId: "st-${i}", range: { start: "2025-12-01", end: "2025-12-03" }) { summary { uniqueUsers } }`,
    );
    const { body } = await stack.gql(`{ ${fields.join('\n')} }`);
    expect(body.errors).toBeUndefined();
    expect(fake.requests).toHaveLength(8);
    expect(peak).toBe(3);
  });
});

describe('upstream failures become clear field errors', () => {
  const kore = (status: number, msg: string, code = status, headers?: Record<string, string>): FakeReply => ({
    status,
    body: { errors: [{ msg, code }] },
    headers,
  });
  const LEAK = 'LEAKY-UPSTREAM-DETAIL-42';

  it.each<[string, FakeReply, string]>([
    ['401 invalid token', kore(401, `Invalid JWT token ${LEAK}`, 4002), 'UPSTREAM_UNAUTHENTICATED'],
    ['401 wrong scope', kore(401, `Permission denied. Scope is incorrect! ${LEAK}`, 4002), 'UPSTREAM_UNAUTHENTICATED'],
    ['429 per-minute limit', kore(429, `You've exceeded the per-minute rate limit ${LEAK}`, 429, { 'retry-after': '12' }), 'RATE_LIMITED'],
    ['400 invalid stream id', kore(400, `Invalid StreamId ${LEAK}`), 'UPSTREAM_REJECTED'],
    ['412 validation', kore(412, `Validation errors/ Invalid arguments ${LEAK}`), 'UPSTREAM_REJECTED'],
    ['500', kore(500, `Internal Server Error ${LEAK}`), 'UPSTREAM_UNAVAILABLE'],
    ['503 HTML from a proxy', { status: 503, raw: `<html><body>${LEAK}</body></html>` }, 'UPSTREAM_UNAVAILABLE'],
    ['200 with HTML', { status: 200, raw: `<!doctype html><p>${LEAK}</p>` }, 'UPSTREAM_BAD_RESPONSE'],
    ['200 with an empty body', { status: 200, raw: '' }, 'UPSTREAM_BAD_RESPONSE'],
    [
      '200 with a count that is not a count',
      { body: { ...daily([1, 1, 1], [0, 0, 0]), summary: { ...daily([1], [1]).summary, uniqueUsers: LEAK } } },
      'UPSTREAM_BAD_RESPONSE',
    ],
    ['a reset connection', { destroy: true }, 'UPSTREAM_UNAVAILABLE'],
    // Held far longer than any test runs: only the client's own timeout can answer in time.
    ['no answer within KORE_TIMEOUT_MS', { delayMs: 60_000, body: daily([1, 1, 1], [0, 0, 0]) }, 'UPSTREAM_TIMEOUT'],
  ])('%s → %s, with nothing of the upstream body or token in the response or logs', async (_name, reply, code) => {
    fake.reply = () => reply;
    const logsBefore = stack.logs.length;
    const { status, body } = await stack.gql(Q);
    const upstreamHadAnswered = fake.events.some((e) => e.kind === 'answered');
    expect(status).toBe(200); // field errors, not HTTP errors
    expect(new Set(codes(body))).toEqual(new Set([code]));
    expect(body.data).toEqual({ engagementTrend: null }); // summary and series both failed; series is non-null, so engagementTrend (nullable) nulls out
    const text = JSON.stringify(body) + stack.logs.slice(logsBefore).join('');
    expect(text).not.toContain(LEAK);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(fake.requests[0].headers.auth as string);
    expect(text).not.toContain(fake.url.replace('http://', ''));
    if (code === 'RATE_LIMITED') expect(body.errors?.[0].extensions?.retryAfter).toBe(12);
    if (code === 'UPSTREAM_TIMEOUT') {
      // Answered while the slow upstream still held the call, and the client gave that call up.
      expect(upstreamHadAnswered).toBe(false);
      await until(() => fake.events.some((e) => e.kind === 'abandoned'), { what: 'the client to abandon the slow call' });
      expect(fake.events.map((e) => e.kind)).toEqual(['request', 'abandoned']);
    }
    expect(fake.requests).toHaveLength(1); // one call for both fields, even when it fails
  });

  it('a failing call fails only the fields that depend on it', async () => {
    fake.reply = (r: FakeRequest) => (r.path.includes('st-broken') ? kore(500, 'boom') : ok());
    const { body } = await stack.gql<{
      good: { range: { days: number }; summary: { uniqueUsers: number } | null };
      bad: { range: { days: number }; summary: null };
    }>(`{
      good: engagementTrend(botId: "st-fine", range: { start: "2025-12-01", end: "2025-12-03" }) { range { days } summary { uniqueUsers } }
      bad: engagementTrend(botId: "st-broken", range: { start: "2025-12-01", end: "2025-12-03" }) { range { days } summary { uniqueUsers } }
    }`);
    expect(body.data?.good).toEqual({ range: { days: 3 }, summary: { uniqueUsers: 9 } });
    expect(body.data?.bad).toEqual({ range: { days: 3 }, summary: null });
    expect(body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['bad', 'summary'], 'UPSTREAM_UNAVAILABLE']]);
  });

  it('the documented v2 sample (unique users only) still answers what it has', async () => {
    fake.reply = () => ({ body: V2_DAILY_DOC_SAMPLE });
    const { body } = await stack.gql<{
      engagementTrend: { summary: { uniqueUsers: number }; series: { uniqueUsers: Array<{ users: number }>; newUsers: null } };
    }>(Q);
    expect(body.data?.engagementTrend.summary.uniqueUsers).toBe(2);
    expect(body.data?.engagementTrend.series.uniqueUsers.map((p) => p.users)).toEqual([0, 0, 1]);
    expect(body.data?.engagementTrend.series.newUsers).toBeNull();
    expect(codes(body)).toEqual(['UPSTREAM_BAD_RESPONSE', 'UPSTREAM_BAD_RESPONSE']);
  });

  it('an unreachable host is UPSTREAM_UNAVAILABLE', async () => {
    const closed = await startFakeUpstream(ok);
    await closed.close();
    const other = await startStack({
      upstreamUrl: closed.url,
      env: { KORE_HOST: closed.url, KORE_CLIENT_ID: CLIENT_ID, KORE_CLIENT_SECRET: SECRET, RETRY_MAX_ATTEMPTS: '1' },
      now: () => Date.parse('2025-12-04T10:00:00Z'),
    });
    try {
      const { body } = await other.gql(Q);
      expect(new Set(codes(body))).toEqual(new Set(['UPSTREAM_UNAVAILABLE']));
    } finally {
      await other.close();
    }
  });
});
