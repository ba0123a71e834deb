import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { TrendData } from '../engagement/model';
import { ErrorCode, revivedUpstreamError, storedUpstreamError, UpstreamError, type StoredUpstreamError } from '../errors';
import { isCallerShareRefusal } from './budget';
import { orFailClosed } from './redis';
import type { ResponseCache } from './response-cache';

/**
 * Single flight across replicas: one replica (the leader, holding a lease in Redis) asks Kore.ai a
 * question; the others wait for its answer in the shared cache, notified over pub/sub, and take
 * over once per question if the leader dies. In one process, localFlights: the resilient client's
 * own in-process flights are enough.
 */

/** Runs `lead` in exactly one replica for a key; the others wait for its answer in the cache. */
export interface FlightCoordinator {
  run(key: string, lead: () => Promise<TrendData>, cache: ResponseCache): Promise<TrendData>;
  /** Closes what the coordinator opened itself (the notice subscription); the shared connection stays. */
  close?(): void;
}

export const localFlights: FlightCoordinator = { run: (_key, lead) => lead() };

export interface FlightOptions {
  /**
   * How long a leader's claim on a question lives unless renewed. The leader renews it every third
   * of this while it lives, so a dead leader is noticed about one lease after its last renewal,
   * and a live one survives a renewal or two lost to a busy event loop or a slow Redis reply.
   */
  readonly leaseMs: number;
  /**
   * Most a follower waits on one leader: as long as a live leader may legitimately take (every
   * attempt with its budget wait, plus one timeout), restarted when a new leader takes over. A live
   * leader keeps its lease all that time, so followers never call while it works.
   */
  readonly waitMs: number;
  readonly failureMemoryMs?: number;
  /**
   * The clock cached answers are stamped with (`storedAt`, `freshUntil`: the resilient client's).
   * Freshness is judged on it; waiting (deadlines, timers) is real time.
   */
  readonly now?: () => number;
}

// Renew or release only our own claim: a leader that lost its lease (paused past expiry, say) must
// neither extend nor delete the claim of the replica that took over from it.
const RENEW_SCRIPT = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0";
// The notice is published whether or not the claim was still ours: the answer (or failure) is in
// place either way, and whoever waits may as well look now.
const RELEASE_SCRIPT =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end redis.call('PUBLISH', ARGV[2], '1') return 1";
// A follower's look at a question in one round trip: remembered failure, current holder, lease left.
const LOOK_SCRIPT = "return {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2]), redis.call('PTTL', KEYS[2])}";

const NOTICE_PREFIX = 'eg:flight-done:';

/**
 * Single flight across replicas: the first replica to claim `eg:flight:<key>` (a lease) calls; the
 * others wait until it has put the answer in the cache, or its mapped failure in
 * `eg:failed:<key>`, then answer from there.
 *
 * Followers do not poll in a tight loop: a leader publishes a notice on `eg:flight-done:<key>` when
 * it is done, and a follower otherwise looks again only when the lease would lapse without a
 * renewal (a few Redis commands per lease per waiting question, whatever the number of waiters,
 * which are already collapsed per process by resilient-client). A notice lost to a reconnect costs
 * at most one lease of waiting. When a lease lapses with no answer, the waiting followers race for
 * a fresh claim with SET NX: exactly one wins and calls (after looking at the cache and the failure
 * memory once more), the others wait for it.
 */
