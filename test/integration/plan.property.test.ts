import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { todayIn } from '../../src/time/zones';
import { bearer, callerToken, JWT_ENV } from '../helpers/caller-tokens';
import { testNow } from '../helpers/clock';
import { BOTS, operations, render } from '../helpers/plan-operations';
import { operationLine, startStack, trendCalls, type Stack } from '../helpers/stack';

/**
 * The planner's estimate against the calls actually made: generated operations go over HTTP to a
 * stack in front of the built-in upstream (caches off, so every distinct request reaches it), and
 * the operation log's `estimatedCalls` is compared with the calls the upstream recorded. With
 * canonical questions it must be equal; it must never be below.
 */

let stack: Stack;
const dir = mkdtempSync(join(tmpdir(), 'eg-plan-'));

beforeAll(async () => {
  // One v2 bot and one v1 bot the caller may read, one configured bot it may not, and no default app.
  const file = join(dir, 'credentials.json');
  writeFileSync(
    file,
    JSON.stringify({
      [BOTS.v2]: { clientId: 'cs-v2', clientSecret: 'v2-secret-value' },
      [BOTS.v1]: { clientId: 'cs-v1', clientSecret: 'v1-secret-value', apiVersion: 'v1' },
      [BOTS.forbidden]: { clientId: 'cs-v2', clientSecret: 'v2-secret-value' },
    }),
  );
  stack = await startStack({
    env: {
      ...JWT_ENV,
      KORE_CREDENTIALS_FILE: file,
      CACHE_MAX_BYTES: '0',
      MAX_UPSTREAM_CALLS: '1000',
      BUDGET_PER_MINUTE: '100000',
      BUDGET_PER_HOUR: '1000000',
    },
    emulator: { rateLimit: { perMinute: 1_000_000, perHour: 1_000_000 } },
  });
});

