import { todayIn } from '../time/zones';
import { requestKey, type Provenance, type ServingPolicy, type TrendData, type UpstreamRequest } from '../engagement/model';
import { UpstreamError } from '../errors';
import { allowsStale, isHostFailure, isRetryable } from './failures';
import { isCallerShareRefusal, type BudgetSlot } from './budget';
import { REFRESH_CALLER } from './budget-usage';
import type { CallTrace, KoreClient, UpstreamLog } from './kore';
import { localFlights } from './redis-flights';
import type { RefreshResult, ResilienceOptions, ResilientClient } from './resilience-options';
import type { CacheEntry } from './response-cache';
import { NoSpareSlot, SingleAttemptFailure, spareCall } from './spare-call';

/**
 * The Kore client as every request sees it: ask once, within budget, and survive a flaky host.
 *
 *   cache (fresh) → single flight → [ breaker → budget → call ] × retries → cache, or stale on error
 *   (with stale-while-revalidate: an expired entry is answered at once, and a refresh flight runs
 *   behind it from a spare budget slot only, spare-call.ts: none free, no call, the next asker tries)
 *
 * - Cache keys are the credential identity plus the canonical request, so answers never cross tenants.
 * - A range that ended before yesterday (in its own zone) is settled and cached long; one touching
 *   yesterday or today briefly. Expired entries are kept `staleKeepMs` longer for stale-on-error.
 * - N concurrent askers of one question share one flight, across requests.
 * - Every attempt, retries included, spends the bot's budget. Only what can succeed on retry is
 *   retried (429, 5xx, refused/reset, timeouts), with full-jitter exponential backoff, honouring
 *   Retry-After, within `maxAttempts` and `maxTotalMs`.
 */

export type { RefreshResult, ResilienceOptions, ResilientClient } from './resilience-options';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An answer and where it came from. */
interface Served {
  readonly data: TrendData;
  readonly provenance: Provenance;
}

/**
 * One question being fetched, and the caller whose budget share pays for it (REFRESH_CALLER for a
 * refresh behind a stale answer): `fetched` as the upstream gave it, `answer` with stale-if-error
 * applied (what `wait` askers get).
 */
interface Flight {
  readonly caller: string;
  readonly fetched: Promise<Served>;
  readonly answer: Promise<Served>;
}

