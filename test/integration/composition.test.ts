import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices as composeWithApollo } from '@apollo/composition';
import { composeServices as composeWithGuild } from '@theguild/federation-composition';
import fc from 'fast-check';
import { buildSchema, isObjectType, parse, print, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { loadConfig } from '../../src/config';
import { calendarPeriods } from '../../src/engagement/calendar-periods';
import { buildEngagementSchema, printSubgraphSdl } from '../../src/schema';
import { operationCost } from '../../src/security/cost';
import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { testNow } from '../helpers/clock';
import { operations, render } from '../helpers/plan-operations';
import { routerEstimate } from '../helpers/router-cost';
import { operationLine, startStack, trendCalls, type Stack } from '../helpers/stack';

/**
 * Cost declared to the router (issue 17): the subgraph's federation 2.9 `@cost`/`@listSize` survive
 * composition by both composers, they follow the calls the planner counts (the router's estimate is
 * an upper bound of 100 × our `estimatedCalls`), and README's numbers are the router's documented
 * static model (test/helpers/router-cost.ts) applied to the supergraph, next to the operation log's
 * `estimatedCalls` for the same operation against the built-in upstream.
 */

const root = join(__dirname, '..', '..');
/** One Kore.ai call in the router's units (README "Cost declared to the router"). */
const CALL_WEIGHT = 100;
/** demand_control.strategy.static_estimated.list_size in README's router.yaml. */
const LIST_SIZE = 10;

/** Every cost directive the subgraph declares, as the router reads it. */
const DECLARED = {
  'EngagementTrend.summary': '@cost(weight: 100)',
  'EngagementTrend.series': '@cost(weight: 100)',
  'EngagementTrend.hourly': '@listSize(assumedSize: 744)',
  'EngagementTrend.change': '@cost(weight: 200)',
  'EngagementTrend.periods': '@listSize(assumedSize: 14)',
  'EngagementTrend.activity': '@cost(weight: 100)',
  'EngagementSeries.uniqueUsers': '@listSize(assumedSize: 90)',
  'EngagementSeries.newUsers': '@listSize(assumedSize: 90)',
  'EngagementSeries.returningUsers': '@listSize(assumedSize: 90)',
  'EngagementPeriod.summary': '@cost(weight: 100)',
};

function costDirectives(schema: GraphQLSchema): Record<string, string> {
  const found: Record<string, string> = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type)) continue;
    for (const on of [type, ...Object.values(type.getFields())]) {
      const applied = (on.astNode?.directives ?? []).filter((d) => d.name.value === 'cost' || d.name.value === 'listSize');
      if (applied.length) found['getFields' in on ? on.name : `${type.name}.${on.name}`] = applied.map((d) => print(d)).join(' ');
    }
  }
  return found;
}

let subgraphSdl: string;
let subgraph: GraphQLSchema;
const BOTS_SDL = readFileSync(join(root, 'schema', 'examples', 'bots.graphql'), 'utf8');
const composed: Record<'apollo' | 'guild', { supergraphSdl?: string; errors?: readonly { message: string }[] }> = {
  apollo: {},
  guild: {},
};

beforeAll(async () => {
  subgraph = await buildEngagementSchema();
  subgraphSdl = printSubgraphSdl(subgraph);
  const services = [
    { name: 'engagement', url: 'http://engagement.invalid/graphql', typeDefs: parse(subgraphSdl) },
    { name: 'bots', url: 'http://bots.invalid/graphql', typeDefs: parse(BOTS_SDL) },
  ];
  composed.apollo = composeWithApollo(services);
  composed.guild = composeWithGuild(services);
});

describe('composition keeps the declared costs', () => {
  it('the subgraph links federation v2.9 and imports @cost and @listSize', () => {
    expect(subgraphSdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])');
    expect(costDirectives(subgraph)).toEqual(DECLARED);
  });

  it.each(['apollo', 'guild'] as const)('%s composes it with a bots subgraph, @cost/@listSize applied field for field', (by) => {
    const { supergraphSdl, errors } = composed[by];
    expect(errors?.map((e) => e.message)).toBeUndefined();
    // Both represent them natively, as the demand-control spec that Apollo Router reads.
    expect(supergraphSdl).toContain('@link(url: "https://specs.apollo.dev/cost/v0.1"');
    expect(costDirectives(buildSchema(supergraphSdl as string))).toEqual(DECLARED);
  });
});