afterAll(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

const token = bearer(callerToken({ bots: [BOTS.v2, BOTS.v1] }));
let requests = 0;

async function run(query: string, variables: Record<string, unknown>) {
  const requestId = `plan-${++requests}`;
  const from = stack.emulator!.calls.length;
  const res = await stack.gql(query, variables, { ...token, 'x-request-id': requestId });
  const calls = trendCalls(stack.emulator!, from);
  const line = await operationLine(stack, requestId);
  return { status: res.status, body: res.body, calls, estimated: line.estimatedCalls };
}

describe('the planner against the built-in upstream', () => {
  it('estimates exactly the calls made, for generated operations', async () => {
    let made = 0;
    let refusedSome = false;
    await fc.assert(
      fc.asyncProperty(operations, async (parts) => {
        const { query, variables } = render(parts, todayIn('UTC', testNow())); // the stack's today: presets resolve on it
        const { status, body, calls, estimated } = await run(query, variables);
        expect({ status, query }).toEqual({ status: 200, query });
        // No upstream error: every call answered, none repeated within the operation.
        expect(calls.map((c) => c.status).filter((s) => s !== 200)).toEqual([]);
        const distinct = new Set(calls.map((c) => `${c.path}?${new URLSearchParams(c.query).toString()}`));
        expect(distinct.size).toBe(calls.length);
        expect(estimated).toBeGreaterThanOrEqual(calls.length);
        expect({ estimated, query, variables }).toEqual({ estimated: calls.length, query, variables });
        made += calls.length;
        refusedSome ||= (body.errors ?? []).some((e) =>
          ['FORBIDDEN', 'BOT_NOT_CONFIGURED', 'BAD_USER_INPUT'].includes(String(e.extensions?.code)),
        );
      }),
      { numRuns: 60 },
    );
    // The generator reaches both calls and refusals: otherwise equality would prove little. (60 runs
    // make about 35 calls; the bound is far below anything but a generator that stopped asking.)
    expect(made).toBeGreaterThanOrEqual(10);
    expect(refusedSome).toBe(true);
  });

  it.each<[string, string, Record<string, unknown>, number]>([
    [
      'one question spelled five ways (variables, key order, default filters, zone case): one call',
      `query Q($r: DateRangeInput!, $s: Date!, $e: Date!, $f: EngagementFilters) {
        a: engagementTrend(botId: "${BOTS.v2}", range: $r) { summary { uniqueUsers } }
        b: engagementTrend(botId: "${BOTS.v2}", range: { end: $e, start: $s }, filters: $f) { summary { newUsers } }
        c: bot(id: "${BOTS.v2}") { engagementTrend(range: $r, filters: { timeZone: "utc" }) { summary { uniqueUsers } } }
        d: engagementTrend(botId: "${BOTS.v2}", range: $r, filters: { conversationType: ALL, channel: null }) { summary { uniqueUsers } }
      }`,
      { r: 'RANGE', s: 'START', e: 'END', f: { timeZone: 'UTC' } },
      1,
    ],
    [
      'a summary on one alias rides on hourly asked by an entity: one call',
      `query Q($reps: [_Any!]!) {
        a: engagementTrend(botId: "${BOTS.v2}", range: RANGE_LITERAL) { summary { uniqueUsers } }
        _entities(representations: $reps) { ... on Bot { engagementTrend(range: RANGE_LITERAL) { hourly { hour } } } }
      }`,
      { reps: [{ __typename: 'Bot', id: BOTS.v2 }] },
      1,
    ],
    [
      'a v1 summary costs nothing; forbidden and unconfigured bots cost nothing',
      `{ a: engagementTrend(botId: "${BOTS.v1}", range: RANGE_LITERAL) { summary { uniqueUsers } }
         b: engagementTrend(botId: "${BOTS.forbidden}", range: RANGE_LITERAL) { series { uniqueUsers { users } } }
         c: bot(id: "${BOTS.unconfigured}") { engagementTrend(range: RANGE_LITERAL) { series { uniqueUsers { users } } } } }`,
      {},
      0,
    ],
    [
      'variable defaults written in the operation count as execution applies them',
      `query Q($s: Date = "START_DAY", $e: Date = "END_DAY", $hourly: Boolean = true, $z: String = "Asia/Kolkata") {
        a: engagementTrend(botId: "${BOTS.v2}", range: { start: $s, end: $e }, filters: { timeZone: $z }) {
          summary { uniqueUsers } hourly @include(if: $hourly) { hour } }
      }`,
      {},
      1,
    ],
    [
      'fragments on Query, Bot and EngagementTrend, one field skipped inside a fragment',
      `query Q { ...Top bot(id: "${BOTS.v2}") { ...OnBot } }
       fragment Top on Query { engagementTrend(botId: "${BOTS.v2}", range: RANGE_LITERAL) { ...Numbers } }
       fragment OnBot on Bot { engagementTrend(range: RANGE_LITERAL) { ...Numbers series { newUsers { users } } } }
       fragment Numbers on EngagementTrend { summary { uniqueUsers } skipped: hourly @skip(if: true) { hour } }`,
      {},
      1,
    ],
    [
      'hourly under compare over the hourly cap is refused and costs nothing; a compare beside it costs its call',
      `{ a: engagementTrend(botId: "${BOTS.v2}", range: { start: "2025-02-15", end: "2025-03-17" }) {
          compare(to: PREVIOUS_YEAR) { hourly { hour } } ok: compare(to: PREVIOUS_PERIOD) { summary { uniqueUsers } } } }`,
      {},
      1,
    ],
    [
      'change, a compare equal to another alias, a MONTH period equal to the range and activity share two calls',
      `{ a: engagementTrend(botId: "${BOTS.v2}", range: { start: "2025-11-01", end: "2025-11-30" }) {
          summary { uniqueUsers } change(to: PREVIOUS_PERIOD) { uniqueUsers { current } } periods(unit: MONTH) { summary { uniqueUsers } }
          compare(to: PREVIOUS_PERIOD) { activity { peakDay { date } } } activity { averageDailyUsers stickiness } weeks: periods(unit: WEEK) { complete } }
         b: bot(id: "${BOTS.v2}") { engagementTrend(range: { start: "2025-10-02", end: "2025-10-31" }) { summary { newUsers } } } }`,
      {},
      2,
    ],
    [
      'on v1, change, period summaries, stickiness and a compared summary cost nothing',
      `{ a: engagementTrend(botId: "${BOTS.v1}", range: RANGE_LITERAL) {
          change(to: PREVIOUS_YEAR) { uniqueUsers { current } } periods(unit: WEEK) { summary { uniqueUsers } }
          activity { stickiness } compare(to: PREVIOUS_PERIOD) { summary { uniqueUsers } } } }`,
      {},
      0,
    ],
  ])('%s', async (_name, text, rawVariables, expected) => {
    const today = todayIn('UTC');
    const [start, end] = [today - 10, today - 4].map((d) => new Date(d * 86_400_000).toISOString().slice(0, 10));
    const query = text
      .replaceAll('RANGE_LITERAL', `{ start: "${start}", end: "${end}" }`)
      .replaceAll('START_DAY', start)
      .replaceAll('END_DAY', end);
    const fill = (v: unknown): unknown => (v === 'RANGE' ? { start, end } : v === 'START' ? start : v === 'END' ? end : v);
    const variables = Object.fromEntries(Object.entries(rawVariables).map(([k, v]) => [k, fill(v)]));
    const { status, calls, estimated } = await run(query, variables);
    expect(status).toBe(200);
    expect(calls).toHaveLength(expected);
    expect(estimated).toBe(expected);
  });
});
