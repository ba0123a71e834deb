import { AnswerSource, summarize } from '../../src/engagement/freshness';
import { upstreamRequest, type Provenance, type ServingPolicy, type TrendData, type UpstreamRequest } from '../../src/engagement/model';
import { ErrorCode, UpstreamError } from '../../src/errors';
import { createCircuitBreaker } from '../../src/upstream/breaker';
import { createMemoryBudget, type BotBudget, type BudgetSlot } from '../../src/upstream/budget';
import type { KoreClient } from '../../src/upstream/kore';
import { createResilientClient } from '../../src/upstream/resilient-client';
import { createMemoryCache } from '../../src/upstream/response-cache';

/**
 * The resilient client's serving policies and the provenance it tells each fetch, around an inner
 * client whose answers the test releases by hand; and `summarize`, freshness's pure part.
 */

const silent = { debug: () => undefined, warn: () => undefined };
const answer = (uniqueUsers: number): TrendData => ({
  version: 'v2',
  summary: {
    uniqueUsers,
    newUsers: 0,
    returningUsers: uniqueUsers,
    avgUniqueUsersPerDay: 0,
    avgNewUsersPerDay: 0,
    avgReturningUsersPerDay: 0,
  },
});

// A settled range (long before "today" on any clock the test runs with): fresh for settledMs.
const question: UpstreamRequest = upstreamRequest(
  {
    version: 'v2',
    botId: 'st-1',
    startDay: 100,
    endDay: 106,
    channel: null,
    conversationType: 'ALL',
    conversationStatus: 'ALL',
    timeZone: 'UTC',
  },
  'daily',
);

/** An inner client whose calls wait until the test settles them, in order. */
function heldInner() {
  const pending: Array<{ resolve: (d: TrendData) => void; reject: (e: unknown) => void }> = [];
  const inner: KoreClient = {
    fetchTrend: () => new Promise<TrendData>((resolve, reject) => pending.push({ resolve, reject })),
    close: () => undefined,
  };
  return { inner, pending };
}

function setup(policy?: ServingPolicy, budget: BotBudget = createMemoryBudget({ perMinute: 100, perHour: 1000, maxWaitMs: 0 })) {
  let clock = 1_000_000;
  const { inner, pending } = heldInner();
  const told = { joins: 0, refreshes: [] as string[] };
  const client = createResilientClient(
    inner,
    {
      credentialId: 'c',
      budget,
      breaker: createCircuitBreaker(5, 1000),
      cache: createMemoryCache(1_000_000),
      retry: { maxAttempts: 1, baseDelayMs: 1, maxTotalMs: 100 },
      ttl: { settledMs: 60_000, recentMs: 60_000, staleKeepMs: 30_000 },
      policy,
      now: () => clock,
      events: {
        retry: () => undefined,
        cache: () => undefined,
        flightJoin: () => void told.joins++,
        refresh: (outcome) => void told.refreshes.push(outcome),
      },
    },
    silent,
  );
  const fetch = async (p?: ServingPolicy) => {
    let told: Provenance | undefined;
    const data = await client.fetchTrend(question, undefined, { policy: p, served: (x) => (told = x) });
    return { data, told };
  };
  return { client, pending, fetch, told, advance: (ms: number) => (clock += ms), now: () => clock };
}

/** Waits until the inner client has been called `n` times (calls start after a few awaits). */
async function calls(pending: readonly unknown[], n: number): Promise<void> {
  for (let i = 0; i < 1000 && pending.length < n; i++) await new Promise((resolve) => setImmediate(resolve));
  expect(pending).toHaveLength(n);
}

