import { todayIn } from '../time/zones';
import { requestKey, type TrendData, type UpstreamRequest } from '../engagement/model';
import { ErrorCode, UpstreamError } from '../errors';
import { isCallerShareRefusal, type BotBudget, type BudgetSlot } from './budget';
import type { CircuitBreaker } from './breaker';
import type { CallTrace, KoreClient, UpstreamLog } from './kore';
import { localFlights, type FlightCoordinator } from './redis-flights';
import type { ResponseCache } from './response-cache';

/**
 * The Kore client as every request sees it: ask once, within budget, and survive a flaky host.
 *
 *   cache (fresh) → single flight → [ breaker → budget → call ] × retries → cache, or stale on error
 *
 * - Cache keys are the credential identity plus the canonical request, so answers never cross tenants.
 * - A range that ended before yesterday (in its own zone) is settled and cached long; one touching
 *   yesterday or today briefly. Expired entries are kept `staleKeepMs` longer for stale-on-error.
 * - N concurrent askers of one question share one flight, across requests.
 * - Every attempt, retries included, spends the bot's budget. Only what can succeed on retry is
 *   retried (429, 5xx, refused/reset, timeouts), with full-jitter exponential backoff, honouring
 *   Retry-After, within `maxAttempts` and `maxTotalMs`.
 */

export interface ResilienceOptions {
  /** Who is asking upstream (host + client id): part of every cache key. */
  readonly credentialId: string;
  readonly budget: BotBudget;
  readonly breaker: CircuitBreaker;
  readonly cache: ResponseCache;
  /** Cross-replica single flight (Redis); in-process flights are always on. */
  readonly flights?: FlightCoordinator;
  readonly retry: { readonly maxAttempts: number; readonly baseDelayMs: number; readonly maxTotalMs: number };
  readonly ttl: { readonly settledMs: number; readonly recentMs: number; readonly staleKeepMs: number };
  readonly now?: () => number;
  readonly random?: () => number;
  /** Told what happened, for metrics. */
  readonly events?: { retry(): void; cache(event: 'hit' | 'miss' | 'stale'): void; flightJoin(): void };
  /** Told of every answer served fresh (cached or just fetched): the background refresher's input. */
  readonly onServed?: (req: UpstreamRequest, key: string, freshUntil: number, periodMs: number) => void;
  /** Most of a bot's minute budget refreshes may hold (REFRESH_MAX_SHARE). */
  readonly refreshShare?: number;
  /** A background refresh claims a question's answer once across replicas (Redis); absent: one process. */
  readonly refreshLock?: { claim(name: string, ms: number): Promise<boolean>; release(name: string): Promise<void> };
}

/** What a background refresh did: `current` means a newer answer was already stored (another replica). */
export type RefreshResult =
  { readonly outcome: 'ran' | 'current'; readonly freshUntil: number } | { readonly outcome: 'skipped_budget' | 'failed' };

