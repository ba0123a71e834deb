import { createHash } from 'node:crypto';
import type { Config } from '../config';
import { createMemoryBudget } from './budget';
import { createCircuitBreaker } from './breaker';
import { createKoreClient, type KoreClient, type UpstreamLog } from './kore-client';
import { createResilientClient } from './resilient-client';
import { createMemoryCache, type ResponseCache } from './response-cache';
import { createRedisBudget, createRedisCache, createRedisFlights } from './redis';
import type Redis from 'ioredis';

export interface UpstreamOptions {
  /** The Kore.ai origin to call (KORE_HOST, or the built-in upstream's URL). */
  readonly host: string;
  readonly now?: () => number;
  /** A cache shared with other clients (tests); by default a fresh in-process LRU. */
  readonly cache?: ResponseCache;
  /** When set (REDIS_URL), cache, budget and single flight are shared by every replica. */
  readonly redis?: Redis;
}

/** Identifies the upstream credential without revealing it: cache keys and logs may carry this. */
export function credentialId(host: string, clientId: string, clientSecret: string): string {
  return createHash('sha256').update(`${host}\n${clientId}\n${clientSecret}`).digest('base64url').slice(0, 16);
}

/** The Kore client the server uses: raw axios client wrapped in cache, single flight, budget, breaker and retries. */
export function createUpstream(config: Config, options: UpstreamOptions, log: UpstreamLog): KoreClient {
  const r = config.resilience;
  const raw = createKoreClient({ ...config.kore, host: options.host }, log);
  const limits = { perMinute: r.budgetPerMinute, perHour: r.budgetPerHour, maxWaitMs: r.budgetMaxWaitMs };
  const { redis } = options;
  return createResilientClient(
    raw,
    {
      credentialId: credentialId(options.host, config.kore.clientId, config.kore.clientSecret),
      budget: redis ? createRedisBudget(redis, limits) : createMemoryBudget(limits, options.now),
      breaker: createCircuitBreaker(r.breakerThreshold, r.breakerCooldownMs, options.now),
      cache: options.cache ?? (redis ? createRedisCache(redis) : createMemoryCache(r.cacheMaxBytes)),
      // A leader may take every attempt, backoff included, plus one timeout.
      flights: redis ? createRedisFlights(redis, { lockMs: r.retryMaxTotalMs + config.kore.timeoutMs }) : undefined,
      retry: { maxAttempts: r.retryMaxAttempts, baseDelayMs: r.retryBaseDelayMs, maxTotalMs: r.retryMaxTotalMs },
      ttl: { settledMs: r.cacheTtlSettledSeconds * 1000, recentMs: r.cacheTtlRecentSeconds * 1000, staleKeepMs: r.cacheStaleSeconds * 1000 },
      now: options.now,
    },
    log,
  );
}
