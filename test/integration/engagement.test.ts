import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import type { TrendFullQuery, TrendFullQueryVariables, TrendSummaryQuery, TrendSummaryQueryVariables } from '../generated/operations';
import { codes, operation, startStack, trendCalls, type Stack } from '../helpers/stack';
import { testNow } from '../helpers/clock';

/** Engagement Graph in front of the built-in upstream, over real HTTP on loopback. */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

const today = todayIn('UTC', testNow()); // the stacks' clock (test/helpers/clock.ts)
const lastDays = (n: number) => ({ start: isoDate(today - n + 1), end: isoDate(today) });
const callsDuring = async <T>(fn: () => Promise<T>) => {
  const from = stack.emulator?.calls.length ?? 0;
  const result = await fn();
  return { result, calls: trendCalls(stack.emulator!, from) };
};

describe('engagementTrend on the built-in upstream', () => {
  it('answers the last 30 days for a demo bot with dense, consistent numbers', async () => {
    const range = lastDays(30);
    const { body } = await stack.gql<TrendFullQuery, TrendFullQueryVariables>(operation('trend-full'), {
      botId: 'st-demo-retail',
      range: { start: range.start, end: isoDate(today - 1) },
      filters: { timeZone: 'UTC' },
    });
    expect(body.errors).toBeUndefined();
    const t = body.data!.engagementTrend!;
    expect(t.range).toEqual({ start: range.start, end: isoDate(today - 1), days: 29 });
    const s = t.summary!;
    expect(s.uniqueUsers).toBeGreaterThan(100);
    expect(s.returningUsers).toBe(s.uniqueUsers - s.newUsers);
    expect(s.avgUniqueUsersPerDay).toBeCloseTo(s.uniqueUsers / 29, 2);
    const { uniqueUsers, newUsers, returningUsers } = t.series;
    expect(uniqueUsers.map((p) => p.date)).toEqual(Array.from({ length: 29 }, (_, i) => isoDate(today - 30 + 1 + i)));
    uniqueUsers.forEach((u, i) => {
      expect(returningUsers![i].users).toBe(u.users - newUsers![i].users);
      expect(u.users).toBeLessThanOrEqual(s.uniqueUsers);
    });
    expect(newUsers!.reduce((a, p) => a + p.users, 0)).toBe(s.newUsers);
    expect(t.hourly).toHaveLength(29 * 24);
    expect(t.hourly.slice(0, 24).map((b) => b.hour)).toEqual([...Array(24).keys()]);
    const firstDayHourlyNew = t.hourly.slice(0, 24).reduce((a, b) => a + (b.newUsers ?? 0), 0);
    expect(firstDayHourlyNew).toBe(newUsers![0].users);
  });

  it('summary alone costs one daily call', async () => {
    const { result, calls } = await callsDuring(() =>
      stack.gql<TrendSummaryQuery, TrendSummaryQueryVariables>(operation('trend-summary'), {
        botId: 'st-demo-banking',
        range: lastDays(7),
      }),
    );
    expect(result.body.data?.engagementTrend?.summary?.uniqueUsers).toBeGreaterThan(0);
    expect(calls.map((c) => c.query.aggregation_type)).toEqual(['daily']);
  });

  it('summary + hourly costs one hourly call (the hourly answer carries the summary)', async () => {
    const { result, calls } = await callsDuring(() =>
      stack.gql(operation('trend-hourly'), { botId: 'st-demo-banking', range: lastDays(3) }),
    );
    expect(result.body.errors).toBeUndefined();
    expect(calls.map((c) => c.query.aggregation_type)).toEqual(['hourly']);
  });

  it('series + hourly costs two calls, one of each', async () => {
    const query = `query($r: DateRangeInput!) { engagementTrend(botId: "st-demo-travel", range: $r) {
      series { uniqueUsers { users } } hourly { uniqueUsers } summary { uniqueUsers } } }`;
    const { calls } = await callsDuring(() => stack.gql(query, { r: lastDays(5) }));
    expect(calls.map((c) => c.query.aggregation_type).sort()).toEqual(['daily', 'hourly']);
  });

  it('aliases and repeated fields with equal arguments share one call', async () => {
    const query = `query($r: DateRangeInput!) {
      a: engagementTrend(botId: "st-demo-retail", range: $r) { summary { uniqueUsers } }
      b: engagementTrend(botId: "st-demo-retail", range: $r, filters: { timeZone: "UTC" }) { summary { newUsers } series { uniqueUsers { users } } }
      c: engagementTrend(botId: "st-demo-retail", range: $r) { ...F }
    } fragment F on EngagementTrend { series { newUsers { users } } summary { returningUsers } }`;
    const { result, calls } = await callsDuring(() =>
      stack.gql<Record<string, { summary: Record<string, number> }>>(query, { r: lastDays(10) }),
    );
    expect(result.body.errors).toBeUndefined();
    expect(calls).toHaveLength(1);
    const d = result.body.data!;
    expect(d.a.summary.uniqueUsers).toBe(d.b.summary.newUsers + d.c.summary.returningUsers);
  });

  it('different arguments never share a result', async () => {
    const query = `{
      utc: engagementTrend(botId: "st-demo-retail", range: { start: "${isoDate(today - 8)}", end: "${isoDate(today - 2)}" }) { summary { uniqueUsers } }
      ist: engagementTrend(botId: "st-demo-retail", range: { start: "${isoDate(today - 8)}", end: "${isoDate(today - 2)}" }, filters: { timeZone: "Asia/Kolkata" }) { summary { uniqueUsers } }
      rtm: engagementTrend(botId: "st-demo-retail", range: { start: "${isoDate(today - 8)}", end: "${isoDate(today - 2)}" }, filters: { channel: "rtm" }) { summary { uniqueUsers } }
      other: engagementTrend(botId: "st-demo-banking", range: { start: "${isoDate(today - 8)}", end: "${isoDate(today - 2)}" }) { summary { uniqueUsers } }
    }`;
    const { result, calls } = await callsDuring(() => stack.gql<Record<string, { summary: { uniqueUsers: number } }>>(query));
    expect(calls).toHaveLength(4);
    const n = Object.fromEntries(Object.entries(result.body.data!).map(([k, v]) => [k, v.summary.uniqueUsers]));
    expect(new Set(Object.values(n)).size).toBe(4);
    expect(n.rtm).toBeLessThan(n.utc);
    expect(calls.map((c) => c.query.timeZoneOffset).sort()).toEqual(['Asia/Kolkata', 'UTC', 'UTC', 'UTC']);
  });

  it('sends the filters to the upstream in its spellings', async () => {
    const { calls } = await callsDuring(() =>
      stack.gql(operation('trend-series'), {
        botId: 'st-demo-retail',
        range: lastDays(2),
        filters: { channel: 'whatsapp', conversationType: 'NON_INTERACTIVE', conversationStatus: 'CLOSED', timeZone: 'America/New_York' },
      }),
    );
    expect(calls).toHaveLength(1);
    expect(calls[0].query).toMatchObject({
      aggregation_type: 'daily',
      conversationType: 'Non Interactive',
      conversationStatus: 'Closed',
      channels: 'whatsapp',
      timeZoneOffset: 'America/New_York',
    });
    expect(calls[0].version).toBe('v2');
  });

  it('serves GET queries and answers /healthz', async () => {
    const q = encodeURIComponent(
      `{ engagementTrend(botId: "st-demo-travel", range: { start: "${isoDate(today - 1)}", end: "${isoDate(today - 1)}" }) { range { days } } }`,
    );
    const res = await fetch(`${stack.url}/graphql?query=${q}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { engagementTrend: { range: { days: 1 } } } });
    const health = await fetch(`${stack.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it('returns the request id it was given, or a new one', async () => {
    const mine = await stack.gql('{ __typename }', undefined, { 'x-request-id': 'dash-42' });
    expect(mine.headers.get('x-request-id')).toBe('dash-42');
    const fresh = await stack.gql('{ __typename }', undefined, { 'x-request-id': 'bad id with spaces' });
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('bad input costs nothing upstream', () => {
  const ask = (args: string, selection = 'summary { uniqueUsers }') => stack.gql(`{ engagementTrend(${args}) { ${selection} } }`);
  const range = `range: { start: "${isoDate(today - 3)}", end: "${isoDate(today)}" }`;

  it.each<[string, string, string, string | null]>([
    ['an impossible date literal', `botId: "st-demo-retail", range: { start: "2025-02-30", end: "2025-03-02" }`, 'BAD_USER_INPUT', null],
    ['a date in another format', `botId: "st-demo-retail", range: { start: "03/01/2025", end: "2025-03-02" }`, 'BAD_USER_INPUT', null],
    ['an inverted range', `botId: "st-demo-retail", range: { start: "2025-03-05", end: "2025-03-01" }`, 'BAD_USER_INPUT', 'range'],
    ['a huge range', `botId: "st-demo-retail", range: { start: "2020-01-01", end: "2025-01-01" }`, 'BAD_USER_INPUT', 'range'],
    [
      'a future range',
      `botId: "st-demo-retail", range: { start: "${isoDate(today + 2)}", end: "${isoDate(today + 3)}" }`,
      'BAD_USER_INPUT',
      'range.start',
    ],
    ['a path in the bot id', `botId: "../../admin", ${range}`, 'BAD_USER_INPUT', 'botId'],
    [
      'an unknown time zone',
      `botId: "st-demo-retail", ${range}, filters: { timeZone: "Moon/Tranquility" }`,
      'BAD_USER_INPUT',
      'filters.timeZone',
    ],
    [
      'an injected channel',
      `botId: "st-demo-retail", ${range}, filters: { channel: "rtm&start_date=2000-01-01" }`,
      'BAD_USER_INPUT',
      'filters.channel',
    ],
  ])('%s → %s', async (_name, args, code, argument) => {
    const from = stack.emulator!.calls.length;
    const { body } = await ask(args);
    expect(codes(body)).toContain(code);
    if (argument) expect(body.errors?.[0].extensions?.argument).toBe(argument);
    expect(body.errors?.[0].message).toMatch(/Invalid argument|Date must be a real calendar date/);
    expect(trendCalls(stack.emulator!, from)).toHaveLength(0);
  });

  it('a 32-day range is refused only when hourly data is asked', async () => {
    const r = `botId: "st-demo-retail", range: { start: "${isoDate(today - 40)}", end: "${isoDate(today - 9)}" }`;
    const from = stack.emulator!.calls.length;
    expect(codes((await ask(r, 'hourly { hour }')).body)).toEqual(['BAD_USER_INPUT']);
    expect(trendCalls(stack.emulator!, from)).toHaveLength(0);
    expect((await ask(r)).body.errors).toBeUndefined();
  });

  it('an impossible date in variables is BAD_USER_INPUT too, and costs nothing', async () => {
    const from = stack.emulator!.calls.length;
    const { status, body } = await stack.gql(operation('trend-summary'), {
      botId: 'st-demo-retail',
      range: { start: '2025-02-30', end: '2025-03-01' },
    });
    expect(status).toBe(400);
    expect(codes(body)).toEqual(['BAD_USER_INPUT']);
    expect(body.errors?.[0].extensions?.argument).toBe('range.start');
    expect(trendCalls(stack.emulator!, from)).toHaveLength(0);
  });

  it("an unknown bot is the upstream's answer, mapped, after one call", async () => {
    const from = stack.emulator!.calls.length;
    const { body } = await ask(`botId: "st-no-such-bot", ${range}`);
    expect(codes(body)).toEqual(['UPSTREAM_REJECTED']);
    expect(body.errors?.[0].message).toContain('does not know bot st-no-such-bot');
    expect(trendCalls(stack.emulator!, from)).toHaveLength(1);
  });
});
