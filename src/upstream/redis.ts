import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import type { TrendData } from '../engagement/model';
import { ErrorCode, UpstreamError, type UpstreamErrorCode } from '../errors';
import { budgetSpent, type BotBudget, type BudgetLimits } from './budget';
import type { CacheEntry, ResponseCache } from './response-cache';

/**
 * The same cache, budget and single flight, shared by every replica through Redis (REDIS_URL), so
 * that three replicas together still keep one bot under one budget and ask each question once.
 * Keys: `eg:cache:<credential>|<request>`, `eg:budget:<bot>`, `eg:flight:<key>`, `eg:failed:<key>`.
 */

/** Default of REDIS_COMMAND_TIMEOUT_MS (config.ts), for callers that do not pass one. */
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
  return new UpstreamError(ErrorCode.UPSTREAM_UNAVAILABLE, 'The shared budget store (Redis) is unreachable; no upstream call was made.', undefined, {
    reason: 'shared-state-unavailable',
  });
}

/** ioredis's own failures: refused or closed connections, exhausted retries, error replies, timed-out commands. */
function isRedisFailure(error: unknown): boolean {
  return (
    error instanceof Error &&
    (['ReplyError', 'MaxRetriesPerRequestError', 'AbortError'].includes(error.name) ||
      /connection is closed|ECONNREFUSED|ECONNRESET|Stream isn't writeable|enableOfflineQueue|Command timed out/i.test(error.message))
  );
}

async function orFailClosed<T>(work: () => Promise<T>): Promise<T> {
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

/**
 * The sliding log of budget.ts as one atomic script on a sorted set per bot, timed by Redis's own
 * clock (replicas' clocks may differ). Returns {granted, waitMs}.
 */
const BUDGET_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local perMinute, perHour, maxWait = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 3600000)
local n = redis.call('ZCARD', KEYS[1])
local at = now
if n > 0 then at = math.max(at, tonumber(redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2])) end
if n >= perMinute then at = math.max(at, tonumber(redis.call('ZRANGE', KEYS[1], n - perMinute, n - perMinute, 'WITHSCORES')[2]) + 60000) end
if n >= perHour then at = math.max(at, tonumber(redis.call('ZRANGE', KEYS[1], n - perHour, n - perHour, 'WITHSCORES')[2]) + 3600000) end
if at - now > maxWait then return {0, at - now} end
redis.call('ZADD', KEYS[1], at, ARGV[4])
redis.call('PEXPIRE', KEYS[1], 3660000)
return {1, at - now}
`;

export function createRedisBudget(redis: Redis, limits: BudgetLimits): BotBudget {
  return {
    async acquire(botId) {
      const [granted, wait] = (await orFailClosed(() => redis.eval(BUDGET_SCRIPT, 1, `eg:budget:${botId}`, limits.perMinute, limits.perHour, limits.maxWaitMs, randomUUID()))) as [number, number];
      if (!granted) throw budgetSpent(botId, wait);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
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
