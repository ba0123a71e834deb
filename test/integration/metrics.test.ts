import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { startStack } from '../helpers/stack';
import { testNow } from '../helpers/clock';

/** GET /metrics in Prometheus text format, with the series moving as queries run. */
const today = todayIn('UTC', testNow()); // the stacks' clock (test/helpers/clock.ts)
const q = (offset: number) =>
  `query Dashboard { engagementTrend(botId: "st-demo-travel", range: { start: "${isoDate(today - 20 - offset)}", end: "${isoDate(today - 3)}" }) { summary { uniqueUsers } } }`;

const value = (text: string, series: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(' ')[1]) : 0;
};

describe('/metrics', () => {
  it('counts operations, upstream calls, cache hits and misses, budget refusals and field latency', async () => {
    const stack = await startStack({ env: { BUDGET_PER_MINUTE: '2', BUDGET_MAX_WAIT_MS: '0' } });
    try {
      await stack.gql(q(0));
      await stack.gql(q(0)); // the same operation: served whole from the operation cache
      await stack.gql(q(0).replace('summary { uniqueUsers }', 'summary { newUsers }')); // another operation, same upstream question: answer cache hit
      await stack.gql(q(1));
      const refused = await stack.gql(q(2)); // third distinct question: over the budget of 2
      expect(refused.body.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
      await stack.gql('{ nope }');

      const res = await fetch(`${stack.url}/metrics`);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const text = await res.text();
      expect(value(text, 'eg_graphql_operations_total{operation="Dashboard",outcome="ok"}')).toBe(4);
      expect(value(text, 'eg_graphql_operations_total{operation="Dashboard",outcome="partial"}')).toBe(1);
      expect(value(text, 'eg_graphql_operations_total{operation="anonymous",outcome="error"}')).toBe(1);
      expect(value(text, 'eg_upstream_calls_total{version="v2",granularity="daily",status="200"}')).toBe(2);
      expect(value(text, 'eg_cache_events_total{event="hit"}')).toBe(1);
      expect(value(text, 'eg_cache_events_total{event="operation_hit"}')).toBe(1);
      expect(value(text, 'eg_cache_events_total{event="miss"}')).toBe(3);
      expect(value(text, 'eg_budget_refusals_total{reason="bot-budget"}')).toBe(1);
      expect(value(text, 'eg_upstream_duration_seconds_count{version="v2",granularity="daily"}')).toBe(2);
      expect(value(text, 'eg_graphql_field_duration_seconds_count{field="engagementTrend"}')).toBe(4);
      expect(value(text, 'eg_circuit_open')).toBe(0);
      expect(text).toContain('eg_singleflight_joins_total');
      expect(text).toContain('eg_upstream_retries_total');
      expect(text).not.toContain('st-demo-travel'); // no bot labels unless asked
      expect(text).not.toContain(stack.config.kore.clientSecret.reveal());
    } finally {
      await stack.close();
    }
  });

  it('labels budget series by bot only with METRICS_BOT_LABELS=true', async () => {
    const stack = await startStack({ env: { BUDGET_PER_MINUTE: '1', BUDGET_MAX_WAIT_MS: '0', METRICS_BOT_LABELS: 'true' } });
    try {
      await stack.gql(q(0));
      await stack.gql(q(1));
      const text = await (await fetch(`${stack.url}/metrics`)).text();
      expect(value(text, 'eg_budget_refusals_total{bot="st-demo-travel",reason="bot-budget"}')).toBe(1);
    } finally {
      await stack.close();
    }
  });

  it('counts refusals made inside GraphQL by kind: depth, tokens and cost limits', async () => {
    const stack = await startStack({ env: { MAX_DEPTH: '3', MAX_TOKENS: '200', MAX_UPSTREAM_CALLS: '1' } });
    try {
      const deep = await stack.gql(
        '{ engagementTrend(botId: "st-demo-travel", range: { start: "2025-02-01", end: "2025-02-02" }) { series { uniqueUsers { date } } } }',
      );
      expect(deep.body.errors?.[0].extensions?.code).toBe('OPERATION_LIMIT_EXCEEDED');
      const tokens = await stack.gql(`{ ${'__typename '.repeat(300)}}`);
      expect(tokens.body.errors?.[0].extensions?.code).toBe('OPERATION_LIMIT_EXCEEDED');
      const costly = await stack.gql(
        `{ a: ${q(0).slice(q(0).indexOf('engagementTrend'), -1)} b: ${q(1).slice(q(1).indexOf('engagementTrend'), -1)} }`,
      );
      expect(costly.body.errors?.[0].extensions?.code).toBe('COST_LIMIT_EXCEEDED');
      const text = await (await fetch(`${stack.url}/metrics`)).text();
      expect(value(text, 'eg_refusals_total{kind="limit:depth"}')).toBe(1);
      expect(value(text, 'eg_refusals_total{kind="limit:tokens"}')).toBe(1);
      expect(value(text, 'eg_refusals_total{kind="cost"}')).toBe(1);
    } finally {
      await stack.close();
    }
  });

  it('keeps operation-name cardinality bounded: odd names collapse into one series', async () => {
    const stack = await startStack();
    try {
      await stack.gql('query { __typename }');
      await fetch(`${stack.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'query A { __typename } query B { __typename }', operationName: 'Z'.repeat(100) }),
      });
      const text = await (await fetch(`${stack.url}/metrics`)).text();
      expect(text).not.toContain('Z'.repeat(100));
    } finally {
      await stack.close();
    }
  });
});
