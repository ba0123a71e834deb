import { createHash } from 'node:crypto';
import type { Config } from '../config';
import { createMemoryBudget } from './budget';
import { createCircuitBreaker } from './breaker';
import { createKoreClient, type KoreClient, type UpstreamLog } from './kore-client';
import { createResilientClient } from './resilient-client';
import { createMemoryCache, type ResponseCache } from './response-cache';

export interface UpstreamOptions {
  /** The Kore.ai origin to call (KORE_HOST, or the built-in upstream's URL). */
  readonly host: string;
  readonly now?: () => number;
  /** A cache shared with other clients (tests); by default a fresh in-process LRU. */
  readonly cache?: ResponseCache;
}

/** Identifies the upstream credential without revealing it: cache keys and logs may carry this. */
export function credentialId(host: string, clientId: string, clientSecret: string): string {
  return createHash('sha256').update(`${host}\n${clientId}\n${clientSecret}`).digest('base64url').slice(0, 16);
}

/** The Kore client the server uses: raw axios client wrapped in cache, single flight, budget, breaker and retries. */
export function createUpstream(config: Config, options: UpstreamOptions, log: UpstreamLog): KoreClient {
  const r = config.resilience;
  const raw = createKoreClient({ ...config.kore, host: options.host }, log);
  return createResilientClient(
    raw,
    {
      credentialId: credentialId(options.host, config.kore.clientId, config.kore.clientSecret),
      budget: createMemoryBudget({ perMinute: r.budgetPerMinute, perHour: r.budgetPerHour, maxWaitMs: r.budgetMaxWaitMs }, options.now),
      breaker: createCircuitBreaker(r.breakerThreshold, r.breakerCooldownMs, options.now),
      cache: options.cache ?? createMemoryCache(r.cacheMaxBytes),
      retry: { maxAttempts: r.retryMaxAttempts, baseDelayMs: r.retryBaseDelayMs, maxTotalMs: r.retryMaxTotalMs },
      ttl: { settledMs: r.cacheTtlSettledSeconds * 1000, recentMs: r.cacheTtlRecentSeconds * 1000, staleKeepMs: r.cacheStaleSeconds * 1000 },
      now: options.now,
    },
    log,
  );
}
