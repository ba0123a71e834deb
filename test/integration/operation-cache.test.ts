import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { bearer, callerToken, JWT_ENV } from '../helpers/caller-tokens';
import { codes, startStack, trendCalls, type Stack } from '../helpers/stack';
import { testNow } from '../helpers/clock';

/** Whole operations answered again without executing, only while every answer in them is fresh, never across permissions. */

let clock = testNow(); // driven by hand from the shared test clock's instant
let stack: Stack;
beforeAll(async () => {
  // `wait`: past its freshness a replay is refused and the operation runs (and asks Kore.ai) again;
  // under the default (stale-while-revalidate) it would answer from the expired entry instead.
  stack = await startStack({ env: { ...JWT_ENV, CACHE_POLICY: 'wait' }, now: () => clock });
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

  it('never replays a budget reading: the operation runs again and reads the calls made since', async () => {
    const all = bearer(callerToken({ bots: '*' }));
    const WITH_BUDGET = `query WithBudget { bot(id: "st-demo-retail") { upstreamBudget { minute { used } } } ${Q.slice(Q.indexOf('{') + 1, Q.lastIndexOf('}'))} }`;
    type Read = { bot: { upstreamBudget: { minute: { used: number } } } };
    const first = await stack.gql<Read>(WITH_BUDGET, {}, all);
    expect(first.body.errors).toBeUndefined();
    // Another question, one more call the budget counts.
    const other = `{ engagementTrend(botId: "st-demo-retail", range: { start: "${isoDate(today - 40)}", end: "${isoDate(today - 30)}" }) { summary { uniqueUsers } } }`;
    const from = stack.emulator!.calls.length;
    await stack.gql(other, {}, all);
    expect(trendCalls(stack.emulator!, from)).toHaveLength(1);
    const second = await stack.gql<Read>(WITH_BUDGET, {}, all);
    expect(opLines().slice(-1)[0].responseCached).toBeUndefined();
    expect(second.body.data?.bot.upstreamBudget.minute.used).toBe(first.body.data!.bot.upstreamBudget.minute.used + 1);
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

describe('operation cache under a federation gateway asking for inline traces', () => {
  it('replays the same operation again and again, each replay with its own ftv1 trace', async () => {
    const traced = await startStack({ env: { INLINE_TRACING: 'true' } });
    try {
      const from = traced.emulator!.calls.length;
      const asked = { 'apollo-federation-include-trace': 'ftv1' };
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await traced.gql<{ engagementTrend: unknown }>(Q, {}, asked));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      for (const a of answers) {
        expect(a.body.errors).toBeUndefined();
        expect(a.body.data).toEqual(answers[0].body.data);
        expect(typeof a.body.extensions?.ftv1).toBe('string');
      }
      // Operation lines are written just after their response (recordLater): wait for all three.
      const lines = () => traced.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'graphql operation');
      for (const deadline = Date.now() + 5_000; lines().length < 3 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 10));
      expect(lines().map((l) => l.responseCached)).toEqual([undefined, true, true]);
      expect(trendCalls(traced.emulator!, from)).toHaveLength(1);
    } finally {
      await traced.close();
    }
  });
});