export function createResilientClient(inner: KoreClient, options: ResilienceOptions, log: UpstreamLog): ResilientClient {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const { budget, breaker, cache, retry, ttl } = options;
  /** In-process single flight: the answer being fetched per key. */
  const flights = new Map<string, Flight>();
  const spare = { inner, budget, breaker };

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

  /** The cache key of a question: the credential identity plus the canonical request. */
  const keyOf = (req: UpstreamRequest) => `${options.credentialId}|${requestKey(req)}`;

  /** Stores a fetched answer, fresh for its range's TTL and kept `staleKeepMs` past it; returns its freshness. */
  async function store(key: string, req: UpstreamRequest, data: TrendData): Promise<number> {
    const fresh = freshFor(req);
    const freshUntil = now() + fresh;
    await cache.set(key, { data, storedAt: now(), freshUntil }, fresh + ttl.staleKeepMs);
    return freshUntil;
  }

  /** The refresh behind a stale-while-revalidate answer: a spare slot, uncapped by REFRESH_MAX_SHARE (a viewer asks now). */
  async function refreshBehind(req: UpstreamRequest): Promise<TrendData> {
    try {
      const data = await spareCall(spare, req, 1);
      options.events?.refresh?.('ran');
      return data;
    } catch (error) {
      options.events?.refresh?.(error instanceof NoSpareSlot ? 'skipped_budget' : 'failed');
      throw error instanceof UpstreamError ? new SingleAttemptFailure(error) : error;
    }
  }

  /**
   * Starts one flight for a key (the in-process map, and across replicas `options.flights`), from
   * the expired entry `cached` if any. `alone`: not registered, for a caller who may not share.
   * `behind`: the refresh behind a stale answer (no trace: it reports to no request).
   */
  function startFlight(
    key: string,
    req: UpstreamRequest,
    trace: CallTrace | undefined,
    cached: CacheEntry | undefined,
    alone: boolean,
    behind = false,
  ): Flight {
    if (!behind) options.events?.cache('miss'); // the asker behind a refresh was counted `stale`
    const lead = async () => {
      const data = behind ? await refreshBehind(req) : await callWithRetries(req, trace);
      await store(key, req, data);
      return data;
    };
    const fetched = (async (): Promise<Served> => {
      const data = await (options.flights ?? localFlights).run(key, lead, cache).catch((error: unknown) => {
        throw error instanceof SingleAttemptFailure ? error.error : error;
      });
      // A follower replica gets the leader's answer through the shared cache, stored just now.
      return { data, provenance: { fetchedAt: now(), source: 'UPSTREAM' } };
    })();
    const answer = fetched.catch((error: unknown): Served => {
      if (cached && allowsStale(error)) {
        log.warn(
          { botId: req.botId, code: (error as UpstreamError).code, ageSeconds: Math.round((now() - cached.storedAt) / 1000) },
          'serving stale answer',
        );
        options.events?.cache('stale');
        return staleFrom(cached);
      }
      throw error;
    });
    // Awaited by every asker but a `must-revalidate` one: handled here so that none goes unhandled.
    answer.catch(() => undefined);
    const flight = { caller: behind ? REFRESH_CALLER : (trace?.caller ?? ''), fetched, answer };
    if (!alone) {
      flights.set(key, flight);
      const done = () => flights.get(key) === flight && flights.delete(key);
      void answer.then(done, done);
    }
    return flight;
  }

  /**
   * One question, answered from the cache, by joining the flight already asking it, or by leading
   * one. `alone`: lead a flight of our own even if one is running (see below). The policy decides
   * what an expired entry is good for: served at once with a refresh behind
   * (`stale-while-revalidate`), served only if the upstream fails (`wait`), or never
   * (`must-revalidate`). It is per asker: askers with different policies share one flight.
   */
  async function ask(req: UpstreamRequest, key: string, alone: boolean, policy: ServingPolicy, trace?: CallTrace): Promise<Served> {
    const cached = await cache.get(key);
    if (cached && cached.freshUntil > now()) {
      trace?.cacheHit();
      trace?.fresh?.(cached.freshUntil);
      options.events?.cache('hit');
      return { data: cached.data, provenance: { fetchedAt: cached.storedAt, source: 'CACHE' } };
    }
    if (cached && policy === 'stale-while-revalidate' && now() - cached.freshUntil < ttl.staleKeepMs) {
      // One refresh per key: an asker that finds one running (here, or leased on another replica
      // through options.flights) only joins it, behind its own answer. It takes only a spare slot.
      if (!flights.has(key)) void startFlight(key, req, undefined, cached, false, true).answer.catch(() => undefined);
      options.events?.cache('stale');
      return staleFrom(cached);
    }
    const caller = trace?.caller ?? '';
    let flight = alone ? undefined : flights.get(key);
    if (flight) options.events?.flightJoin();
    else flight = startFlight(key, req, trace, cached, alone);
    // A refresh behind a stale answer makes one attempt from a spare slot, for askers content with
    // the stale answer. An asker who waits for a fresh one takes its outcome only if it is one.
    const behindRefresh = flight.caller === REFRESH_CALLER && policy !== 'stale-while-revalidate';
    let served: Served;
    try {
      served = await (policy === 'must-revalidate' || behindRefresh ? flight.fetched : flight.answer);
    } catch (error) {
      // We joined a refresh behind a stale answer that found no spare slot: it made no call, so
      // ask as usual (a flight of our own, which the other joiners share).
      if (error instanceof NoSpareSlot) {
        if (flights.get(key) === flight) flights.delete(key);
        return ask(req, key, alone, policy, trace);
      }
      // The leader was refused its own share of the budget: that is about the leader, not us. Ask
      // under our own share (once), so that a greedy caller's refusal never reaches a polite one.
      if (flight.caller !== caller && isCallerShareRefusal(error)) return ask(req, key, true, policy, trace);
      // The refresh's single attempt failed (a 503, a 429 its own retries would have waited out):
      // ours, with retries and stale-if-error as the policy says (once: alone, no refresh to join).
      if (behindRefresh) return ask(req, key, true, policy, trace);
      throw error;
    }
    if (!served.data.stale) trace?.fresh?.(now() + freshFor(req));
    return served;
  }

  /** An expired entry served as it is, marked stale (extensions.engagementGraph and `freshness` say so). */
  function staleFrom(cached: CacheEntry): Served {
    return {
      data: { ...cached.data, stale: { storedAt: cached.storedAt } },
      provenance: { fetchedAt: cached.storedAt, source: 'STALE_CACHE' },
    };
  }

  /**
   * Reports what was served fresh, read from the trace `ask` already tells (hits and fresh answers
   * call `fresh`; stale ones do not), so that `ask` itself knows nothing of the refresher.
   */
  async function reportServed(req: UpstreamRequest, key: string, trace: CallTrace | undefined, policy: ServingPolicy): Promise<Served> {
    let until: number | undefined;
    // The prototype keeps every other member live (the tracing plugin sets `span` later); with no
    // trace, every member `ask` and the Kore client call must still be there (they call `trace?.x()`).
    const seen: CallTrace = trace ? (Object.create(trace) as CallTrace) : { upstreamCall: () => undefined, cacheHit: () => undefined };
    seen.fresh = (at) => {
      until = at;
      trace?.fresh?.(at);
    };
    const result = await ask(req, key, false, policy, seen);
    if (until !== undefined && options.onServed) {
      const [report, freshUntil, periodMs] = [options.onServed, until, freshFor(req)];
      report(req, key, freshUntil, periodMs);
      trace?.served?.(() => report(req, key, freshUntil, periodMs));
    }
    return result;
  }

  /**
   * The background class: one call, only from a spare slot within REFRESH_MAX_SHARE (spare-call.ts;
   * the next viewer asks as usual if this fails), once per answer across replicas, stored like any answer.
   * `dueBefore`: the freshness the refresher planned on; a later one means it is done already.
   */
  async function refresh(req: UpstreamRequest, dueBefore: number): Promise<RefreshResult> {
    const key = keyOf(req);
    const cached = await cache.get(key);
    if (cached && cached.freshUntil > dueBefore) return { outcome: 'current', freshUntil: cached.freshUntil };
    const lock = `${key}|${dueBefore}`;
    if (options.refreshLock && !(await options.refreshLock.claim(lock, Math.max(1000, dueBefore - now() + 1000))))
      return { outcome: 'current', freshUntil: dueBefore };
    let data: TrendData;
    try {
      data = await spareCall(spare, req, options.refreshShare ?? 0);
    } catch (error) {
      if (error instanceof NoSpareSlot) {
        await options.refreshLock?.release(lock); // another replica may find a slot
        return { outcome: 'skipped_budget' };
      }
      // An open circuit made no call and says nothing new: only a failed call is worth a line.
      if (!(error instanceof UpstreamError && error.origin.kind === 'circuit-open'))
        log.warn({ botId: req.botId, code: error instanceof UpstreamError ? error.code : 'error' }, 'background refresh failed');
      return { outcome: 'failed' };
    }
    return { outcome: 'ran', freshUntil: await store(key, req, data) };
  }

  return {
    close: () => inner.close(),
    fetchTrend: async (req, trace, fetch) => {
      const policy = fetch?.policy ?? options.policy ?? 'wait';
      const key = keyOf(req);
      const result = options.onServed ? await reportServed(req, key, trace, policy) : await ask(req, key, false, policy, trace);
      fetch?.served?.(result.provenance);
      return result.data;
    },
    refresh,
  };
}
