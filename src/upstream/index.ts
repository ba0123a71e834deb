import { createHash } from 'node:crypto';
import { allCredentials, cacheShares, credentialFor, type Config, type KoreCredential } from '../config';
import { performance } from 'node:perf_hooks';
import { BotNotConfiguredError, UpstreamError } from '../errors';
import type { Secret } from '../config';
import { recordLater, type Metrics } from '../observability/metrics';
import type { Tracer } from '@opentelemetry/api';
import { endSpan, startUpstreamSpan } from '../observability/tracing';
import { budgetRefusalLabel, createMemoryBudget, type BotBudget } from './budget';
import type { BudgetUsage } from './budget-usage';
import { createCircuitBreaker } from './breaker';
import { createKoreClient, type KoreClient, type UpstreamLog } from './kore';
import { createRefresher, TRACKED_BYTES } from './refresher';
import { createResilientClient, type ResilientClient } from './resilient-client';
import { createMemoryCache, type ResponseCache } from './response-cache';
import { createRedisCache } from './redis';
import { createRedisFlights } from './redis-flights';
import { createRedisBudget } from './redis-budget';
import type Redis from 'ioredis';

export interface UpstreamOptions {
  /** The built-in upstream's URL, for credentials without a host (no KORE_HOST). */
  readonly builtinHost?: string;
  readonly now?: () => number;
  /** A cache shared with other clients (tests); by default a fresh in-process LRU. */
  readonly cache?: ResponseCache;
  /** When set (REDIS_URL), cache, budget and single flight are shared by every replica. */
  readonly redis?: Redis;
  readonly metrics?: Metrics;
  readonly tracer?: Tracer;
  /** Told when this replica wrote its budget slots back into a Redis that lost them. */
  readonly onReseed?: (slots: number) => void;
}

/** Times every HTTP exchange with Kore.ai (metrics, and a span when tracing is on). */
function measured(client: KoreClient, metrics: Metrics | undefined, tracer: Tracer | undefined): KoreClient {
  if (!metrics && !tracer) return client;
  return {
    close: () => client.close(),
    async fetchTrend(req, trace) {
      const started = performance.now();
      const span = startUpstreamSpan(tracer, trace?.span, {
        'kore.bot_id': req.botId,
        'kore.api_version': req.version,
        'kore.granularity': req.granularity,
      });
      const done = (status: string) => {
        const seconds = (performance.now() - started) / 1000;
        if (metrics) recordLater(() => metrics.upstreamCall(req.version, req.granularity, status, seconds));
        endSpan(span, { 'kore.status': status }, status !== '200');
      };
      try {
        const data = await client.fetchTrend(req, trace);
        done('200');
        return data;
      } catch (error) {
        done(error instanceof UpstreamError ? String(error.status ?? error.code) : 'error');
        throw error;
      }
    },
  };
}

/** Counts budget waits and refusals without the budgets knowing about metrics. */
function measuredBudget(budget: BotBudget, metrics: Metrics | undefined): BotBudget {
  if (!metrics) return budget;
  return {
    async acquire(botId, caller) {
      const started = performance.now();
      let slot;
      try {
        slot = await budget.acquire(botId, caller);
      } catch (error) {
        metrics.budgetRefusal(botId, budgetRefusalLabel(error));
        throw error;
      }
      const waited = (performance.now() - started) / 1000;
      if (waited > 0.005) metrics.budgetWait(botId, waited);
      return slot;
    },
    trySpare: (botId, maxShare) => budget.trySpare(botId, maxShare),
    usage: (botId, caller) => budget.usage(botId, caller),
    close: () => budget.close?.(),
  };
}

/** The Kore client the server uses, and what its budget holds (Bot.upstreamBudget). */
export interface UpstreamClient extends KoreClient {
  budgetUsage(botId: string, caller?: string): Promise<BudgetUsage>;
}

/** Identifies the upstream credential without revealing it: cache keys and logs may carry this. */
export function credentialId(host: string, clientId: string, clientSecret: Secret): string {
  return createHash('sha256').update(`${host}\n${clientId}\n${clientSecret.reveal()}`).digest('base64url').slice(0, 16);
}

/**
 * The Kore client the server uses. Per Kore.ai app (credential): a raw axios client and a circuit
 * breaker, so one region's outage does not stop the others. Shared by all apps: the response cache
 * (keyed by credential), single flight and the per-bot budget. Requests are routed by bot id.
 */
