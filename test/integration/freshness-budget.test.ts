import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { bearer, callerToken, JWT_ENV } from '../helpers/caller-tokens';
import { testNow } from '../helpers/clock';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream';
import { dailyAnswerFor } from '../helpers/kore-answers';
import { codes, startStackBehind, type Stack } from '../helpers/stack';
import { until } from '../helpers/wait';

/**
 * The refresh behind a STALE_WHILE_REVALIDATE answer takes only spare budget, and none while
 * interactive callers are being refused (issue 18: "a refresh never delays or displaces an
 * interactive call", "never taking budget an interactive question needed"). Against the recording
 * fake over real HTTP on a hand-driven clock (the in-process budget's clock too), what the upstream
 * recorded is the truth. The background refresher is off: every refresh counted is one behind an answer.
 */

let fake: FakeUpstream;
let stack: Stack | undefined;
beforeEach(async () => {
  fake = await startFakeUpstream(dailyAnswerFor);
});
afterEach(async () => {
  await stack?.close();
  stack = undefined;
  await fake.close();
});

let clock = testNow();
async function stackWith(env: Record<string, string>): Promise<Stack> {
  clock = testNow();
  stack = await startStackBehind(fake.url, {
    env: { RETRY_MAX_ATTEMPTS: '1', CACHE_TTL_RECENT_SECONDS: '60', REFRESH: 'off', ...env },
    now: () => clock,
  });
  return stack;
}

const today = todayIn('UTC', testNow());
/** Question `i`: a range touching today (fresh for CACHE_TTL_RECENT_SECONDS), told apart by its start. */
const start = (i: number) => isoDate(today - 2 - i);
const trend = (i: number, cache = 'DEFAULT') =>
  `{ engagementTrend(botId: "st-1", range: { start: "${start(i)}", end: "${isoDate(today)}" }, cache: ${cache}) {
    summary { uniqueUsers } freshness { source } } }`;
type Trend = { engagementTrend: { freshness: { source: string } } | null };

async function ask(s: Stack, i: number, cache?: string, headers?: Record<string, string>): Promise<string | undefined> {
  const { body } = await s.gql<Trend>(trend(i, cache), {}, headers);
  expect(codes(body)).toEqual([]);
  return body.data?.engagementTrend?.freshness.source;
}

/** Upstream requests for question `i`. */
const callsFor = (i: number) => fake.requests.filter((r) => r.query.start_date === start(i)).length;