describe('serving policies', () => {
  it('tells UPSTREAM, then CACHE with the first fetch time', async () => {
    const s = setup();
    const first = s.fetch();
    await calls(s.pending, 1);
    const fetchedAt = s.now();
    s.pending[0].resolve(answer(1));
    expect((await first).told).toEqual({ fetchedAt, source: 'UPSTREAM' });
    s.advance(10_000);
    expect((await s.fetch()).told).toEqual({ fetchedAt, source: 'CACHE' });
  });

  it('stale-while-revalidate: serves the expired entry before its one refresh is answered, for every concurrent asker', async () => {
    const s = setup();
    const first = s.fetch();
    await calls(s.pending, 1);
    const fetchedAt = s.now();
    s.pending[0].resolve(answer(1));
    await first;
    s.advance(70_000);
    const stale = await Promise.all([1, 2, 3].map(() => s.fetch('stale-while-revalidate')));
    for (const { data, told } of stale) {
      expect(told).toEqual({ fetchedAt, source: 'STALE_CACHE' });
      expect(data.stale).toEqual({ storedAt: fetchedAt });
      expect(data.summary?.uniqueUsers).toBe(1);
    }
    await calls(s.pending, 2); // one refresh, still held
    s.pending[1].resolve(answer(2));
    for (let i = 0; i < 1000 && (await s.fetch()).told?.source !== 'CACHE'; i++) await new Promise((r) => setImmediate(r));
    expect((await s.fetch()).data.summary?.uniqueUsers).toBe(2);
    expect(s.pending).toHaveLength(2);
  });

  it('must-revalidate fails with the upstream error where wait serves the expired entry', async () => {
    const s = setup();
    const first = s.fetch();
    await calls(s.pending, 1);
    s.pending[0].resolve(answer(1));
    await first;
    s.advance(70_000);
    const waiting = s.fetch('wait');
    await calls(s.pending, 2);
    const strict = s.fetch('must-revalidate'); // joins the same flight: no second call
    s.pending[1].reject(new UpstreamError(ErrorCode.UPSTREAM_UNAVAILABLE, 'down', 503));
    expect((await waiting).told?.source).toBe('STALE_CACHE');
    await expect(strict).rejects.toMatchObject({ code: ErrorCode.UPSTREAM_UNAVAILABLE });
    expect(s.pending).toHaveLength(2);
  });

  it('stale-while-revalidate: askers who joined a refresh that found no spare slot ask on their own, in one flight', async () => {
    const interactive = createMemoryBudget({ perMinute: 100, perHour: 1000, maxWaitMs: 0 });
    let answerSpare: (slot: BudgetSlot | undefined) => void = () => undefined;
    const budget: BotBudget = {
      acquire: (bot, caller) => interactive.acquire(bot, caller),
      trySpare: () => new Promise((resolve) => (answerSpare = resolve)),
      usage: (bot, caller) => interactive.usage(bot, caller),
    };
    const s = setup(undefined, budget);
    const first = s.fetch();
    await calls(s.pending, 1);
    s.pending[0].resolve(answer(1));
    await first;
    s.advance(70_000);
    expect((await s.fetch('stale-while-revalidate')).told?.source).toBe('STALE_CACHE'); // its refresh asks for a spare slot
    const waiting = s.fetch('wait');
    const strict = s.fetch('must-revalidate');
    for (let i = 0; i < 1000 && s.told.joins < 2; i++) await new Promise((r) => setImmediate(r));
    expect(s.told.joins).toBe(2); // both joined the refresh's flight
    answerSpare(undefined); // none: the refresh makes no call
    await calls(s.pending, 2); // one interactive call, for both
    s.pending[1].resolve(answer(2));
    expect((await waiting).told?.source).toBe('UPSTREAM');
    expect((await strict).told?.source).toBe('UPSTREAM');
    expect(s.pending).toHaveLength(2);
    expect(s.told.refreshes).toEqual(['skipped_budget']);
  });

  it('askers waiting for a fresh answer do not take the failed single attempt of a refresh they joined: they ask with retries', async () => {
    const s = setup(undefined, createMemoryBudget({ perMinute: 100, perHour: 1000, maxWaitMs: 0 }));
    const first = s.fetch();
    await calls(s.pending, 1);
    s.pending[0].resolve(answer(1));
    await first;
    s.advance(70_000);
    expect((await s.fetch('stale-while-revalidate')).told?.source).toBe('STALE_CACHE');
    await calls(s.pending, 2); // the refresh behind it, from a spare slot
    const waiting = s.fetch('wait');
    const strict = s.fetch('must-revalidate');
    for (let i = 0; i < 1000 && s.told.joins < 2; i++) await new Promise((r) => setImmediate(r));
    expect(s.told.joins).toBe(2);
    s.pending[1].reject(new UpstreamError(ErrorCode.UPSTREAM_UNAVAILABLE, 'Kore.ai answered 503.', 503));
    await calls(s.pending, 4); // each asks on its own: neither is handed the refresh's failure
    s.pending[2].resolve(answer(2));
    s.pending[3].resolve(answer(2));
    expect((await waiting).told?.source).toBe('UPSTREAM');
    expect((await strict).told?.source).toBe('UPSTREAM');
    expect(s.told.refreshes).toEqual(['failed']);
  });

  it("a fetch naming no policy follows the client's configured one", async () => {
    const s = setup('stale-while-revalidate');
    const first = s.fetch();
    await calls(s.pending, 1);
    s.pending[0].resolve(answer(1));
    await first;
    s.advance(70_000);
    expect((await s.fetch()).told?.source).toBe('STALE_CACHE');
    // Past CACHE_STALE_SECONDS after its freshness: not served, the asker waits.
    s.advance(30_000);
    const late = s.fetch();
    await calls(s.pending, 2);
    s.pending[1].resolve(answer(3));
    expect((await late).told?.source).toBe('UPSTREAM');
  });
});

describe('summarize', () => {
  it('the oldest fetch, the least fresh source, stale when any is', () => {
    const f = summarize(
      [
        { fetchedAt: 50_000, source: 'CACHE' },
        { fetchedAt: 20_000, source: 'UPSTREAM' },
      ],
      0,
      80_400,
    );
    expect(f).toMatchObject({ asOf: new Date(20_000), ageSeconds: 60, stale: false, source: AnswerSource.CACHE });
    const s = summarize(
      [
        { fetchedAt: 50_000, source: 'STALE_CACHE' },
        { fetchedAt: 20_000, source: 'CACHE' },
      ],
      0,
      80_000,
    );
    expect(s).toMatchObject({ asOf: new Date(20_000), stale: true, source: AnswerSource.STALE_CACHE });
  });

  it('with no answer: the moment the request was received, age 0, UPSTREAM', () => {
    expect(summarize([], 5_000, 9_000)).toMatchObject({
      asOf: new Date(5_000),
      ageSeconds: 0,
      stale: false,
      source: AnswerSource.UPSTREAM,
    });
  });
});
