import Redis from 'ioredis';
import { trendDataFromJson, type TrendDataJson } from '../engagement/model';
import { ErrorCode, UpstreamError } from '../errors';
import type { CacheEntry, ResponseCache } from './response-cache';

/**
 * The same cache, budget and single flight, shared by every replica through Redis (REDIS_URL), so
 * that three replicas together still keep one bot under one budget and ask each question once.
 * Here: the connection, failing closed, the shared answer cache (`eg:cache:<credential>|<request>`).
 * Single flight (`eg:flight:<key>`, `eg:failed:<key>`): redis-flights.ts; the budget: redis-budget.ts.
 */

/** Default of REDIS_COMMAND_TIMEOUT_MS (config/settings.ts), for callers that do not pass one. */
const COMMAND_TIMEOUT_MS = 500;

/**
 * Invariant: once the first connection attempt has settled, a command sent while the connection is
 * not `ready` is refused at once (no offline queue), and a command sent on a ready connection fails
 * after `commandTimeoutMs` at most. A connection that stops answering (half that long with commands
 * pending) is dropped and reconnected, so behind a hung Redis only the commands already sent wait,
 * and the rest are refused at once like behind a dead one. Either way callers learn so at once or within
 * that bound, instead of queueing behind reconnect attempts. Only the first attempt queues, so that
 * requests arriving while the server starts wait for the connection rather than fail.
 */
export function connectRedis(url: string, options: { readonly commandTimeoutMs?: number } = {}): Redis {
  const commandTimeout = options.commandTimeoutMs ?? COMMAND_TIMEOUT_MS;
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    lazyConnect: false,
    connectTimeout: 2000,
    commandTimeout,
    // Dropped before the first waiting command times out, so commands sent after it are refused at
    // once instead of each waiting out its own timeout on the dead connection.
    socketTimeout: Math.max(1, Math.floor(commandTimeout / 2)),
  });
  const stopQueueing = () => {
    redis.options.enableOfflineQueue = false;
    redis.off('ready', stopQueueing);
    redis.off('close', stopQueueing);
  };
  redis.on('ready', stopQueueing);
  redis.on('close', stopQueueing);
  // QUIT needs a connection: without one (and without the offline queue) it is refused and the
  // client would go on reconnecting for ever, keeping a stopping process alive. Then just drop it.
  const quit = redis.quit.bind(redis);
  redis.quit = async () => {
    if (redis.status === 'ready') {
      try {
        return await quit();
      } catch {
        // a hung Redis: the command timed out
      }
    }
    redis.disconnect();
    return 'OK';
  };
  return redis;
}

/** Readiness: connected and answering a PING (the probe bounds how long it waits; so does commandTimeout). */
export async function redisReady(redis: Redis): Promise<boolean> {
  return redis.status === 'ready' && (await redis.ping()) === 'PONG';
}

/**
 * Redis down: the cache is only an optimisation, so it degrades to a miss; the budget and the
 * flight coordination protect the bot, so they fail closed (no upstream call without them).
 */
function sharedStateDown(): UpstreamError {
  return new UpstreamError(
    ErrorCode.UPSTREAM_UNAVAILABLE,
    'The shared budget store (Redis) is unreachable; no upstream call was made.',
    undefined,
    { reason: 'shared-state-unavailable' },
    { kind: 'shared-state' },
  );
}

/** ioredis's own failures: refused or closed connections, exhausted retries, error replies, timed-out commands. */
function isRedisFailure(error: unknown): boolean {
  return (
    error instanceof Error &&
    (['ReplyError', 'MaxRetriesPerRequestError', 'AbortError'].includes(error.name) ||
      /connection is closed|ECONNREFUSED|ECONNRESET|Stream isn't writeable|enableOfflineQueue|Command timed out/i.test(error.message))
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
      if (!raw) return undefined;
      // Written by set() below; the answer's objects come back plain and are made class instances again.
      const entry = JSON.parse(raw) as Omit<CacheEntry, 'data'> & { readonly data: TrendDataJson };
      return { ...entry, data: trendDataFromJson(entry.data) };
    },
    async set(key, entry, keepMs) {
      await redis.set(`eg:cache:${key}`, JSON.stringify(entry), 'PX', Math.max(1, Math.round(keepMs))).catch(() => undefined);
    },
  };
}