async function refreshes(s: Stack, outcome: string): Promise<number> {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`eg_refresh_total{outcome="${outcome}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('the refresh behind a STALE_WHILE_REVALIDATE answer', () => {
  it('makes no call while interactive calls hold the budget: served stale, skipped, and the next asker refreshes once room is back', async () => {
    // 3 a minute, no waiting; a refresh must leave one slot free (no caller reserve with AUTH_MODE=none).
    const s = await stackWith({ BUDGET_PER_MINUTE: '3', BUDGET_MAX_WAIT_MS: '0' });
    expect(await ask(s, 0)).toBe('UPSTREAM');
    clock += 30_000;
    expect(await ask(s, 1)).toBe('UPSTREAM');
    expect(await ask(s, 2)).toBe('UPSTREAM');
    clock += 31_000; // question 0 expired, its slot left the minute; two interactive calls still in it
    expect(fake.requests).toHaveLength(3);

    expect(await ask(s, 0, 'STALE_WHILE_REVALIDATE')).toBe('STALE_CACHE');
    await until(async () => fake.requests.length > 3 || (await refreshes(s, 'skipped_budget')) === 1, {
      what: 'the refresh to call or be skipped for budget',
    });
    expect(fake.requests.map((r) => r.query.start_date)).toEqual([start(0), start(1), start(2)]); // no call for it
    expect(await refreshes(s, 'skipped_budget')).toBe(1);
    // Interactive callers still find the slot the refresh left.
    expect(await ask(s, 3)).toBe('UPSTREAM');

    clock += 30_000; // the interactive calls left the minute: spare room again
    expect(await ask(s, 0, 'STALE_WHILE_REVALIDATE')).toBe('STALE_CACHE'); // still served stale, and refreshed behind
    await until(() => callsFor(0) === 2, { what: "the next asker's refresh" });
    await until(async () => (await refreshes(s, 'ran')) === 1, { what: 'the refresh to be counted as ran' });
    expect(await ask(s, 0)).toBe('CACHE');
    expect(fake.requests).toHaveLength(5);
    expect(await refreshes(s, 'skipped_budget')).toBe(1);
  });

  it('never goes ahead of an interactive call queued for a slot (the upstream sees the queued call first)', async () => {
    // Two callers, each held to half of 6 a minute while both are active; a call may wait 10 s.
    const s = await stackWith({
      ...JWT_ENV,
      BUDGET_PER_MINUTE: '6',
      BUDGET_CALLER_SHARE: '0.5',
      BUDGET_RESERVE_SHARE: '0',
      BUDGET_MAX_WAIT_MS: '10000',
    });
    const p = bearer(callerToken({ sub: 'p', bots: ['st-1'] }));
    const q = bearer(callerToken({ sub: 'q', bots: ['st-1'] }));
    const t0 = clock;
    expect(await ask(s, 0, undefined, q)).toBe('UPSTREAM'); // fresh until t0 + 60 s
    clock = t0 + 9_500;
    for (const i of [1, 2, 3]) expect(await ask(s, i, undefined, p)).toBe('UPSTREAM'); // p's whole share
    clock = t0 + 59_000;
    expect(await ask(s, 4, undefined, q)).toBe('UPSTREAM'); // q stays active
    clock = t0 + 60_500; // question 0 expired; 4 of 6 slots in the minute
    const before = fake.requests.length;

    // p's next call waits 9 s of real time for its share (its oldest slot leaves the minute at
    // t0 + 69.5 s): room enough for the steps below on a loaded machine.
    const queued = s.gql<Trend>(trend(5), {}, p);
    const budget = async () => {
      const { body } = await s.gql<{ bot: { upstreamBudget: { queued: number } } }>(
        '{ bot(id: "st-1") { upstreamBudget { queued } } }',
        {},
        q,
      );
      return body.data?.bot.upstreamBudget.queued;
    };
    await until(async () => (await budget()) === 1, { what: "p's call to be queued for a slot" });

    // q asks the expired question: answered stale at once; the bot has room and q has share left,
    // but a call is queued, so the refresh behind it takes no slot.
    expect(await ask(s, 0, 'STALE_WHILE_REVALIDATE', q)).toBe('STALE_CACHE');
    const { body } = await queued;
    expect(codes(body)).toEqual([]);
    // The queued call reached the upstream first, and no refresh went before it.
    expect(fake.requests.slice(before).map((r) => r.query.start_date)).toEqual([start(5)]);
    await until(async () => (await refreshes(s, 'skipped_budget')) === 1, { what: 'the refresh to be skipped for budget' });
    expect(callsFor(0)).toBe(1);
  });

  it("holds while interactive callers are refused for the bot's budget: the slots that free go to their retries", async () => {
    const s = await stackWith({ BUDGET_PER_MINUTE: '3', BUDGET_MAX_WAIT_MS: '5000' });
    const t0 = clock;
    for (const i of [0, 1, 2]) expect(await ask(s, i)).toBe('UPSTREAM'); // the whole minute
    clock = t0 + 30_000;
    for (const i of [3, 4, 5]) {
      const refused = await s.gql<Trend>(trend(i));
      expect(codes(refused.body)).toEqual(['RATE_LIMITED']); // the slots free at t0 + 60 s: 30 s away
      expect(refused.body.errors?.[0].extensions?.retryAfter).toBe(30);
    }

    clock = t0 + 60_001; // the minute is empty and question 0 expired; the refused askers are due back
    expect(await ask(s, 0, 'STALE_WHILE_REVALIDATE')).toBe('STALE_CACHE');
    await until(async () => fake.requests.length > 3 || (await refreshes(s, 'skipped_budget')) === 1, {
      what: 'the refresh to call or be skipped for budget',
    });
    expect(fake.requests.map((r) => r.query.start_date)).toEqual([start(0), start(1), start(2)]);
    for (const i of [3, 4, 5]) expect(await ask(s, i)).toBe('UPSTREAM'); // every retry gets a slot

    clock = t0 + 120_002; // the retries left the minute, and nobody is refused: refreshes may go again
    expect(await ask(s, 0, 'STALE_WHILE_REVALIDATE')).toBe('STALE_CACHE');
    await until(() => callsFor(0) === 2, { what: "the next asker's refresh" });
    expect(fake.requests).toHaveLength(7);
  });
  it('with a budget of one a minute, still refreshes once the minute is empty (no slot can be kept free)', async () => {
    const s = await stackWith({ BUDGET_PER_MINUTE: '1', BUDGET_MAX_WAIT_MS: '0' });
    const t0 = clock;
    expect(await ask(s, 0)).toBe('UPSTREAM'); // fresh until t0 + 60 s
    clock = t0 + 90_000; // 30 s past its freshness, and the minute holds no call
    expect(await ask(s, 0, 'STALE_WHILE_REVALIDATE')).toBe('STALE_CACHE');
    await until(() => callsFor(0) === 2, { what: 'the refresh behind the answer' });
    await until(async () => (await refreshes(s, 'ran')) === 1, { what: 'the refresh to be counted as ran' });
    expect(await ask(s, 0)).toBe('CACHE');
    expect(fake.requests).toHaveLength(2);
  });
});
