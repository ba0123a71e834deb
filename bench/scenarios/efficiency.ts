import { gqlBody, JSON_HEADERS, load, post } from '../lib/load';
import { RANGE, reps, TREND_FIELDS } from '../lib/operations';
import { startGraph } from '../lib/processes';
import { minimumCalls, type UpstreamQuestion } from '../lib/questions';
import type { Row, Scenario } from '../lib/scenario';

/**
 * 3. Efficiency: the upstream calls an operation causes against the fewest it can cost, counted by
 * hand (lib/questions.ts) from the operation below, not by the planner under test. The replay
 * upstream also reports the distinct requests it saw; met means calls = distinct = minimum (no call
 * repeated, none missing, none beyond what the answer needs).
 */

const WEEK = RANGE;
const MONTH = { start: '2025-11-01', end: '2025-11-30' };
const BERLIN_WEEK = { start: '2025-11-24', end: '2025-11-30' };

const DASHBOARD = `query Dashboard($bot: ID!) {
  week: engagementTrend(botId: $bot, range: { start: "${WEEK.start}", end: "${WEEK.end}" }) { ${TREND_FIELDS} hourly { date hour uniqueUsers newUsers } }
  weekAgain: engagementTrend(botId: $bot, range: { start: "${WEEK.start}", end: "${WEEK.end}" }) { summary { uniqueUsers } }
  month: engagementTrend(botId: $bot, range: { start: "${MONTH.start}", end: "${MONTH.end}" }) { ${TREND_FIELDS} }
  monthRtm: engagementTrend(botId: $bot, range: { start: "${MONTH.start}", end: "${MONTH.end}" }, filters: { channel: "rtm" }) { summary { uniqueUsers } }
  berlin: engagementTrend(botId: $bot, range: { start: "${BERLIN_WEEK.start}", end: "${BERLIN_WEEK.end}" }, filters: { timeZone: "Europe/Berlin" }) { series { uniqueUsers { date users } } }
}`;

/** The calls DASHBOARD needs, alias by alias. */
const dashboardQuestions = (bot: string): UpstreamQuestion[] => [
  { bot, ...WEEK, aggregation: 'hourly' }, // week: hourly (its summary rides on it)
  { bot, ...WEEK, aggregation: 'daily' }, // week: series
  { bot, ...WEEK, aggregation: 'hourly' }, // weekAgain: the same question's summary rides on week's hourly call
  { bot, ...MONTH, aggregation: 'daily' }, // month: summary and series from one daily answer
  { bot, ...MONTH, filters: { channel: 'rtm' }, aggregation: 'daily' }, // monthRtm: a different question (filtered)
  { bot, ...BERLIN_WEEK, filters: { timeZone: 'Europe/Berlin' }, aggregation: 'daily' }, // berlin: series
];

const ENTITIES = `query Entities($reps: [_Any!]!) { _entities(representations: $reps) { ... on Bot { id
  engagementTrend(range: { start: "${WEEK.start}", end: "${WEEK.end}" }) { ${TREND_FIELDS} }
  lastMonth: engagementTrend(range: { start: "${MONTH.start}", end: "${MONTH.end}" }) { summary { uniqueUsers } } } } }`;

/** The calls ENTITIES needs: per representation, a daily week and a daily month (a bot represented twice asks nothing new). */
const entitiesQuestions = (representations: ReadonlyArray<{ id: string }>): UpstreamQuestion[] =>
  representations.flatMap(({ id: bot }) => [
    { bot, ...WEEK, aggregation: 'daily' as const },
    { bot, ...MONTH, aggregation: 'daily' as const },
  ]);

interface EfficiencyRow {
  scenario: string;
  calls: number;
  distinct: number;
  minimum: number;
}

export const efficiency: Scenario = {
  name: 'efficiency',
  key: 'efficiency',
  async run({ replay }) {
    const rows: EfficiencyRow[] = [];
    const measure = (scenario: string, questions: UpstreamQuestion[]) =>
      rows.push({ scenario, calls: replay.state.requests, distinct: replay.distinct(), minimum: minimumCalls(questions) });
    // Cache off for single operations: the operation alone must reach the minimum.
    const cold = await startGraph(replay.url, { CACHE_MAX_BYTES: '0' });
    try {
      replay.state.delayMs = 5;
      replay.reset();
      await post(cold.url, DASHBOARD, { bot: 'st-one' });
      measure('one bot, 5 aliases, summary+series+hourly', dashboardQuestions('st-one'));
      replay.reset();
      const representations = [...reps(50), ...reps(50)];
      await post(cold.url, ENTITIES, { reps: representations });
      measure('_entities: 100 representations of 50 bots', entitiesQuestions(representations));
    } finally {
      await cold.stop();
    }
    // Cache on (the default), 500 clients at once: single flight must hold every question to one call.
    const warm = await startGraph(replay.url);
    try {
      replay.state.delayMs = 50;
      replay.reset();
      await load({
        url: warm.url,
        method: 'POST',
        headers: JSON_HEADERS,
        body: gqlBody(DASHBOARD, { bot: 'st-crowd' }),
        connections: 500,
        amount: 500,
      });
      measure('the same dashboard, 500 concurrent clients', dashboardQuestions('st-crowd'));
    } finally {
      await warm.stop();
    }
    return {
      result: rows,
      rows: rows.map((r): Row => [
        `3. efficiency: ${r.scenario}`,
        `${r.calls} upstream calls, ${r.distinct} distinct`,
        `minimum ${r.minimum} (counted by hand)`,
        r.calls === r.minimum && r.distinct === r.minimum ? 'met (= minimum)' : 'MISSED (= minimum)',
      ]),
    };
  },
};
