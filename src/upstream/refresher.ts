import type { UpstreamRequest } from '../engagement/model';
import type { RefreshResult } from './resilient-client';

/**
 * Background refresh: a question asked more than once within its freshness is asked again shortly
 * before its answer expires (its last `LEAD_SHARE` of freshness), so that the next viewer gets a
 * cache hit instead of waiting for Kore.ai. Invariants:
 * - a refresh only ever takes a spare budget slot (the resilient client's `refresh`, the budget's
 *   background class): it never waits, never queues, never takes a slot an interactive call needs;
 * - a question is refreshed only while it is asked: twice in its first freshness, then at least
 *   once in each refreshed freshness; otherwise it is dropped (`skipped_idle`);
 * - one refresh per answer across replicas (the client's refresh lock, or a newer answer in the
 *   shared cache), and at most one in flight per question in this process;
 * - the questions tracked are bounded (`maxQuestions`, from CACHE_MAX_BYTES' refresh share and
 *   TRACKED_BYTES): past it, new questions are not refreshed.
 */

/**
 * Heap one tracked question may keep (its Map entry, key string and request): a generous estimate,
 * not a per-entry measurement; the soak test (test/integration/memory-soak.test.ts) holds the whole
 * process to CACHE_MAX_BYTES with refresh on, and failed before this bound existed.
 */
export const TRACKED_BYTES = 1500;

/** The share of a freshness period, at its end, in which a refresh is due. */
export const LEAD_SHARE = 0.15;

export type RefreshOutcome = 'ran' | 'skipped_budget' | 'skipped_idle' | 'failed';

export interface Refreshable {
  refresh(req: UpstreamRequest, dueBefore: number): Promise<RefreshResult>;
}

export interface RefresherOptions {
  readonly now: () => number;
  /** How often due questions are looked for. */
  readonly tickMs: number;
  readonly maxQuestions?: number;
  readonly events?: { refresh(outcome: RefreshOutcome): void; cache(event: 'refreshed_hit'): void };
}

export interface Refresher {
  /** An answer was served fresh until `freshUntil` (a freshness period of `periodMs`). */
  served(client: Refreshable, req: UpstreamRequest, key: string, freshUntil: number, periodMs: number): void;
  /** Stops the timer; refreshes in flight finish on their own. */
  close(): void;
}

interface Tracked {
  readonly client: Refreshable;
  readonly req: UpstreamRequest;
  readonly periodMs: number;
  freshUntil: number;
  /** Times asked in the current freshness period. */
  asks: number;
  /** The freshness of the answer a refresh stored (hits on it are refreshed hits). */
  refreshedUntil?: number;
  running: boolean;
  /** A budget skip is counted once per period, however many ticks retry it. */
  skippedFor?: number;
}

export function createRefresher(options: RefresherOptions): Refresher {
  const { now, events } = options;
  const maxQuestions = options.maxQuestions ?? 10_000;
  const tracked = new Map<string, Tracked>();

  function due(key: string, q: Tracked, t: number): void {
    if (q.running || t < q.freshUntil - Math.max(options.tickMs * 2, q.periodMs * LEAD_SHARE)) return;
    // Expired without a refresh (every tick skipped for budget, or a failure): the next ask starts over.
    if (t >= q.freshUntil) return void tracked.delete(key);
    if (q.asks < (q.refreshedUntil === undefined ? 2 : 1)) {
      tracked.delete(key);
      events?.refresh('skipped_idle');
      return;
    }
    q.running = true;
    const planned = q.freshUntil;
    void q.client.refresh(q.req, planned).then(
      (result) => settle(key, q, planned, result),
      () => settle(key, q, planned, { outcome: 'failed' }),
    );
  }

  function settle(key: string, q: Tracked, planned: number, result: RefreshResult): void {
    q.running = false;
    if (result.outcome === 'ran' || result.outcome === 'current') {
      if (result.outcome === 'ran') events?.refresh('ran');
      q.freshUntil = Math.max(q.freshUntil, result.freshUntil);
      q.refreshedUntil = q.freshUntil;
      q.asks = 0;
    } else if (result.outcome === 'skipped_budget') {
      if (q.skippedFor !== planned) events?.refresh('skipped_budget');
      q.skippedFor = planned;
    } else {
      events?.refresh('failed');
      if (tracked.get(key) === q) tracked.delete(key);
    }
  }

  const timer = setInterval(() => {
    const t = now();
    for (const [key, q] of tracked) due(key, q, t);
  }, options.tickMs);
  timer.unref();

  return {
    served(client, req, key, freshUntil, periodMs) {
      const q = tracked.get(key);
      if (!q) {
        if (tracked.size < maxQuestions) tracked.set(key, { client, req, periodMs, freshUntil, asks: 1, running: false });
        return;
      }
      if (q.refreshedUntil !== undefined && freshUntil === q.refreshedUntil) events?.cache('refreshed_hit');
      q.freshUntil = Math.max(q.freshUntil, freshUntil);
      q.asks++;
    },
    close: () => clearInterval(timer),
  };
}