describe('the declared costs follow the planner', () => {
  it('list sizes are the most items a field can hold under the default range limits', () => {
    const config = loadConfig({ NODE_ENV: 'test' });
    const sizes = Object.fromEntries(Object.entries(DECLARED).map(([field, d]) => [field, Number(/assumedSize: (\d+)/.exec(d)?.[1])]));
    expect(sizes['EngagementTrend.hourly']).toBe(24 * config.maxRangeDaysHourly);
    for (const series of ['uniqueUsers', 'newUsers', 'returningUsers'])
      expect(sizes[`EngagementSeries.${series}`]).toBe(config.maxRangeDaysDaily);
    // Periods: the most weeks (or months) any range of the longest length overlaps, whatever weekday it starts on.
    let most = 0;
    for (let start = 0; start < 366; start++) {
      const range = { startDay: start, endDay: start + config.maxRangeDaysDaily - 1 };
      most = Math.max(most, calendarPeriods(range, 'WEEK').length, calendarPeriods(range, 'MONTH').length);
    }
    expect(sizes['EngagementTrend.periods']).toBe(most);
  });

  it('the router estimate is at least 100 × the calls the cost limit weighs, for generated operations', () => {
    let someCalls = false;
    fc.assert(
      fc.property(operations, (parts) => {
        const { query, variables } = render(parts, todayIn('UTC', testNow()));
        const document = parse(query);
        const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
        // No resolver: raw questions, counted never low (possibly twice), refused ones included.
        const { limited } = operationCost(document, operation as OperationDefinitionNode, variables);
        someCalls ||= limited > 0;
        const estimate = routerEstimate(subgraph, document, variables, { listSize: LIST_SIZE });
        expect({ query, estimate: estimate >= CALL_WEIGHT * limited }).toEqual({ query, estimate: true });
      }),
      { numRuns: 300 },
    );
    expect(someCalls).toBe(true);
  });
});

describe("README's router estimates", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { CACHE_MAX_BYTES: '0' } }); // every call reaches the upstream
  });
  afterAll(async () => {
    await stack?.close();
  });

  const today = todayIn('UTC', testNow());
  /** The latest range of `days` days ending before today that overlaps the most ISO weeks. */
  function mostWeeks(days: number): { start: string; end: string } {
    let best = { start: 0, weeks: 0 };
    for (let start = today - days; start > today - days - 7; start--) {
      const weeks = calendarPeriods({ startDay: start, endDay: start + days - 1 }, 'WEEK').length;
      if (weeks > best.weeks) best = { start, weeks };
    }
    return { start: isoDate(best.start), end: isoDate(best.start + days - 1) };
  }
  const dashboard = readFileSync(join(root, 'src', 'explorer', 'page', 'explorer.graphql'), 'utf8');
  const filters = { timeZone: 'UTC', conversationType: 'ALL', conversationStatus: 'ALL' };
  const ROWS: Record<string, { query: string; variables: Record<string, unknown> }> = {
    'explorer dashboard, 90 days over 14 ISO weeks, `withHourly: false`': {
      query: dashboard,
      variables: { botId: 'st-demo-retail', range: mostWeeks(90), filters, withHourly: false, unit: 'WEEK' },
    },
    'explorer dashboard, 31 days over 6 ISO weeks, `withHourly: true`': {
      query: dashboard,
      variables: { botId: 'st-demo-retail', range: mostWeeks(31), filters, withHourly: true, unit: 'WEEK' },
    },
    '`summary` and `series` of one 30-day range': {
      query: `query($r: DateRangeInput!) { engagementTrend(botId: "st-demo-retail", range: $r) { summary { uniqueUsers } series { uniqueUsers { date users } } } }`,
      variables: { r: { start: isoDate(today - 30), end: isoDate(today - 1) } },
    },
  };

  it('each row: our estimatedCalls (= the calls the upstream recorded) and the router static estimate by both supergraphs', async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Cost declared to the router'));
    let n = 0;
    for (const [row, { query, variables }] of Object.entries(ROWS)) {
      // A table row whose first cell is `row` (whatever padding a formatter adds).
      const cells = section
        .split('\n')
        .map((l) => l.split('|').map((cell) => cell.trim()))
        .find((c) => c[0] === '' && c[1] === row);
      expect({ row, found: cells !== undefined }).toEqual({ row, found: true });
      const [calls, estimate] = (cells as string[]).slice(2, 4).map(Number);

      const requestId = `cost-row-${++n}`;
      const from = stack.emulator!.calls.length;
      const { body } = await stack.gql(query, variables, { 'x-request-id': requestId });
      expect(body.errors).toBeUndefined();
      const logged = await operationLine(stack, requestId);
      expect({ row, estimatedCalls: logged.estimatedCalls, made: trendCalls(stack.emulator!, from).length }).toEqual({
        row,
        estimatedCalls: calls,
        made: calls,
      });
      for (const by of ['apollo', 'guild'] as const) {
        const supergraph = buildSchema(composed[by].supergraphSdl as string);
        expect({ row, by, estimate: routerEstimate(supergraph, parse(query), variables, { listSize: LIST_SIZE }) }).toEqual({
          row,
          by,
          estimate,
        });
      }
      expect(estimate).toBeGreaterThanOrEqual(CALL_WEIGHT * calls);
    }
  });
});
