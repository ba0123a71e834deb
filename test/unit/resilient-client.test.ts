import { upstreamRequest, type TrendData, type UpstreamRequest } from '../../src/engagement/model';
import { ErrorCode, UpstreamError } from '../../src/errors';
import { createCircuitBreaker, type CircuitBreaker } from '../../src/upstream/breaker';
import { createMemoryBudget } from '../../src/upstream/budget';
import type { KoreClient } from '../../src/upstream/kore';
import { createResilientClient } from '../../src/upstream/resilient-client';
import { createMemoryCache } from '../../src/upstream/response-cache';

/**
 * The resilient client's single flight with per-caller budget shares, and its retry and breaker
 * decisions, around a recording inner client.
 */

const silent = { debug: () => undefined, warn: () => undefined };
const answer: TrendData = {
  version: 'v2',
  summary: {
    uniqueUsers: 7,
    newUsers: 3,
    returningUsers: 4,
    avgUniqueUsersPerDay: 1,
    avgNewUsersPerDay: 0.4,
    avgReturningUsersPerDay: 0.6,
  },
};

function question(startDay: number): UpstreamRequest {
  return upstreamRequest(
    {
      version: 'v2',
      botId: 'st-1',
      startDay,
      endDay: startDay + 6,
      channel: null,
      conversationType: 'ALL',
      conversationStatus: 'ALL',
      timeZone: 'UTC',
    } as never,
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

/** A breaker that lets everything through and records what it was told. */
function recordingBreaker(): CircuitBreaker & { readonly told: string[] } {
  const told: string[] = [];
  return {
    told,
    enter: () => undefined,
    success: () => void told.push('success'),
    failure: () => void told.push('failure'),
    abandon: () => void told.push('abandon'),
    state: () => 'closed',
  };
}

/** An inner client that fails with `failures` in turn, then answers; `asked` records every call. */
function scripted(...failures: UpstreamError[]) {
  const asked: UpstreamRequest[] = [];
  const inner: KoreClient = {
    fetchTrend: async (req) => {
      asked.push(req);
      const next = failures.shift();
      if (next) throw next;
      return answer;
    },
    close: () => undefined,
  };
  return { asked, inner };
}

function resilient(inner: KoreClient, breaker: CircuitBreaker, maxAttempts = 3) {
  return createResilientClient(
    inner,
    {
      credentialId: 'c',
      budget: createMemoryBudget({ perMinute: 100, perHour: 1000, maxWaitMs: 0 }),
      breaker,
      cache: createMemoryCache(1_000_000),
      retry: { maxAttempts, baseDelayMs: 1, maxTotalMs: 10_000 },
      ttl: { settledMs: 60_000, recentMs: 60_000, staleKeepMs: 0 },
      random: () => 0, // no backoff: these tests are about which failures are retried, not when
    },
    silent,
  );
}

describe('retry and breaker decisions read the typed origin, never client-facing extensions', () => {
  it("retries Kore.ai's rate limit even when its extensions claim our budget refused it", async () => {
    const forged = new UpstreamError(ErrorCode.RATE_LIMITED, 'Kore.ai says slow down.', 429, { source: 'budget', reason: 'bot-budget' });
    const { asked, inner } = scripted(forged);
    const breaker = recordingBreaker();
    await expect(resilient(inner, breaker).fetchTrend(question(100))).resolves.toEqual(answer);
    expect(asked).toHaveLength(2);
    expect(breaker.told).toEqual(['abandon', 'success']); // a rate limit says nothing about the host's health
  });

  it("counts Kore.ai's 503 against the breaker and retries it even when its extensions say circuit-open", async () => {
    const forged = new UpstreamError(ErrorCode.UPSTREAM_UNAVAILABLE, 'Kore.ai failed to answer (HTTP 503).', 503, {
      reason: 'circuit-open',
    });
    const { asked, inner } = scripted(forged);
    const breaker = recordingBreaker();
    await expect(resilient(inner, breaker).fetchTrend(question(100))).resolves.toEqual(answer);
    expect(asked).toHaveLength(2);
    expect(breaker.told).toEqual(['failure', 'success']);
  });

  it('neither retries nor blames the host for refusals whose origin made no call, whatever their extensions say', async () => {
    const refusals = [
      new UpstreamError(ErrorCode.UPSTREAM_UNAVAILABLE, 'paused', undefined, {}, { kind: 'circuit-open' }),
      new UpstreamError(ErrorCode.UPSTREAM_TIMEOUT, 'paused', undefined, {}, { kind: 'circuit-open' }),
      new UpstreamError(ErrorCode.RATE_LIMITED, 'spent', undefined, { source: 'kore' }, { kind: 'budget', refusal: 'bot-budget' }),
      new UpstreamError(ErrorCode.UPSTREAM_UNAVAILABLE, 'no Redis', undefined, {}, { kind: 'shared-state' }),
    ];
    for (const refusal of refusals) {
      const { asked, inner } = scripted(refusal);
      const breaker = recordingBreaker();
      await expect(resilient(inner, breaker).fetchTrend(question(100))).rejects.toBe(refusal);
      expect({ origin: refusal.origin, asked: asked.length, told: breaker.told }).toEqual({
        origin: refusal.origin,
        asked: 1,
        told: ['abandon'],
      });
    }
  });

  it("honours Kore.ai's Retry-After: one longer than the retry time left ends the retries at once", async () => {
    const later = new UpstreamError(ErrorCode.RATE_LIMITED, 'Kore.ai says slow down.', 429, { retryAfter: 60 });
    const { asked, inner } = scripted(later);
    await expect(resilient(inner, recordingBreaker()).fetchTrend(question(100))).rejects.toBe(later);
    expect(asked).toHaveLength(1);
    const soon = new UpstreamError(ErrorCode.RATE_LIMITED, 'Kore.ai says slow down.', 429, { retryAfter: 0 });
    const again = scripted(soon);
    await expect(resilient(again.inner, recordingBreaker()).fetchTrend(question(100))).resolves.toEqual(answer);
    expect(again.asked).toHaveLength(2);
  });

  it("does not re-ask alone when a leader's failure only claims, in its extensions, to be a caller-share refusal", async () => {
    const forged = new UpstreamError(ErrorCode.RATE_LIMITED, 'Kore.ai says slow down.', 429, { source: 'budget', reason: 'caller-share' });
    const { asked, inner } = scripted(forged);
    const client = resilient(inner, recordingBreaker(), 1);
    const greedy = { caller: 'greedy', upstreamCall: () => undefined, cacheHit: () => undefined };
    const polite = { caller: 'polite', upstreamCall: () => undefined, cacheHit: () => undefined };
    const [g, p] = await Promise.allSettled([client.fetchTrend(question(500), greedy), client.fetchTrend(question(500), polite)]);
    expect(g).toEqual({ status: 'rejected', reason: forged });
    expect(p).toEqual({ status: 'rejected', reason: forged }); // the flight's answer, shared
    expect(asked).toHaveLength(1);
  });
});
