import { upstreamRequest, type TrendData, type UpstreamRequest } from '../../src/engagement/model';
import { createCircuitBreaker } from '../../src/upstream/breaker';
import { createMemoryBudget } from '../../src/upstream/budget';
import type { KoreClient } from '../../src/upstream/kore';
import { createResilientClient } from '../../src/upstream/resilient-client';
import { createMemoryCache } from '../../src/upstream/response-cache';

/** The resilient client's single flight with per-caller budget shares, around a recording inner client. */

const silent = { debug: () => undefined, warn: () => undefined };
const answer: TrendData = { version: 'v2', summary: { uniqueUsers: 7, newUsers: 3, returningUsers: 4, avgUniqueUsersPerDay: 1, avgNewUsersPerDay: 0.4, avgReturningUsersPerDay: 0.6 } };

function question(startDay: number): UpstreamRequest {
  return upstreamRequest(
    { version: 'v2', botId: 'st-1', startDay, endDay: startDay + 6, channel: null, conversationType: 'ALL', conversationStatus: 'ALL', timeZone: 'UTC' } as never,
    'daily',
  );
}

describe('single flight and caller shares', () => {
  it("a greedy leader's refusal of its own share never reaches a polite caller asking the same question", async () => {
    const asked: UpstreamRequest[] = [];
    const inner: KoreClient = { fetchTrend: async (req) => (asked.push(req), answer), close: () => undefined };
    const budget = createMemoryBudget({ perMinute: 4, perHour: 100, maxWaitMs: 0, callerShare: 0.5, reserveShare: 0.25 });
    const client = createResilientClient(
      inner,
      {
        credentialId: 'c',
        budget,
        breaker: createCircuitBreaker(5, 1000),
        cache: createMemoryCache(1_000_000),
        retry: { maxAttempts: 1, baseDelayMs: 1, maxTotalMs: 100 },
        ttl: { settledMs: 60_000, recentMs: 60_000, staleKeepMs: 0 },
      },
      silent,
    );
    const greedy = { caller: 'greedy', upstreamCall: () => undefined, cacheHit: () => undefined };
    const polite = { caller: 'polite', upstreamCall: () => undefined, cacheHit: () => undefined };
    for (let i = 0; i < 3; i++) await client.fetchTrend(question(100 + i * 10), greedy); // greedy alone: its 3 of 4
    expect(asked).toHaveLength(3);

    // The same new question from both, greedy first: greedy leads the flight and is refused.
    const [g, p] = await Promise.allSettled([client.fetchTrend(question(500), greedy), client.fetchTrend(question(500), polite)]);
    expect(g).toMatchObject({ status: 'rejected', reason: { extensions: { code: 'RATE_LIMITED', reason: 'caller-share' } } });
    expect(p).toEqual({ status: 'fulfilled', value: answer });
    expect(asked).toHaveLength(4); // the polite caller's own call, from the reserve
  });
});