export function createRedisFlights(redis: Redis, opts: FlightOptions): FlightCoordinator {
  const now = opts.now ?? Date.now;
  const renewEveryMs = Math.max(1, Math.floor(opts.leaseMs / 3));
  const waiters = new Map<string, Set<() => void>>();
  let subscriber: { connection: Redis; ready: Promise<unknown> } | undefined;

  /** One subscription per process, opened by the first follower; ioredis resubscribes after reconnects. */
  function listen(): Promise<unknown> {
    if (!subscriber) {
      // Its own options: connectRedis's refuse-while-not-ready and socket timeout are for commands
      // that wait on an answer; a subscription is sent before the connection is up and then hears
      // nothing for long stretches, and would be refused or cut by them.
      const connection = redis.duplicate({ enableOfflineQueue: true, socketTimeout: undefined, commandTimeout: undefined });
      // Its failures need no handling of their own: the commands on the main connection fail
      // closed, and a lost notice only means waiting for the lease check.
      connection.on('error', () => undefined);
      connection.on('pmessage', (_pattern: string, channel: string) => {
        for (const wake of waiters.get(channel.slice(NOTICE_PREFIX.length)) ?? []) wake();
      });
      const ready = connection.psubscribe(`${NOTICE_PREFIX}*`).catch(() => {
        // Not subscribed (Redis down as we asked): the next follower opens a fresh one.
        if (subscriber?.connection === connection) subscriber = undefined;
        connection.disconnect();
      });
      subscriber = { connection, ready };
    }
    return subscriber.ready;
  }

  /** Registered before looking, so that a notice published while we look is not missed. */
  function notice(key: string): { wait(ms: number): Promise<void>; cancel(): void } {
    let set = waiters.get(key);
    if (!set) waiters.set(key, (set = new Set()));
    const waiting = set;
    let timer: NodeJS.Timeout | undefined;
    let wake: () => void = () => undefined;
    const noticed = new Promise<void>((resolve) => (wake = resolve));
    const cancel = () => {
      clearTimeout(timer);
      waiting.delete(wake);
      if (!waiting.size && waiters.get(key) === waiting) waiters.delete(key);
      wake();
    };
    waiting.add(wake);
    return {
      wait(ms) {
        timer = setTimeout(cancel, ms);
        return noticed;
      },
      cancel,
    };
  }

  function failure(raw: string): UpstreamError {
    return revivedUpstreamError(JSON.parse(raw) as StoredUpstreamError);
  }

  /**
   * A fresh answer, or one stored since `since` (when we started waiting): that is the answer of the
   * call we waited on, usable by its waiters even when the cache keeps nothing fresh (TTL 0).
   */
  async function fresh(key: string, cache: ResponseCache, since = Infinity): Promise<TrendData | undefined> {
    const cached = await cache.get(key);
    return cached && (cached.freshUntil > now() || cached.storedAt >= since) ? cached.data : undefined;
  }

  /** The answer or failure another leader left, if any (both are looked at before every claim). */
  async function settled(key: string, cache: ResponseCache, since?: number): Promise<TrendData | undefined> {
    const data = await fresh(key, cache, since);
    if (data) return data;
    const failed = await redis.get(`eg:failed:${key}`);
    if (failed) throw failure(failed);
    return undefined;
  }

  async function claim(key: string): Promise<string | undefined> {
    const token = randomUUID();
    return (await redis.set(`eg:flight:${key}`, token, 'PX', opts.leaseMs, 'NX')) === 'OK' ? token : undefined;
  }

  async function leadWithLease(
    key: string,
    token: string,
    lead: () => Promise<TrendData>,
    cache: ResponseCache,
    since?: number,
  ): Promise<TrendData> {
    const lockKey = `eg:flight:${key}`;
    const renewal = setInterval(() => {
      redis.eval(RENEW_SCRIPT, 1, lockKey, token, opts.leaseMs).then(
        (renewed) => {
          // Lost (lapsed and maybe taken over): stop renewing; our answer still goes to the cache.
          if (renewed !== 1) clearInterval(renewal);
        },
        // Redis unreachable for a moment: the next tick tries again; the lease covers a few misses.
        () => undefined,
      );
    }, renewEveryMs);
    try {
      // The answer may have landed between our last look and the claim.
      return (await settled(key, cache, since)) ?? (await lead());
    } catch (error) {
      // Followers fail with the same mapped error for a moment instead of all retrying; not with a
      // refusal of this caller's budget share, which says nothing about theirs.
      if (error instanceof UpstreamError && !isCallerShareRefusal(error)) {
        await redis.set(`eg:failed:${key}`, JSON.stringify(storedUpstreamError(error)), 'PX', opts.failureMemoryMs ?? 2000);
      }
      throw error;
    } finally {
      clearInterval(renewal);
      // `lead` wrote the answer to the cache before returning, so releasing after it is safe. A
      // failed release is not the caller's problem: the lease lapses by itself.
      await redis.eval(RELEASE_SCRIPT, 1, lockKey, token, `${NOTICE_PREFIX}${key}`).catch(() => undefined);
    }
  }

  async function follow(key: string, lead: () => Promise<TrendData>, cache: ResponseCache, since: number): Promise<TrendData> {
    // The subscription has no command timeout (it waits for notices by design): behind a hung Redis
    // it may never settle, so wait for it at most a lease; the lease check covers a missed notice.
    let bounded: NodeJS.Timeout | undefined;
    await Promise.race([listen(), new Promise((resolve) => (bounded = setTimeout(resolve, opts.leaseMs)))]);
    clearTimeout(bounded);
    let holder: string | null = null;
    let deadline = 0;
    for (;;) {
      const next = notice(key);
      try {
        const data = await fresh(key, cache, since);
        if (data) return data;
        const [failed, current, leftMs] = (await redis.eval(LOOK_SCRIPT, 2, `eg:failed:${key}`, `eg:flight:${key}`)) as [
          string | null,
          string | null,
          number,
        ];
        if (failed) throw failure(failed);
        if (current === null) {
          // The leader is gone without an answer (finished just now, or dead): one of us takes over.
          const token = await claim(key);
          if (token) return await leadWithLease(key, token, lead, cache, since);
          continue; // another follower won the claim: wait for it
        }
        if (current !== holder) {
          holder = current;
          deadline = Date.now() + opts.waitMs;
        }
        const left = deadline - Date.now();
        if (left <= 0)
          throw new UpstreamError(ErrorCode.UPSTREAM_TIMEOUT, 'Kore.ai did not answer in time (waiting on another replica).', undefined);
        // Look again on the leader's notice, or just after its lease would lapse unrenewed.
        // (A claim without expiry is not ours to judge: look again after a lease.)
        await next.wait(Math.min(left, (leftMs > 0 ? leftMs : opts.leaseMs) + 10));
      } finally {
        next.cancel();
      }
    }
  }

  async function coordinate(key: string, lead: () => Promise<TrendData>, cache: ResponseCache): Promise<TrendData> {
    // Answers stored from now on are the ones we wait for (replicas' clocks differ by a little at
    // most, which at worst serves an answer that little older than the question).
    const since = now();
    const early = await settled(key, cache); // a leader may have just finished (or failed) before we got here
    if (early) return early;
    const token = await claim(key);
    return token ? leadWithLease(key, token, lead, cache) : follow(key, lead, cache, since);
  }

  return {
    run: (key, lead, cache) => orFailClosed(() => coordinate(key, lead, cache)),
    close() {
      subscriber?.connection.disconnect();
      subscriber = undefined;
    },
  };
}
