import type { ApiVersion } from '../../src/engagement/model';
import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { CAPABILITIES } from '../../src/upstream/kore';
import { startStack, trendCalls, type Stack } from '../helpers/stack';

/**
 * The resolvers' UPSTREAM_UNSUPPORTED errors follow the capabilities table, not a null in the
 * answer: for each API version, one operation asking for everything gets a field error exactly
 * where that version's row says "never", data everywhere else, and the calls the built-in upstream
 * recorded are in that version's spellings.
 */

const VERSIONS = Object.keys(CAPABILITIES) as ApiVersion[];
const stacks = new Map<ApiVersion, Stack>();
beforeAll(async () => {
  for (const version of VERSIONS) stacks.set(version, await startStack({ env: { KORE_API_VERSION: version } }));
});
afterAll(async () => {
  for (const stack of stacks.values()) await stack.close();
});

const day = isoDate(todayIn('UTC') - 1);
const EVERYTHING = `{ engagementTrend(botId: "st-demo-retail", range: { start: "${day}", end: "${day}" }) {
  summary { uniqueUsers }
  series { uniqueUsers { users } newUsers { users } returningUsers { users } }
  hourly { hour uniqueUsers newUsers returningUsers } } }`;

interface Everything {
  engagementTrend: {
    summary: { uniqueUsers: number } | null;
    series: { uniqueUsers: unknown[]; newUsers: unknown[] | null; returningUsers: unknown[] | null };
    hourly: Array<{ hour: number; uniqueUsers: number; newUsers: number | null; returningUsers: number | null }>;
  } | null;
}

describe.each(VERSIONS)('API %s', (version) => {
  const can = CAPABILITIES[version];

  it('answers what its row provides and refuses, field by field, what it does not', async () => {
    const stack = stacks.get(version) as Stack;
    const from = stack.emulator!.calls.length;
    const { status, body } = await stack.gql<Everything>(EVERYTHING);
    expect(status).toBe(200);

    const hours = [...Array(24).keys()];
    const expected = [
      ...(can.summary ? [] : ['engagementTrend.summary']),
      ...(can.daily.newUsers ? [] : ['engagementTrend.series.newUsers']),
      ...(can.daily.returningUsers ? [] : ['engagementTrend.series.returningUsers']),
      ...hours.flatMap((h) => [
        ...(can.hourly.newUsers ? [] : [`engagementTrend.hourly.${h}.newUsers`]),
        ...(can.hourly.returningUsers ? [] : [`engagementTrend.hourly.${h}.returningUsers`]),
      ]),
    ];
    const errors = body.errors ?? [];
    expect(errors.map((e) => e.path?.join('.')).sort()).toEqual(expected.sort());
    for (const e of errors) expect(e.extensions).toMatchObject({ code: 'UPSTREAM_UNSUPPORTED', apiVersion: version });

    const t = body.data?.engagementTrend;
    expect(t?.summary === null).toBe(!can.summary);
    expect(t?.series.uniqueUsers).toHaveLength(1);
    expect(t?.series.newUsers === null).toBe(!can.daily.newUsers);
    expect(t?.series.returningUsers === null).toBe(!can.daily.returningUsers);
    expect(t?.hourly.map((b) => b.hour)).toEqual(hours);
    expect(
      t?.hourly.every((b) => (b.newUsers === null) === !can.hourly.newUsers && (b.returningUsers === null) === !can.hourly.returningUsers),
    ).toBe(true);

    // One daily and one hourly call, both to this version's endpoint; a refused summary cost nothing
    // and a provided one rode on the hourly call.
    const calls = trendCalls(stack.emulator!, from);
    expect(calls.map((c) => c.version).sort()).toEqual([version, version]);
    expect(calls.map((c) => c.query.aggregation_type?.toLowerCase()).sort()).toEqual(['daily', 'hourly']);
  });
});