export function createUpstream(config: Config, options: UpstreamOptions, log: UpstreamLog): UpstreamClient {
  const r = config.resilience;
  const limits = {
    perMinute: r.budgetPerMinute,
    perHour: r.budgetPerHour,
    maxWaitMs: r.budgetMaxWaitMs,
    callerShare: r.budgetCallerShare,
    reserveShare: r.budgetReserveShare,
  };
  const { redis } = options;
  const budget = measuredBudget(
    redis
      ? createRedisBudget(redis, limits, {
          recoveryMs: r.budgetRecoveryMs,
          onReseed: (slots) => {
            log.warn({ slots }, 'budget slots of the last hour written back to Redis (reconnected, or Redis lost them)');
            options.onReseed?.(slots);
          },
          onUnsupported: (version) =>
            log.warn(
              { version },
              'Redis is older than 6.2: budget slots cannot be moved to when calls end or written back (ZADD GT); upgrade Redis',
            ),
        })
      : createMemoryBudget(limits, options.now),
    options.metrics,
  );
  const cache = options.cache ?? (redis ? createRedisCache(redis) : createMemoryCache(cacheShares(r.cacheMaxBytes).answers));
  // A live leader may take every attempt, backoff and budget wait included, plus one timeout:
  // followers wait that long on it. A dead one is noticed when its lease lapses.
  const flights = redis
    ? createRedisFlights(redis, {
        leaseMs: r.flightLeaseMs,
        waitMs: r.retryMaxTotalMs + r.budgetMaxWaitMs + config.kore.timeoutMs,
        now: options.now,
      })
    : undefined;

  // Looked for often enough to land in a recent answer's last LEAD_SHARE, at most once a second.
  const refresher = r.refresh
    ? createRefresher({
        now: options.now ?? Date.now,
        maxQuestions: Math.floor(cacheShares(r.cacheMaxBytes).refresh / TRACKED_BYTES),
        tickMs: Math.min(1000, Math.max(50, r.cacheTtlRecentSeconds * 50)),
        events: options.metrics,
      })
    : undefined;
  // Once across replicas: the first to claim an answer's refresh makes it (a lost claim: none this time).
  const refreshLock = redis && {
    claim: (name: string, ms: number) =>
      redis.set(`eg:refresh:${name}`, '1', 'PX', ms, 'NX').then(
        (ok) => ok === 'OK',
        () => false,
      ),
    release: (name: string) =>
      redis.del(`eg:refresh:${name}`).then(
        () => undefined,
        () => undefined,
      ),
  };

  const byCredential = new Map<string, KoreClient>();
  const clients = new Map<KoreCredential, KoreClient>();
  for (const credential of allCredentials(config.credentials)) {
    const host = credential.host ?? options.builtinHost;
    if (!host) throw new Error('a credential uses the built-in upstream, but it is not running');
    const id = credentialId(host, credential.clientId, credential.clientSecret);
    let client = byCredential.get(id);
    if (!client) {
      const raw = measured(createKoreClient({ ...config.kore, ...credential, host }, log), options.metrics, options.tracer);
      const breaker = createCircuitBreaker(r.breakerThreshold, r.breakerCooldownMs, options.now);
      options.metrics?.watchBreaker(breaker.state);
      const resilient: ResilientClient = createResilientClient(
        raw,
        {
          onServed: refresher && ((req, key, until, periodMs) => refresher.served(resilient, req, key, until, periodMs)),
          refreshLock,
          refreshShare: r.refreshMaxShare,
          credentialId: id,
          budget,
          breaker,
          events: options.metrics,
          cache,
          flights,
          retry: { maxAttempts: r.retryMaxAttempts, baseDelayMs: r.retryBaseDelayMs, maxTotalMs: r.retryMaxTotalMs },
          ttl: {
            settledMs: r.cacheTtlSettledSeconds * 1000,
            recentMs: r.cacheTtlRecentSeconds * 1000,
            staleKeepMs: r.cacheStaleSeconds * 1000,
          },
          policy: r.cachePolicy,
          now: options.now,
        },
        log,
      );
      client = resilient;
      byCredential.set(id, client);
    }
    clients.set(credential, client);
  }

  return {
    budgetUsage: (botId, caller) => budget.usage(botId, caller),
    fetchTrend(req, trace, fetch) {
      const credential = credentialFor(config.credentials, req.botId);
      const client = credential && clients.get(credential);
      // Resolvers check this first; here it only guards against a call with no app to make it as.
      if (!client) return Promise.reject(new BotNotConfiguredError(req.botId));
      return client.fetchTrend(req, trace, fetch);
    },
    close() {
      refresher?.close();
      budget.close?.();
      for (const client of byCredential.values()) client.close();
      flights?.close?.();
    },
  };
}
