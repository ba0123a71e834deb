import { createLoaders, type Loaders, type TrendLoad } from '../../src/engagement/loaders';
import { requestKey, type TrendData, type TrendQuery, type UpstreamRequest } from '../../src/engagement/model';
import type { KoreClient } from '../../src/upstream/kore';
import { engagementSeries } from '../../src/engagement/engagement.type';

/**
 * The loaders over a recording stub client, in graphql/dataloader's `[loader, calls]` style: each
 * test builds fresh loaders around a stub that records every fetchTrend request it is given, then
 * asserts which upstream calls the loads caused.
 */

interface Stub {
  readonly client: KoreClient;
  /** Every request fetchTrend received, in order (keys: `granularity|question`). */
  readonly calls: string[];
  /** Requests started and not yet answered. */
  inFlight: number;
  maxInFlight: number;
  /** Answers the oldest held request (hold mode only). */
  releaseOne(): void;
  readonly held: number;
}

function stubClient(options: { hold?: boolean; fail?: (req: UpstreamRequest) => Error | undefined } = {}): Stub {
  const waiting: Array<() => void> = [];
  const stub: Stub = {
    calls: [],
    inFlight: 0,
    maxInFlight: 0,
    releaseOne: () => waiting.shift()?.(),
    get held() {
      return waiting.length;
    },
    client: {
      close: () => undefined,
      fetchTrend: async (req) => {
        stub.calls.push(requestKey(req));
        stub.inFlight++;
        stub.maxInFlight = Math.max(stub.maxInFlight, stub.inFlight);
        try {
          if (options.hold) await new Promise<void>((resolve) => waiting.push(resolve));
          const error = options.fail?.(req);
          if (error) throw error;
          return answer(req);
        } finally {
          stub.inFlight--;
        }
      },
    },
  };
  return stub;
}

const SUMMARY = {
  uniqueUsers: 3,
  newUsers: 1,
  returningUsers: 2,
  avgUniqueUsersPerDay: 3,
  avgNewUsersPerDay: 1,
  avgReturningUsersPerDay: 2,
};
const answer = (req: UpstreamRequest): TrendData =>
  req.granularity === 'hourly'
    ? { version: req.version, summary: SUMMARY, hourly: [] }
    : { version: req.version, summary: SUMMARY, series: engagementSeries(req.version, [], [], []) };

const question = (over: Partial<TrendQuery> = {}): TrendQuery => ({
  version: 'v2',
  botId: 'st-a',
  startDay: 20_400,
  endDay: 20_406,
  channel: null,
  conversationType: 'ALL',
  conversationStatus: 'ALL',
  timeZone: 'UTC',
  ...over,
});
const key = (granularity: string, q: TrendQuery = question()) => requestKey({ ...q, granularity: granularity as 'daily' | 'hourly' });

const loaders = (stub: Stub, maxConcurrency = 4): Loaders => createLoaders(stub.client, { maxConcurrency });
const loadAll = (l: Loaders, loads: TrendLoad[]) => Promise.all(loads.map((load) => l.trend.load(load)));

/** Polls `condition` until it holds or the deadline passes (no fixed sleeps). */
async function until(condition: () => boolean, what: string, deadlineMs = 5000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('loaders: the calls a batch of needs makes', () => {
  it('summary and hourly of one question: one hourly call', async () => {
    const stub = stubClient();
    const [summary, hourly] = await loadAll(loaders(stub), [
      { query: question(), need: 'summary' },
      { query: question(), need: 'hourly' },
    ]);
    expect(stub.calls).toEqual([key('hourly')]);
    expect(summary.summary).toEqual(SUMMARY);
    expect(hourly.hourly).toEqual([]);
  });

  it('summary alone: one daily call', async () => {
    const stub = stubClient();
    await loadAll(loaders(stub), [{ query: question(), need: 'summary' }]);
    expect(stub.calls).toEqual([key('daily')]);
  });

  it('summary, series and hourly: one daily and one hourly call', async () => {
    const stub = stubClient();
    await loadAll(loaders(stub), [
      { query: question(), need: 'summary' },
      { query: question(), need: 'daily' },
      { query: question(), need: 'hourly' },
    ]);
    expect([...stub.calls].sort()).toEqual([key('daily'), key('hourly')].sort());
  });

  it('summary rides on hourly only for the same question', async () => {
    const stub = stubClient();
    const other = question({ botId: 'st-b' });
    await loadAll(loaders(stub), [
      { query: question(), need: 'summary' },
      { query: other, need: 'hourly' },
    ]);
    expect([...stub.calls].sort()).toEqual([key('daily'), key('hourly', other)].sort());
  });

  it('equal questions (distinct objects) are one call, within a batch and across batches', async () => {
    const stub = stubClient();
    const l = loaders(stub);
    await loadAll(l, [
      { query: question(), need: 'daily' },
      { query: question(), need: 'daily' },
    ]);
    await l.trend.load({ query: question(), need: 'daily' });
    // A summary alone in a later batch is answered by the daily call already made.
    await l.trend.load({ query: question(), need: 'summary' });
    expect(stub.calls).toEqual([key('daily')]);
  });

  it('loads issued across promise hops land in one batch (what the planner relies on)', async () => {
    const stub = stubClient();
    const l = loaders(stub);
    const later = async (load: TrendLoad, hops: number) => {
      for (let i = 0; i < hops; i++) await Promise.resolve();
      return l.trend.load(load);
    };
    await Promise.all([later({ query: question(), need: 'summary' }, 0), later({ query: question(), need: 'hourly' }, 5)]);
    expect(stub.calls).toEqual([key('hourly')]);
  });

  it('keeps at most maxConcurrency calls in flight', async () => {
    const stub = stubClient({ hold: true });
    const days = Array.from({ length: 7 }, (_, i) => question({ startDay: 20_400 + i, endDay: 20_400 + i }));
    const all = loadAll(
      loaders(stub, 2),
      days.map((q) => ({ query: q, need: 'daily' })),
    );
    let released = 0;
    while (released < days.length) {
      await until(() => stub.held > 0, 'a held call');
      expect(stub.inFlight).toBeLessThanOrEqual(2);
      stub.releaseOne();
      released++;
    }
    await all;
    expect(stub.calls).toHaveLength(7);
    expect(stub.maxInFlight).toBe(2);
  });

  it('fails per key: one failing call fails only the loads it answers', async () => {
    const boom = new Error('upstream down for st-b');
    const stub = stubClient({ fail: (req) => (req.botId === 'st-b' ? boom : undefined) });
    const l = loaders(stub);
    const results = await Promise.allSettled([
      l.trend.load({ query: question(), need: 'summary' }),
      l.trend.load({ query: question({ botId: 'st-b' }), need: 'summary' }),
      l.trend.load({ query: question({ botId: 'st-b' }), need: 'daily' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect(results.slice(1).map((r) => (r.status === 'rejected' ? r.reason : undefined))).toEqual([boom, boom]);
    expect(stub.calls).toHaveLength(2); // st-b's summary and series share its one daily call
  });

  it('tells onStale of an answer served stale', async () => {
    const stub = stubClient();
    const stale: Array<[string, number]> = [];
    const client: KoreClient = {
      ...stub.client,
      fetchTrend: async (req) => ({ ...(await stub.client.fetchTrend(req)), stale: { storedAt: 42 } }),
    };
    const l = createLoaders(client, { maxConcurrency: 1, onStale: (req, storedAt) => stale.push([requestKey(req), storedAt]) });
    await l.trend.load({ query: question(), need: 'hourly' });
    expect(stale).toEqual([[key('hourly'), 42]]);
  });
});
