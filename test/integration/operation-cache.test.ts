import { isoDate, todayIn } from '../../src/dates';
import { bearer, callerToken, JWT_ENV } from '../helpers/caller-tokens';
import { codes, startStack, trendCalls, type Stack } from '../helpers/stack';
import { testNow } from '../helpers/clock';

/** Whole operations answered again without executing, only while every answer in them is fresh, never across permissions. */

let clock = testNow(); // driven by hand from the shared test clock's instant
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { ...JWT_ENV }, now: () => clock });
});
afterAll(() => stack.close());

const today = todayIn('UTC', clock);
// A range ending yesterday is "recent": fresh for CACHE_TTL_RECENT_SECONDS (60 s).
const Q = `query Recent { engagementTrend(botId: "st-demo-retail", range: { start: "${isoDate(today - 6)}", end: "${isoDate(today - 1)}" }) { summary { uniqueUsers } series { uniqueUsers { users } } } }`;
const opLines = () => stack.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'graphql operation');

describe('operation cache', () => {
  it('serves a repeated operation whole, without executing or calling upstream, until its answers go stale', async () => {
    const all = bearer(callerToken({ bots: '*' }));
    const from = stack.emulator!.calls.length;
    const first = await stack.gql(Q, {}, all);
    const second = await stack.gql(Q, {}, all);
    expect(second.body).toEqual(first.body);
    expect(opLines().slice(-1)[0]).toMatchObject({ responseCached: true, upstreamCalls: 0, cacheHits: 0 });
    expect(trendCalls(stack.emulator!, from)).toHaveLength(1);

    clock += 61_000; // past the 60 s freshness of a recent range: executed and fetched again
    const third = await stack.gql(Q, {}, all);
    expect(third.body.errors).toBeUndefined();
    expect(opLines().slice(-1)[0].responseCached).toBeUndefined();
    expect(trendCalls(stack.emulator!, from)).toHaveLength(2);
  });

  it('is never shared across callers with different bots: a refused caller stays refused', async () => {
    await stack.gql(Q, {}, bearer(callerToken({ bots: ['st-demo-retail'] })));
    const other = await stack.gql(Q, {}, bearer(callerToken({ bots: ['st-demo-banking'] })));
    expect(codes(other.body)).toEqual(['FORBIDDEN']);
    expect(other.body.data).toEqual({ engagementTrend: null });
  });

  it('never keeps an answer with errors', async () => {
    const none = bearer(callerToken({ bots: [] }));
    await stack.gql(Q, {}, none);
    await stack.gql(Q, {}, none);
    expect(opLines().slice(-1)[0].responseCached).toBeUndefined();
  });
});
