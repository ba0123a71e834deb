import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { testNow } from '../helpers/clock';
import { startStack, trendCalls, type Stack } from '../helpers/stack';

/**
 * The promise for dashboards that end today: a settled past is paid once. With recent
 * answers not kept at all (CACHE_TTL_RECENT_SECONDS=0), a second load of a LAST_28_DAYS dashboard
 * with weekly periods and a comparison costs exactly the questions that touch yesterday or today:
 * every call of the second load ends on or after yesterday, and every settled question of the
 * first load (ended before yesterday) is answered from the cache.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    // `wait`: what a load pays is what it waits for; the default would answer recent parts stale at
    // once and pay for them behind the response.
    env: { CACHE_TTL_RECENT_SECONDS: '0', BUDGET_PER_MINUTE: '100000', BUDGET_PER_HOUR: '1000000', CACHE_POLICY: 'wait' },
    emulator: { rateLimit: { perMinute: 1_000_000, perHour: 1_000_000 } },
  });
});
afterAll(() => stack?.close());

const DASHBOARD = `{ engagementTrend(botId: "st-demo-retail", range: { preset: LAST_28_DAYS }) {
  range { start end } summary { uniqueUsers } series { uniqueUsers { users } }
  change(to: PREVIOUS_PERIOD) { uniqueUsers { current previous relative } }
  periods(unit: WEEK) { range { start end } complete summary { uniqueUsers } }
  activity { averageDailyUsers stickiness } } }`;

async function load() {
  const from = stack.emulator!.calls.length;
  const res = await stack.gql<{ engagementTrend: { range: { start: string; end: string }; periods: unknown[] } }>(DASHBOARD);
  expect(res.body.errors).toBeUndefined();
  return { body: res.body, ends: trendCalls(stack.emulator!, from).map((c) => String(c.query.end_date)) };
}

it('a second load of a dashboard ending today pays only for what touches yesterday or today', async () => {
  const yesterday = isoDate(todayIn('UTC', testNow()) - 1);
  const first = await load();
  const periods = first.body.data!.engagementTrend.periods.length;
  // The range, its previous period and each week: one daily call each (the last week may equal no other question).
  expect(first.ends).toHaveLength(2 + periods);
  const recent = first.ends.filter((end) => end >= yesterday);
  const settled = first.ends.filter((end) => end < yesterday);
  expect(settled.length).toBeGreaterThan(0);

  const second = await load();
  expect(second.body).toEqual(first.body);
  expect(second.ends.sort()).toEqual(recent.sort());
});
