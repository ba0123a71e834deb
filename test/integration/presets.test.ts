import { codes, operationLine, startStack, trendCalls, type GraphQLResult, type Stack } from '../helpers/stack';

/**
 * Presets over HTTP, in front of the built-in upstream, on a clock driven by hand: a preset and the
 * same explicit dates are one question (one upstream call, one cache entry, identical data), a range
 * given both ways or neither way is refused before any call, and the planner's estimate (the
 * operation log's `estimatedCalls`) equals the calls the upstream recorded.
 */

// 20:00 UTC is already 01:30 on 11 December in Kolkata: the preset must follow the zone, not UTC.
let clock = Date.parse('2025-12-10T20:00:00Z');
let stack: Stack;
let requests = 0;

beforeAll(async () => {
  stack = await startStack({ now: () => clock });
});
afterAll(() => stack?.close());

const FIELDS = 'range { start end days } summary { uniqueUsers newUsers returningUsers } series { uniqueUsers { date users } }';
const KOLKATA = 'filters: { timeZone: "Asia/Kolkata" }';

type Trend = { range: { start: string; end: string; days: number } } & Record<string, unknown>;

/** Runs one operation: its body, the upstream calls it caused (as the upstream recorded them) and the planner's estimate. */
async function run(query: string) {
  const requestId = `presets-${++requests}`;
  const from = stack.emulator!.calls.length;
  const res = await stack.gql<Record<string, Trend | null>>(query, {}, { 'x-request-id': requestId });
  const calls = trendCalls(stack.emulator!, from);
  const line = await operationLine(stack, requestId);
  return { status: res.status, body: res.body, calls, estimated: line.estimatedCalls };
}

const argumentsOf = (body: GraphQLResult<unknown>) => (body.errors ?? []).map((e) => e.extensions?.argument);

describe('relative ranges over the built-in upstream', () => {
  it('a preset and the same dates, aliased in one operation: one call, identical data, estimated exactly', async () => {
    const { status, body, calls, estimated } = await run(`{
      preset: engagementTrend(botId: "st-demo-retail", range: { preset: LAST_7_DAYS }, ${KOLKATA}) { ${FIELDS} }
      dates: engagementTrend(botId: "st-demo-retail", range: { start: "2025-12-05", end: "2025-12-11" }, ${KOLKATA}) { ${FIELDS} }
    }`);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.preset?.range).toEqual({ start: '2025-12-05', end: '2025-12-11', days: 7 });
    expect(body.data?.preset).toEqual(body.data?.dates);
    expect(calls).toHaveLength(1);
    expect(calls[0].query).toMatchObject({ start_date: '2025-12-05', end_date: '2025-12-11', timeZoneOffset: 'Asia/Kolkata' });
    expect(estimated).toBe(1);
  });

  it('a later operation asking the other form is answered from the cache, with no new call', async () => {
    const again = await run(
      `{ engagementTrend(botId: "st-demo-retail", range: { start: "2025-12-05", end: "2025-12-11" }, ${KOLKATA}) { ${FIELDS} } }`,
    );
    expect(again.body.errors).toBeUndefined();
    expect(again.calls).toHaveLength(0);

    // And the other way round, on a settled range: the preset first, then its dates.
    const month = await run(`{ engagementTrend(botId: "st-demo-retail", range: { preset: LAST_MONTH }) { ${FIELDS} } }`);
    expect(month.body.data?.engagementTrend?.range).toEqual({ start: '2025-11-01', end: '2025-11-30', days: 30 });
    expect([month.calls.length, month.estimated]).toEqual([1, 1]);
    const dates = await run(
      `{ engagementTrend(botId: "st-demo-retail", range: { start: "2025-11-01", end: "2025-11-30" }) { ${FIELDS} } }`,
    );
    expect(dates.body.data).toEqual(month.body.data);
    expect(dates.calls).toHaveLength(0);
  });

  it.each<[string, string]>([
    ['both forms', '{ start: "2025-12-01", end: "2025-12-07", preset: LAST_7_DAYS }'],
    ['a preset and start', '{ start: "2025-12-01", preset: THIS_WEEK }'],
    ['neither form', '{}'],
    ['start without end', '{ start: "2025-12-01" }'],
  ])('refuses %s with BAD_USER_INPUT naming range, and no upstream call', async (_name, range) => {
    const { status, body, calls, estimated } = await run(
      `{ engagementTrend(botId: "st-demo-retail", range: ${range}) { range { start } summary { uniqueUsers } } }`,
    );
    expect(status).toBe(200);
    expect(body.data).toEqual({ engagementTrend: null });
    expect(codes(body)).toEqual(['BAD_USER_INPUT']);
    expect(argumentsOf(body)).toEqual(['range']);
    expect(body.errors?.[0].message).toContain('give either start and end, or preset');
    expect([calls.length, estimated]).toEqual([0, 0]);
  });

  it('applies the hourly cap to the resolved range: LAST_90_DAYS with hourly is refused, with no call', async () => {
    const { body, calls, estimated } = await run(
      `{ engagementTrend(botId: "st-demo-retail", range: { preset: LAST_90_DAYS }) { hourly { hour } } }`,
    );
    expect(codes(body)).toEqual(['BAD_USER_INPUT']);
    expect(argumentsOf(body)).toEqual(['range']);
    expect(body.errors?.[0].message).toContain('spans 90 days; at most 31 days');
    expect([calls.length, estimated]).toEqual([0, 0]);
  });

  it('a preset operation is not replayed from the operation cache past midnight in its zone', async () => {
    const query = `{ engagementTrend(botId: "st-demo-retail", range: { preset: LAST_MONTH }) { range { start end } summary { uniqueUsers } } }`;
    clock = Date.parse('2025-12-31T23:59:00Z');
    const before = await run(query);
    expect(before.body.data?.engagementTrend?.range).toEqual({ start: '2025-11-01', end: '2025-11-30' });
    const replayed = await run(query); // the same second: the whole operation may come from its cache
    expect(replayed.body).toEqual(before.body);
    clock = Date.parse('2026-01-01T00:01:00Z'); // November stays settled and cached for hours
    const after = await run(query);
    expect(after.body.data?.engagementTrend?.range).toEqual({ start: '2025-12-01', end: '2025-12-31' });
    expect([after.calls.length, after.estimated]).toEqual([1, 1]);
  });
});
