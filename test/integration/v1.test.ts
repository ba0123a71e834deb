import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { codes, startStack, trendCalls, type Stack } from '../helpers/stack';
import { testNow } from '../helpers/clock';

/** KORE_API_VERSION=v1: unique users only; what v1 cannot give is null with UPSTREAM_UNSUPPORTED. */
let v1: Stack;
let v2: Stack;
beforeAll(async () => {
  v1 = await startStack({ env: { KORE_API_VERSION: 'v1' } });
  v2 = await startStack();
});
afterAll(async () => {
  await v1.close();
  await v2.close();
});

const today = todayIn('UTC', testNow()); // the stacks' clock (test/helpers/clock.ts)
const range = `range: { start: "${isoDate(today - 6)}", end: "${isoDate(today - 1)}" }`;

type Trend = {
  engagementTrend: {
    summary: null | { uniqueUsers: number };
    series: { uniqueUsers: Array<{ date: string; users: number }>; newUsers: null | unknown[]; returningUsers: null | unknown[] };
    hourly: Array<{ hour: number; uniqueUsers: number; newUsers: number | null }>;
  } | null;
};

describe('Kore.ai API v1', () => {
  it("gives unique users, equal to v2's, and v1 calls in v1 spellings", async () => {
    const q = `{ engagementTrend(botId: "st-demo-banking", ${range}) { series { uniqueUsers { date users } } } }`;
    const from = v1.emulator!.calls.length;
    const [a, b] = await Promise.all([v1.gql<Trend>(q), v2.gql<Trend>(q)]);
    expect(a.body.errors).toBeUndefined();
    expect(a.body.data?.engagementTrend?.series.uniqueUsers).toHaveLength(6);
    expect(a.body.data?.engagementTrend?.series.uniqueUsers).toEqual(b.body.data?.engagementTrend?.series.uniqueUsers);
    const calls = trendCalls(v1.emulator!, from);
    expect(calls.map((c) => [c.version, c.query.aggregation_type])).toEqual([['v1', 'Daily']]);
    expect(calls[0].path).toBe('/api/public/bot/st-demo-banking/userEngagementTrend');
    expect(calls[0].query.timeZoneOffset).toBeUndefined();
  });

  it('answers summary and new/returning series as null with UPSTREAM_UNSUPPORTED, the rest still resolving', async () => {
    const from = v1.emulator!.calls.length;
    const { status, body } = await v1.gql<Trend>(`{ engagementTrend(botId: "st-demo-retail", ${range}) {
      summary { uniqueUsers } series { uniqueUsers { users } newUsers { users } returningUsers { users } } } }`);
    expect(status).toBe(200);
    const t = body.data?.engagementTrend;
    expect(t?.summary).toBeNull();
    expect(t?.series.newUsers).toBeNull();
    expect(t?.series.returningUsers).toBeNull();
    expect(t?.series.uniqueUsers.length).toBe(6);
    expect(body.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([
      ['engagementTrend.summary', 'UPSTREAM_UNSUPPORTED'],
      ['engagementTrend.series.newUsers', 'UPSTREAM_UNSUPPORTED'],
      ['engagementTrend.series.returningUsers', 'UPSTREAM_UNSUPPORTED'],
    ]);
    expect(trendCalls(v1.emulator!, from)).toHaveLength(1); // the summary cost nothing
  });

  it('gives hourly unique users; hourly new users are null with an error', async () => {
    const { body } =
      await v1.gql<Trend>(`{ engagementTrend(botId: "st-demo-retail", range: { start: "${isoDate(today - 1)}", end: "${isoDate(today - 1)}" }) {
      hourly { hour uniqueUsers newUsers } } }`);
    const hourly = body.data?.engagementTrend?.hourly ?? [];
    expect(hourly.map((h) => h.hour)).toEqual([...Array(24).keys()]);
    expect(hourly.reduce((a, h) => a + h.uniqueUsers, 0)).toBeGreaterThan(0);
    expect(hourly.every((h) => h.newUsers === null)).toBe(true);
    expect(new Set(codes(body))).toEqual(new Set(['UPSTREAM_UNSUPPORTED']));
  });

  it('refuses filters v1 cannot apply, before any call', async () => {
    const from = v1.emulator!.calls.length;
    for (const filters of ['{ conversationType: INTERACTIVE }', '{ conversationStatus: CLOSED }', '{ timeZone: "Asia/Kolkata" }']) {
      const { body } = await v1.gql(
        `{ engagementTrend(botId: "st-demo-retail", ${range}, filters: ${filters}) { series { uniqueUsers { users } } } }`,
      );
      expect(codes(body)).toEqual(['UPSTREAM_UNSUPPORTED']);
    }
    expect(trendCalls(v1.emulator!, from)).toHaveLength(0);
  });
});
