import { post } from '../lib/load';
import { startGraph } from '../lib/processes';
import { minimumCalls, type UpstreamQuestion } from '../lib/questions';
import type { Row, Scenario } from '../lib/scenario';

/**
 * 6. Dashboard (issue 16): one operation a dashboard sends, with a relative range, its change
 * against the previous period, its calendar weeks and its daily activity, against the fewest
 * upstream calls it can cost, counted by hand below from the operation's own definition (distinct
 * questions; lib/questions.ts), not by the planner under test. Then the same dashboard again on a
 * process that keeps only settled answers (CACHE_TTL_RECENT_SECONDS=0, as if the recent TTL had
 * run out): it may cost only the questions that touch yesterday or today.
 *
 * The graph runs on the real clock in UTC (no `filters`), so "today" is computed here from the same
 * clock when the scenario starts; a run that crosses midnight UTC would ask about other days.
 */

const DAY_MS = 86_400_000;

const DASHBOARD = `query Dashboard($bot: ID!) {
  engagementTrend(botId: $bot, range: { preset: LAST_28_DAYS }) {
    range { start end days }
    summary { uniqueUsers newUsers returningUsers }
    series { uniqueUsers { date users } }
    change(to: PREVIOUS_PERIOD) {
      uniqueUsers { current previous absolute relative }
      newUsers { current previous absolute relative }
      returningUsers { current previous absolute relative }
    }
    periods(unit: WEEK) { range { start end days } complete summary { uniqueUsers newUsers returningUsers } }
    activity { averageDailyUsers peakDay { date users } stickiness }
  }
}`;

const iso = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** Monday-to-Sunday weeks overlapping [start, end], each clipped to it (Date.getUTCDay: Sunday 0 … Saturday 6). */
function isoWeeks(start: number, end: number): Array<readonly [number, number]> {
  const weeks: Array<readonly [number, number]> = [];
  for (let day = start; day <= end;) {
    const sunday = day + ((7 - new Date(day * DAY_MS).getUTCDay()) % 7);
    weeks.push([day, Math.min(sunday, end)]);
    day = sunday + 1;
  }
  return weeks;
}

/**
 * The calls DASHBOARD needs when today is `today` (UTC day number), field by field. `recentOnly`:
 * only those whose range ends yesterday or today (what a process keeping settled answers asks again).
 */
function dashboardQuestions(bot: string, today: number, recentOnly = false): UpstreamQuestion[] {
  const daily = (start: number, end: number): UpstreamQuestion => ({ bot, start: iso(start), end: iso(end), aggregation: 'daily' });
  const [start, end] = [today - 27, today]; // LAST_28_DAYS: 28 days ending today, today included
  const all = [
    { q: daily(start, end), end }, // summary, series and activity: one daily answer of the range
    { q: daily(start - 28, start - 1), end: start - 1 }, // change(PREVIOUS_PERIOD): the 28 days before; the current side rides on the range's call
    ...isoWeeks(start, end).map(([s, e]) => ({ q: daily(s, e), end: e })), // periods(WEEK) { summary }: one daily call per week (4 or 5)
    { q: daily(start, end), end }, // change's current side: the range's own question again (shared)
  ];
  return all.filter((x) => !recentOnly || x.end >= today - 1).map((x) => x.q);
}

interface DashboardRow {
  scenario: string;
  calls: number;
  distinct: number;
  expected: number;
}

export const dashboard: Scenario = {
  name: 'dashboard',
  key: 'dashboard',
  async run({ replay }) {
    const rows: DashboardRow[] = [];
    const today = Math.floor(Date.now() / DAY_MS);
    const measure = (scenario: string, questions: UpstreamQuestion[]) =>
      rows.push({ scenario, calls: replay.state.requests, distinct: replay.distinct(), expected: minimumCalls(questions) });

    // Cache off: the operation alone must reach the minimum.
    const cold = await startGraph(replay.url, { CACHE_MAX_BYTES: '0' });
    try {
      replay.state.delayMs = 5;
      replay.reset();
      await post(cold.url, DASHBOARD, { bot: 'st-dash' });
      measure('LAST_28_DAYS + change + weekly periods + activity', dashboardQuestions('st-dash', today));
    } finally {
      await cold.stop();
    }

    // Only settled answers kept: a second load pays for the questions touching yesterday or today.
    const settled = await startGraph(replay.url, { CACHE_TTL_RECENT_SECONDS: '0' });
    try {
      await post(settled.url, DASHBOARD, { bot: 'st-dash-again' });
      replay.reset();
      await post(settled.url, DASHBOARD, { bot: 'st-dash-again' });
      measure('the same dashboard loaded again, settled answers cached', dashboardQuestions('st-dash-again', today, true));
    } finally {
      await settled.stop();
    }

    return {
      result: rows,
      rows: rows.map((r): Row => [
        `6. dashboard: ${r.scenario}`,
        `${r.calls} upstream calls, ${r.distinct} distinct`,
        `${r.expected} distinct questions (counted by hand)`,
        r.calls === r.expected && r.distinct === r.expected ? 'met (= expected)' : 'MISSED (= expected)',
      ]),
    };
  },
};
