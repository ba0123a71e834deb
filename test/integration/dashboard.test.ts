import { isoDate, parseIsoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { testNow } from '../helpers/clock';
import { codes, startStack, trendCalls, type Stack } from '../helpers/stack';

/**
 * The dashboard fields (issue 16) over real HTTP in front of the built-in upstream: every figure
 * equals what a plain question over the same dates answers, equal questions share one call, v1
 * refuses what needs a summary without calling, and the cost limit counts periods.
 */

const BUDGET = { BUDGET_PER_MINUTE: '100000', BUDGET_PER_HOUR: '1000000' };
const emulator = { rateLimit: { perMinute: 1_000_000, perHour: 1_000_000 } };
let cached: Stack; // production defaults (response cache on)
let uncached: Stack; // every distinct request reaches the upstream: calls are the plan
let v1: Stack;
beforeAll(async () => {
  [cached, uncached, v1] = await Promise.all([
    startStack({ env: BUDGET, emulator }),
    startStack({ env: { ...BUDGET, CACHE_MAX_BYTES: '0' }, emulator }),
    startStack({ env: { ...BUDGET, KORE_API_VERSION: 'v1', CACHE_MAX_BYTES: '0' }, emulator }),
  ]);
});
afterAll(() => Promise.all([cached, uncached, v1].map((s) => s?.close())));

const today = todayIn('UTC', testNow());
const day = (iso: string) => parseIsoDate(iso) as number;
const month = (d: number) => new Date(d * 86_400_000).toISOString().slice(0, 7);
/** Last calendar month, wholly in the past (settled) whatever the day. */
const lastMonthEnd = day(`${month(today)}-01`) - 1;
const lastMonth = { start: `${month(lastMonthEnd)}-01`, end: isoDate(lastMonthEnd) };
const daysOf = (r: { start: string; end: string }) => day(r.end) - day(r.start) + 1;
const previousPeriod = (r: { start: string; end: string }) => ({
  start: isoDate(day(r.start) - daysOf(r)),
  end: isoDate(day(r.start) - 1),
});
/** The same dates a year earlier, computed here independently of the server (29 February → 28 February). */
const yearBefore = (iso: string) => {
  const [y, m, d] = iso.split('-').map(Number);
  const candidate = `${y - 1}-${iso.slice(5)}`;
  return parseIsoDate(candidate) === null ? `${y - 1}-${String(m).padStart(2, '0')}-${d - 1}` : candidate;
};

const BOT = 'st-demo-retail';
const SUMMARY = 'summary { uniqueUsers newUsers returningUsers }';
const CHANGE =
  'uniqueUsers { current previous absolute relative } newUsers { current previous absolute relative } returningUsers { current previous absolute relative }';

type Summary = { uniqueUsers: number; newUsers: number; returningUsers: number };
type Point = { date: string; users: number };
type Period = { range: { start: string; end: string; days: number }; complete: boolean; summary: Summary | null };
type ChangeOf = Record<keyof Summary, { current: number; previous: number; absolute: number; relative: number | null }>;

async function ask<T>(stack: Stack, query: string, variables: Record<string, unknown> = {}) {
  const from = stack.emulator!.calls.length;
  const res = await stack.gql<T>(query, variables);
  return { ...res, calls: trendCalls(stack.emulator!, from) };
}

/** A plain question's summary and daily unique users, the figures everything else must equal. */
async function plain(stack: Stack, range: { start: string; end: string }) {
  const { body } = await ask<{ engagementTrend: { summary: Summary; series: { uniqueUsers: Point[] } } }>(
    stack,
    `query($r: DateRangeInput!) { engagementTrend(botId: "${BOT}", range: $r) { ${SUMMARY} series { uniqueUsers { date users } } } }`,
    { r: { start: range.start, end: range.end } },
  );
  expect(body.errors).toBeUndefined();
  return body.data!.engagementTrend;
}

const expectChange = (change: ChangeOf, current: Summary, previous: Summary) => {
  for (const k of ['uniqueUsers', 'newUsers', 'returningUsers'] as const) {
    const absolute = current[k] - previous[k];
    expect(change[k]).toEqual({
      current: current[k],
      previous: previous[k],
      absolute,
      relative: previous[k] === 0 ? null : absolute / previous[k],
    });
  }
};

describe('dashboard fields equal plain questions over the same dates', () => {
  // Mid-week to mid-week across a month boundary, ending days before today.
  const range = { start: isoDate(today - 40), end: isoDate(today - 5) };

  it('compare, change, periods and activity', async () => {
    type Dashboard = {
      engagementTrend: Summary & {
        summary: Summary;
        series: { uniqueUsers: Point[] };
        change: ChangeOf;
        yoy: ChangeOf;
        compare: {
          range: { start: string; end: string; days: number };
          summary: Summary;
          series: { uniqueUsers: Point[] };
          compare: { range: { start: string; end: string } };
        };
        weeks: Period[];
        months: Period[];
        activity: { averageDailyUsers: number; peakDay: Point | null; stickiness: number | null };
      };
    };
    const { body } = await ask<Dashboard>(
      uncached,
      `query($r: DateRangeInput!) { engagementTrend(botId: "${BOT}", range: $r) {
        ${SUMMARY} series { uniqueUsers { date users } }
        change(to: PREVIOUS_PERIOD) { ${CHANGE} } yoy: change(to: PREVIOUS_YEAR) { ${CHANGE} }
        compare(to: PREVIOUS_PERIOD) { range { start end days } ${SUMMARY} series { uniqueUsers { date users } }
          compare(to: PREVIOUS_PERIOD) { range { start end } } }
        weeks: periods(unit: WEEK) { range { start end days } complete ${SUMMARY} }
        months: periods(unit: MONTH) { range { start end days } complete ${SUMMARY} }
        activity { averageDailyUsers peakDay { date users } stickiness } } }`,
      { r: range },
    );
    expect(body.errors).toBeUndefined();
    const t = body.data!.engagementTrend;
    const prev = previousPeriod(range);
    const yoy = { start: yearBefore(range.start), end: yearBefore(range.end) };
    const [current, previous, lastYear] = await Promise.all([plain(uncached, range), plain(uncached, prev), plain(uncached, yoy)]);
    expect(t.summary).toEqual(current.summary);
    expectChange(t.change, current.summary, previous.summary);
    expectChange(t.yoy, current.summary, lastYear.summary);
    expect(t.compare.range).toEqual({ ...prev, days: daysOf(range) });
    expect(t.compare.summary).toEqual(previous.summary);
    expect(t.compare.series).toEqual(previous.series);
    expect(t.compare.compare.range).toEqual(previousPeriod(prev));

    // Periods: consecutive, covering the range, calendar-aligned, each summary a plain question's.
    for (const [periods, isStart] of [
      [t.weeks, (d: number) => new Date(d * 86_400_000).getUTCDay() === 1],
      [t.months, (d: number) => isoDate(d).endsWith('-01')],
    ] as const) {
      expect(periods[0].range.start).toBe(range.start);
      expect(periods.at(-1)!.range.end).toBe(range.end);
      periods.forEach((p, i) => {
        if (i > 0) expect(day(p.range.start)).toBe(day(periods[i - 1].range.end) + 1);
        if (i > 0) expect(isStart(day(p.range.start))).toBe(true);
        expect(p.complete).toBe(isStart(day(p.range.start)) && isStart(day(p.range.end) + 1));
      });
      const plains = await Promise.all(periods.map((p) => plain(uncached, p.range)));
      expect(periods.map((p) => p.summary)).toEqual(plains.map((x) => x.summary));
    }
    expect(t.weeks.length).toBeGreaterThanOrEqual(6);
    expect(t.months.length).toBeGreaterThanOrEqual(2);

    const users = current.series.uniqueUsers.map((p) => p.users);
    const mean = users.reduce((a, u) => a + u, 0) / users.length;
    const max = Math.max(...users);
    expect(t.activity.averageDailyUsers).toBeCloseTo(mean, 9);
    expect(t.activity.peakDay).toEqual(current.series.uniqueUsers.find((p) => p.users === max));
    expect(t.activity.stickiness).toBeCloseTo(mean / current.summary.uniqueUsers, 9);
  });
});

describe('the fewest upstream calls', () => {
  const DASHBOARD = `query($r: DateRangeInput!, $p: DateRangeInput!) {
    a: engagementTrend(botId: "${BOT}", range: $r) {
      summary { uniqueUsers } change(to: PREVIOUS_PERIOD) { uniqueUsers { relative } }
      compare(to: PREVIOUS_PERIOD) { summary { uniqueUsers } }
      months: periods(unit: MONTH) { summary { uniqueUsers } } weeks: periods(unit: WEEK) { range { start } complete }
      activity { averageDailyUsers stickiness } }
    b: engagementTrend(botId: "${BOT}", range: $p) { series { uniqueUsers { users } } } }`;

  it('a compare equal to another alias’s range, change, and a MONTH period equal to the range share calls', async () => {
    const { body, calls } = await ask(uncached, DASHBOARD, { r: lastMonth, p: previousPeriod(lastMonth) });
    expect(body.errors).toBeUndefined();
    expect(calls.map((c) => [c.query.aggregation_type, c.query.start_date, c.query.end_date]).sort()).toEqual(
      [
        ['daily', lastMonth.start, lastMonth.end],
        ['daily', previousPeriod(lastMonth).start, previousPeriod(lastMonth).end],
      ].sort(),
    );
  });

  it('a second load of a settled dashboard costs nothing (the response cache)', async () => {
    const variables = { r: lastMonth, p: previousPeriod(lastMonth) };
    const first = await ask(cached, DASHBOARD, variables);
    expect(first.body.errors).toBeUndefined();
    expect(first.calls.length).toBe(2);
    const second = await ask(cached, DASHBOARD, variables);
    expect(second.body).toEqual(first.body);
    expect(second.calls).toEqual([]);
  });
});

describe('refusals', () => {
  it('a compared range before 2000-01-01 is BAD_USER_INPUT on `to`, with no call for it', async () => {
    const { body, calls } = await ask<{ engagementTrend: { summary: Summary; compare: null; change: null } }>(
      uncached,
      `{ engagementTrend(botId: "${BOT}", range: { start: "2000-01-01", end: "2000-01-05" }) {
        summary { uniqueUsers } compare(to: PREVIOUS_PERIOD) { summary { uniqueUsers } } change(to: PREVIOUS_YEAR) { uniqueUsers { current } } } }`,
    );
    expect(body.data?.engagementTrend.compare).toBeNull();
    expect(body.data?.engagementTrend.change).toBeNull();
    expect(body.errors?.map((e) => [e.path?.join('.'), e.extensions?.code, e.extensions?.argument])).toEqual([
      ['engagementTrend.compare', 'BAD_USER_INPUT', 'to'],
      ['engagementTrend.change', 'BAD_USER_INPUT', 'to'],
    ]);
    expect(calls.map((c) => c.query.start_date)).toEqual(['2000-01-01']);
  });

  it('hourly under compare is capped like any hourly question (PREVIOUS_YEAR gains 29 February)', async () => {
    const { body, calls } = await ask(
      uncached,
      `{ engagementTrend(botId: "${BOT}", range: { start: "2025-02-15", end: "2025-03-17" }) {
        compare(to: PREVIOUS_YEAR) { hourly { hour } } ok: compare(to: PREVIOUS_PERIOD) { range { days } } } }`,
    );
    expect(body.errors?.map((e) => [e.path?.join('.'), e.extensions?.code, e.extensions?.argument])).toEqual([
      ['engagementTrend.compare', 'BAD_USER_INPUT', 'to'],
    ]);
    expect(body.errors?.[0].message).toContain('2024-02-15 to 2024-03-17');
    expect(body.data).toEqual({ engagementTrend: { compare: null, ok: { range: { days: 31 } } } });
    expect(calls).toEqual([]);
  });

  it('periods over the cost limit are COST_LIMIT_EXCEEDED before any call', async () => {
    const range = { start: isoDate(today - 95), end: isoDate(today - 6) }; // 90 days: 13–14 weeks each
    const { status, body, calls } = await ask(
      uncached,
      `query($r: DateRangeInput!) {
        a: engagementTrend(botId: "${BOT}", range: $r) { periods(unit: WEEK) { summary { uniqueUsers } } }
        b: engagementTrend(botId: "${BOT}", range: $r, filters: { channel: "rtm" }) { periods(unit: WEEK) { summary { uniqueUsers } } } }`,
      { r: range },
    );
    expect(status).toBe(400);
    expect(codes(body)).toEqual(['COST_LIMIT_EXCEEDED']);
    expect(calls).toEqual([]);
    // Without summaries the same periods cost nothing.
    const free = await ask(
      uncached,
      `query($r: DateRangeInput!) { engagementTrend(botId: "${BOT}", range: $r) { periods(unit: WEEK) { range { start } complete } } }`,
      {
        r: range,
      },
    );
    expect(free.body.errors).toBeUndefined();
    expect(free.calls).toEqual([]);
  });
});

describe('API v1', () => {
  it('what needs a summary is UPSTREAM_UNSUPPORTED without a call; daily unique users work', async () => {
    const range = { start: isoDate(today - 20), end: isoDate(today - 6) };
    type V1 = {
      engagementTrend: {
        series: { uniqueUsers: Point[] };
        activity: { averageDailyUsers: number; peakDay: Point | null; stickiness: null };
        compare: { series: { uniqueUsers: Point[] }; summary: null };
        change: null;
        periods: Period[];
      };
    };
    const { body, calls } = await ask<V1>(
      v1,
      `query($r: DateRangeInput!) { engagementTrend(botId: "${BOT}", range: $r) {
        series { uniqueUsers { date users } } activity { averageDailyUsers peakDay { date users } stickiness }
        compare(to: PREVIOUS_PERIOD) { series { uniqueUsers { date users } } summary { uniqueUsers } }
        change(to: PREVIOUS_PERIOD) { uniqueUsers { current } } periods(unit: WEEK) { complete summary { uniqueUsers } } } }`,
      { r: range },
    );
    const t = body.data!.engagementTrend;
    const weeks = t.periods.length;
    expect(body.errors?.map((e) => [e.path?.join('.'), e.extensions?.code]).sort()).toEqual(
      [
        ['engagementTrend.activity.stickiness', 'UPSTREAM_UNSUPPORTED'],
        ['engagementTrend.compare.summary', 'UPSTREAM_UNSUPPORTED'],
        ['engagementTrend.change', 'UPSTREAM_UNSUPPORTED'],
        ...Array.from({ length: weeks }, (_, i) => [`engagementTrend.periods.${i}.summary`, 'UPSTREAM_UNSUPPORTED']),
      ].sort(),
    );
    const users = t.series.uniqueUsers.map((p) => p.users);
    expect(t.activity.averageDailyUsers).toBeCloseTo(users.reduce((a, u) => a + u, 0) / users.length, 9);
    expect(t.activity.peakDay?.users).toBe(Math.max(...users));
    expect(t.compare.series.uniqueUsers.map((p) => p.date)[0]).toBe(previousPeriod(range).start);
    // One daily call for the range (series, activity) and one for the compared range's series; none for summaries.
    expect(calls.map((c) => [c.query.aggregation_type, c.query.start_date]).sort()).toEqual(
      [
        ['Daily', range.start],
        ['Daily', previousPeriod(range).start],
      ].sort(),
    );
  });
});

describe('Bot.engagementTrend and entities', () => {
  it('answer the dashboard fields as Query.engagementTrend does, sharing its calls', async () => {
    const range = { start: isoDate(today - 30), end: isoDate(today - 8) };
    const fields = `change(to: PREVIOUS_PERIOD) { uniqueUsers { current previous } } periods(unit: WEEK) { range { start end } summary { uniqueUsers } }
      activity { peakDay { date users } stickiness } compare(to: PREVIOUS_YEAR) { summary { uniqueUsers } }`;
    const { body, calls } = await ask<{ q: unknown; bot: { engagementTrend: unknown }; _entities: Array<{ engagementTrend: unknown }> }>(
      uncached,
      `query($r: DateRangeInput!, $reps: [_Any!]!) {
        q: engagementTrend(botId: "${BOT}", range: $r) { ${fields} }
        bot(id: "${BOT}") { engagementTrend(range: $r) { ${fields} } }
        _entities(representations: $reps) { ... on Bot { engagementTrend(range: $r) { ${fields} } } } }`,
      { r: range, reps: [{ __typename: 'Bot', id: BOT }] },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!.bot.engagementTrend).toEqual(body.data!.q);
    expect(body.data!._entities[0].engagementTrend).toEqual(body.data!.q);
    const weeks = (body.data!.q as { periods: unknown[] }).periods.length;
    // The range, its previous period, last year's dates and each week: once each, whatever the path.
    expect(calls).toHaveLength(3 + weeks);
  });
});