/** The resilient client, and the background refresh of one question (refresher.ts drives it). */
export interface ResilientClient extends KoreClient {
  refresh(req: UpstreamRequest, dueBefore: number): Promise<RefreshResult>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Decisions read the error's typed origin, never its client-facing extensions: only a call Kore.ai
 * failed says anything about the host (an open circuit or our own budget made no call).
 */
function isHostFailure(e: UpstreamError): boolean {
  return e.origin.kind === 'kore' && (e.code === ErrorCode.UPSTREAM_UNAVAILABLE || e.code === ErrorCode.UPSTREAM_TIMEOUT);
}

function isRetryable(e: UpstreamError): boolean {
  return isHostFailure(e) || (e.origin.kind === 'kore' && e.code === ErrorCode.RATE_LIMITED);
}

/** Failures after which an older answer beats no answer (not: our credentials or the request being refused). */
const STALE_OK = new Set<string>([
  ErrorCode.RATE_LIMITED,
  ErrorCode.UPSTREAM_UNAVAILABLE,
  ErrorCode.UPSTREAM_TIMEOUT,
  ErrorCode.UPSTREAM_BAD_RESPONSE,
]);
function allowsStale(e: unknown): boolean {
  return e instanceof UpstreamError && STALE_OK.has(e.code);
}

export function createResilientClient(inner: KoreClient, options: ResilienceOptions, log: UpstreamLog): ResilientClient {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const { budget, breaker, cache, retry, ttl } = options;
  /** In-process single flight: the answer being fetched per key, and the caller whose budget share pays for it. */
  const flights = new Map<string, { readonly caller: string; readonly answer: Promise<TrendData> }>();

  async function callWithRetries(req: UpstreamRequest, trace: CallTrace | undefined): Promise<TrendData> {
    const started = now();
    let last: UpstreamError | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        breaker.enter();
      } catch (open) {
        // A retry that finds the circuit open reports what this call ran into (a timeout, a 503),
        // not only that calls are paused.
        throw last ?? open;
      }
      let slot: BudgetSlot;
      try {
        slot = await budget.acquire(req.botId, trace?.caller);
      } catch (error) {
        breaker.abandon();
        throw error;
      }
      let data: TrendData;
      try {
        data = await inner.fetchTrend(req, trace);
      } catch (error) {
        slot.release();
        if (!(error instanceof UpstreamError)) throw error;
        last = error;
        if (isHostFailure(error)) breaker.failure(error);
        else breaker.abandon();
        if (!isRetryable(error) || attempt >= retry.maxAttempts) throw error;
        const backoff = random() * retry.baseDelayMs * 2 ** (attempt - 1);
        const delay = error.retryAfter !== undefined ? Math.max(error.retryAfter * 1000, backoff) : backoff;
        if (now() - started + delay > retry.maxTotalMs) throw error;
        log.warn({ botId: req.botId, code: error.code, attempt, delayMs: Math.round(delay) }, 'upstream call retried');
        options.events?.retry();
        await sleep(delay);
        continue;
      }
      // The slot counts until the exchange ended (Kore may count the call any time in between).
      slot.release();
      breaker.success();
      return data;
    }
  }

  function freshFor(req: UpstreamRequest): number {
    const settled = req.endDay < todayIn(req.timeZone, now()) - 1;
    return settled ? ttl.settledMs : ttl.recentMs;
  }

  /**
   * One question, answered from the cache, by joining the flight already asking it, or by leading
   * one. `alone`: lead a flight of our own even if one is running (see below).
   */
  async function ask(req: UpstreamRequest, trace: CallTrace | undefined, alone: boolean): Promise<TrendData> {
    const key = `${options.credentialId}|${requestKey(req)}`;
    const cached = await cache.get(key);
    if (cached && cached.freshUntil > now()) {
      trace?.cacheHit();
      trace?.fresh?.(cached.freshUntil);
      options.events?.cache('hit');
      return cached.data;
    }
    const caller = trace?.caller ?? '';
    let flight = alone ? undefined : flights.get(key);
    if (flight) options.events?.flightJoin();
    else {
      options.events?.cache('miss');
      const lead = async () => {
        const data = await callWithRetries(req, trace);
        const fresh = freshFor(req);
        await cache.set(key, { data, storedAt: now(), freshUntil: now() + fresh }, fresh + ttl.staleKeepMs);
        return data;
      };
      const answer = (async () => {
        try {
          return await (options.flights ?? localFlights).run(key, lead, cache);
        } catch (error) {
          if (cached && allowsStale(error)) {
            log.warn(
              { botId: req.botId, code: (error as UpstreamError).code, ageSeconds: Math.round((now() - cached.storedAt) / 1000) },
              'serving stale answer',
            );
            options.events?.cache('stale');
            return { ...cached.data, stale: { storedAt: cached.storedAt } };
          }
          throw error;
        }
      })();
      const own = { caller, answer };
      flight = own;
      if (!alone) {
        flights.set(key, own);
        void answer.then(
          () => flights.get(key) === own && flights.delete(key),
          () => flights.get(key) === own && flights.delete(key),
        );
      }
    }
    let data: TrendData;
    try {
      data = await flight.answer;
    } catch (error) {
      // The leader was refused its own share of the budget: that is about the leader, not us. Ask
      // under our own share (once), so that a greedy caller's refusal never reaches a polite one.
      if (flight.caller !== caller && isCallerShareRefusal(error)) return ask(req, trace, true);
      throw error;
    }
    if (!data.stale) trace?.fresh?.(now() + freshFor(req));
    return data;
  }

  /**
   * Reports what was served fresh, read from the trace `ask` already tells (hits and fresh answers
   * call `fresh`; stale ones do not), so that `ask` itself knows nothing of the refresher.
   */
  async function served(req: UpstreamRequest, trace: CallTrace | undefined): Promise<TrendData> {
    let until: number | undefined;
    // The prototype keeps every other member live (the tracing plugin sets `span` later); with no
    // trace, every member `ask` and the Kore client call must still be there (they call `trace?.x()`).
    const seen: CallTrace = trace ? (Object.create(trace) as CallTrace) : { upstreamCall: () => undefined, cacheHit: () => undefined };
    seen.fresh = (at) => {
      until = at;
      trace?.fresh?.(at);
    };
    const data = await ask(req, seen, false);
    if (until !== undefined) options.onServed?.(req, `${options.credentialId}|${requestKey(req)}`, until, freshFor(req));
    return data;
  }

  /**
   * The background class: one call, only from a spare slot (never waiting, no retries: the next
   * viewer asks as usual if this fails), once per answer across replicas, stored like any answer.
   * `dueBefore`: the freshness the refresher planned on; a later one means it is done already.
   */
  async function refresh(req: UpstreamRequest, dueBefore: number): Promise<RefreshResult> {
    const key = `${options.credentialId}|${requestKey(req)}`;
    const cached = await cache.get(key);
    if (cached && cached.freshUntil > dueBefore) return { outcome: 'current', freshUntil: cached.freshUntil };
    const lock = `${key}|${dueBefore}`;
    if (options.refreshLock && !(await options.refreshLock.claim(lock, Math.max(1000, dueBefore - now() + 1000))))
      return { outcome: 'current', freshUntil: dueBefore };
    const slot = await budget.trySpare?.(req.botId, options.refreshShare ?? 0).catch(() => undefined);
    if (!slot) {
      await options.refreshLock?.release(lock); // another replica may find a slot
      return { outcome: 'skipped_budget' };
    }
    try {
      breaker.enter();
    } catch {
      slot.release();
      return { outcome: 'failed' };
    }
    try {
      const data = await inner.fetchTrend(req);
      slot.release();
      breaker.success();
      const fresh = freshFor(req);
      const freshUntil = now() + fresh;
      await cache.set(key, { data, storedAt: now(), freshUntil }, fresh + ttl.staleKeepMs);
      return { outcome: 'ran', freshUntil };
    } catch (error) {
      slot.release();
      if (error instanceof UpstreamError && isHostFailure(error)) breaker.failure(error);
      else breaker.abandon();
      log.warn({ botId: req.botId, code: error instanceof UpstreamError ? error.code : 'error' }, 'background refresh failed');
      return { outcome: 'failed' };
    }
  }

  return {
    close: () => inner.close(),
    fetchTrend: (req, trace) => (options.onServed ? served(req, trace) : ask(req, trace, false)),
    refresh,
  };
}
