import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { testNow } from '../helpers/clock';
import { codes, startStack, trendCalls, type Stack } from '../helpers/stack';
import { until } from '../helpers/wait';

/**
 * Background refresh from spare budget, against the built-in upstream: what it recorded is the
 * truth. Recent answers are fresh for 3 s here, so a refresh is due in their last 15 %; every wait
 * is for an event (a recorded call, a counter), with a deadline.
 */

const BOT = 'st-demo-retail';
const TTL = { CACHE_TTL_RECENT_SECONDS: '3' };

/**
 * A question touching today (recent: short-lived); `i` makes distinct ones. Each viewer's document
 * differs (an alias), so that the whole-operation cache does not replay it and every ask reaches the
 * upstream client (replays count too: see the dashboard test below).
 */
let viewer = 0;
function question(i: number): string {
  const today = todayIn('UTC', testNow());
  return `{ v${viewer++}: engagementTrend(botId: "${BOT}", range: { start: "${isoDate(today - 10 - i)}", end: "${isoDate(today)}" }) { summary { uniqueUsers } } }`;
}

/** Upstream calls recorded for question `i` since `from`. */
function callsFor(stack: Stack, i: number, from = 0): number {
  const start = isoDate(todayIn('UTC', testNow()) - 10 - i);
  return trendCalls(stack.emulator!, from).filter((c) => JSON.stringify(c).includes(start)).length;
}

async function ask(stack: Stack, i: number): Promise<void> {
  const { body } = await stack.gql(question(i));
  expect(codes(body)).toEqual([]);
}

async function counter(stack: Stack, name: string, label: string): Promise<number> {
  const text = await (await fetch(`${stack.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${label}}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('background refresh (built-in upstream)', () => {
  let stack: Stack;
  afterEach(() => stack?.close());

  it('refreshes a repeated question before it expires, and the next viewer gets a cache hit', async () => {
    stack = await startStack({ env: { ...TTL, BUDGET_PER_MINUTE: '20' } });
    await ask(stack, 0);
    await ask(stack, 0);
    expect(callsFor(stack, 0)).toBe(1);
    await until(() => callsFor(stack, 0) === 2, { what: 'the background refresh of the repeated question' });
    expect(await counter(stack, 'eg_refresh_total', 'outcome="ran"')).toBe(1);
    const from = stack.emulator!.calls.length;
    await ask(stack, 0);
    // The viewer after the refresh waited for no upstream call: the refreshed answer was a hit.
    expect(trendCalls(stack.emulator!, from)).toHaveLength(0);
    expect(await counter(stack, 'eg_cache_events_total', 'event="refreshed_hit"')).toBe(1);
  });

  it('refreshes a question repeated by viewers of one dashboard, whose repeats the operation cache answers whole', async () => {
    stack = await startStack({ env: { ...TTL, BUDGET_PER_MINUTE: '20' } });
    const today = todayIn('UTC', testNow());
    const dashboard = `{ engagementTrend(botId: "${BOT}", range: { start: "${isoDate(today - 20)}", end: "${isoDate(today)}" }) { summary { uniqueUsers } } }`;
    const calls = () => trendCalls(stack.emulator!).filter((c) => JSON.stringify(c).includes(isoDate(today - 20))).length;
    expect(codes((await stack.gql(dashboard)).body)).toEqual([]);
    const replay = await stack.gql(dashboard);
    expect(codes(replay.body)).toEqual([]);
    expect(await counter(stack, 'eg_cache_events_total', 'event="operation_hit"')).toBe(1); // the second viewer was a replay
    expect(calls()).toBe(1);
    await until(() => calls() === 2, { what: 'the background refresh of the question behind the replayed dashboard' });
    expect(await counter(stack, 'eg_refresh_total', 'outcome="ran"')).toBe(1);
  });

  it('does not refresh a question asked once, and drops it', async () => {
    stack = await startStack({ env: { ...TTL, BUDGET_PER_MINUTE: '20' } });
    await ask(stack, 1);
    await until(async () => (await counter(stack, 'eg_refresh_total', 'outcome="skipped_idle"')) === 1, {
      what: 'the question asked once to be dropped as idle',
    });
    expect(callsFor(stack, 1)).toBe(1);
    expect(await counter(stack, 'eg_refresh_total', 'outcome="ran"')).toBe(0);
  });

  it('never takes a slot an interactive question needed: skipped for budget, every interactive call gets its slot', async () => {
    // 5 a minute and no caller reserve (AUTH_MODE=none): a refresh must leave the last slot free.
    stack = await startStack({ env: { ...TTL, BUDGET_PER_MINUTE: '5', BUDGET_MAX_WAIT_MS: '0', REFRESH_MAX_SHARE: '1' } });
    await ask(stack, 2);
    await ask(stack, 2);
    for (const i of [3, 4, 5]) await ask(stack, i); // 4 of 5 slots used
    await until(async () => (await counter(stack, 'eg_refresh_total', 'outcome="skipped_budget"')) >= 1, {
      what: 'the refresh to be skipped for budget',
    });
    await ask(stack, 6); // the fifth slot was still there for an interactive caller
    expect(await counter(stack, 'eg_refresh_total', 'outcome="ran"')).toBe(0);
    expect(callsFor(stack, 2)).toBe(1);
    expect(trendCalls(stack.emulator!)).toHaveLength(5);
  });

  it('holds refreshes to REFRESH_MAX_SHARE of the minute', async () => {
    // 20 a minute × 0.1: at most 2 refreshes in the minute, whatever is asked.
    stack = await startStack({ env: { ...TTL, BUDGET_PER_MINUTE: '20', REFRESH_MAX_SHARE: '0.1' } });
    for (const i of [7, 8, 9, 10]) {
      await ask(stack, i);
      await ask(stack, i);
    }
    await until(
      async () =>
        (await counter(stack, 'eg_refresh_total', 'outcome="ran"')) +
          (await counter(stack, 'eg_refresh_total', 'outcome="skipped_budget"')) >=
        4,
      { what: 'every repeated question to be refreshed or skipped for budget' },
    );
    expect(await counter(stack, 'eg_refresh_total', 'outcome="ran"')).toBe(2);
    expect(await counter(stack, 'eg_refresh_total', 'outcome="skipped_budget"')).toBe(2);
    expect(trendCalls(stack.emulator!)).toHaveLength(4 + 2);
  });
});
