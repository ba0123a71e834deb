import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import type { TrendData } from '../engagement/model';
import { ErrorCode, UpstreamError, type UpstreamErrorCode } from '../errors';
import type { CacheEntry, ResponseCache } from './response-cache';

/**
 * The same cache, budget and single flight, shared by every replica through Redis (REDIS_URL), so
 * that three replicas together still keep one bot under one budget and ask each question once.
 * Keys: `eg:cache:<credential>|<request>`, `eg:flight:<key>`, `eg:failed:<key>` (the budget's: redis-budget.ts).
 */

export function connectRedis(url: string): Redis {
  // Fail commands fast while Redis is down rather than queueing them behind a reconnect.
  return new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: true, lazyConnect: false, connectTimeout: 2000 });
}

/**
 * Redis down: the cache is only an optimisation, so it degrades to a miss; the budget and the
 * flight coordination protect the bot, so they fail closed (no upstream call without them).
 */
function sharedStateDown(): UpstreamError {
  return new UpstreamError(ErrorCode.UPSTREAM_UNAVAILABLE, 'The shared budget store (Redis) is unreachable; no upstream call was made.', undefined, {
    reason: 'shared-state-unavailable',
  });
}

/** ioredis's own failures: refused or closed connections, exhausted retries, error replies. */
function isRedisFailure(error: unknown): boolean {
  return (
    error instanceof Error &&
    (['ReplyError', 'MaxRetriesPerRequestError', 'AbortError'].includes(error.name) ||
      /connection is closed|ECONNREFUSED|ECONNRESET|Stream isn't writeable|enableOfflineQueue/i.test(error.message))
  );
}

export async function orFailClosed<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw isRedisFailure(error) ? sharedStateDown() : error;
  }
}

export function createRedisCache(redis: Redis): ResponseCache {
  return {
    async get(key) {
      const raw = await redis.get(`eg:cache:${key}`).catch(() => null);
      return raw ? (JSON.parse(raw) as CacheEntry) : undefined;
    },
    async set(key, entry, keepMs) {
      await redis.set(`eg:cache:${key}`, JSON.stringify(entry), 'PX', Math.max(1, Math.round(keepMs))).catch(() => undefined);
    },
  };
}

/** Runs `lead` in exactly one replica for a key; the others wait for its answer in the cache. */
export interface FlightCoordinator {
  run(key: string, lead: () => Promise<TrendData>, cache: ResponseCache): Promise<TrendData>;
}

export const localFlights: FlightCoordinator = { run: (_key, lead) => lead() };

export function createRedisFlights(redis: Redis, opts: { lockMs: number; pollMs?: number; failureMemoryMs?: number }): FlightCoordinator {
  const pollMs = opts.pollMs ?? 25;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  return {
    run: (key, lead, cache) => orFailClosed(() => coordinate(key, lead, cache)),
  };

  async function coordinate(key: string, lead: () => Promise<TrendData>, cache: ResponseCache): Promise<TrendData> {
      const deadline = Date.now() + opts.lockMs;
      const settled = async (): Promise<TrendData | undefined> => {
        const cached = await cache.get(key);
        if (cached && cached.freshUntil > Date.now()) return cached.data;
        const failed = await redis.get(`eg:failed:${key}`);
        if (failed) {
          const f = JSON.parse(failed) as { code: UpstreamErrorCode; message: string; extensions: Record<string, unknown> };
          throw new UpstreamError(f.code, f.message, undefined, f.extensions);
        }
        return undefined;
      };
      while (Date.now() < deadline) {
        const token = randomUUID();
        const early = await settled(); // a leader may have just finished (or failed) before we got here
        if (early) return early;
        if ((await redis.set(`eg:flight:${key}`, token, 'PX', opts.lockMs, 'NX')) === 'OK') {
          try {
            return (await settled()) ?? (await lead());
          } catch (error) {
            // Followers fail with the same mapped error for a moment instead of all retrying.
            if (error instanceof UpstreamError) {
              const { code, ...extensions } = error.extensions;
              await redis.set(`eg:failed:${key}`, JSON.stringify({ code, message: error.message, extensions }), 'PX', opts.failureMemoryMs ?? 2000);
            }
            throw error;
          } finally {
            // Release only our own lock.
            await redis.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", 1, `eg:flight:${key}`, token);
          }
        }
        while (Date.now() < deadline) {
          await sleep(pollMs);
          const done = await settled();
          if (done) return done;
          if (!(await redis.exists(`eg:flight:${key}`))) break; // leader gone without an answer: try to lead
        }
      }
      throw new UpstreamError(ErrorCode.UPSTREAM_TIMEOUT, 'Kore.ai did not answer in time (waiting on another replica).', undefined);
  }
}
