import { createHash, randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { budgetSpent, HOUR, windowRules, type BotBudget, type BudgetLimits, type BudgetSlot } from './budget';
import { REFRESH_CALLER } from './budget-usage';
import { readRedisUsage, takeRedisSpare } from './redis-budget-usage';
import { orFailClosed } from './redis';
import { ACQUIRE, EPOCH, RELEASE } from './redis-budget-scripts';

/**
 * budget.ts's rules as atomic scripts on sorted sets, timed by Redis's own clock (replicas' clocks
 * may differ), so that every replica keeps one bot under one budget with one set of caller shares.
 *
 * Keys: `eg:budget:<bot>` (every slot), `eg:budget:<bot>:c:<caller>` (one caller's slots),
 * `eg:budget:<bot>:asked` (caller → last asked), `eg:budget:<bot>:contended` (until when refreshes
 * get no slot, on the scripts' clock: set by ACQUIRE on a bot-budget refusal, read by
 * redis-budget-usage.ts's SPARE), `eg:budget-epoch`, `eg:budget-hold`.
 *
 * Lost state (Redis restarted empty, or a failover that lost writes) must not hand out a fresh
 * budget while Kore still counts the calls made before it. So every replica remembers the slots it
 * was granted in the last hour and writes them back (`reseed`) when it sees Redis lost them:
 * - `eg:budget-epoch` is made once per Redis dataset; a replica that knew another epoch knows the
 *   dataset was lost, sets `eg:budget-hold` (no slot is granted for `recoveryMs`) and reseeds.
 *   Every replica checks the epoch each second and on every reconnect, so all of them reseed
 *   within the hold.
 * - A reconnect also reseeds (ZADD GT: idempotent), for a failover that kept the epoch but lost
 *   the newest slots.
 * What stays open: slots granted by a replica that died while Redis was being lost.
 */

const EPOCH_KEY = 'eg:budget-epoch';
const HOLD_KEY = 'eg:budget-hold';
const HEARTBEAT_MS = 1000;

interface OwnSlot {
  readonly botKey: string;
  readonly callerKey: string;
  /** Redis time: when granted, then when the call ended. */
  score: number;
}

export interface RedisBudgetOptions {
  /** How long no slot is granted after Redis lost the budget, for every replica to write back its slots. */
  readonly recoveryMs: number;
  /** Told when this replica wrote its slots back (tests, logs). */
  readonly onReseed?: (slots: number) => void;
  /** Told when the server is older than Redis 6.2 (no ZADD GT: releases and write-backs fail). */
  readonly onUnsupported?: (version: string) => void;
  /** Tests only: the scripts' clock (ms) instead of Redis's own. */
  readonly now?: () => number;
}

/** Callers as short digests: keys stay bounded and carry no subject. */
const callerId = (caller: string) => createHash('sha256').update(caller).digest('base64url').slice(0, 16);

export function createRedisBudget(redis: Redis, limits: BudgetLimits, options: RedisBudgetOptions): BotBudget {
  const rules = windowRules(limits).flatMap((r) => [r.len, r.limit, r.alone, r.shared, r.reserve]);
  const clock = (): string => (options.now ? String(options.now()) : '');
  const own = new Map<string, OwnSlot>();
  let epoch = '';
  /** Redis time minus ours, from the last reply (to date a slot whose release could not reach Redis). */
  let offset = 0;
  let reseeding: Promise<void> | undefined;

  async function reseed(): Promise<void> {
    const cutoff = Date.now() + offset - HOUR;
    const pipeline = redis.pipeline();
    let n = 0;
    for (const [member, slot] of own) {
      if (slot.score <= cutoff) {
        own.delete(member);
        continue;
      }
      pipeline.zadd(slot.botKey, 'GT', slot.score, member).zadd(slot.callerKey, 'GT', slot.score, member);
      pipeline.pexpire(slot.botKey, 3_660_000).pexpire(slot.callerKey, 3_660_000);
      n++;
    }
    if (!n) return;
    await pipeline.exec();
    options.onReseed?.(n);
  }

  function reseedSoon(): void {
    reseeding ??= reseed()
      .catch(() => undefined) // Redis went away again: the next reconnect reseeds
      .finally(() => (reseeding = undefined));
  }

  /** Adopts the dataset's epoch; a different one than we knew means Redis lost our slots. */
  function sawEpoch(seen: string): void {
    if (seen === epoch) return;
    const lost = epoch !== '';
    epoch = seen;
    if (lost) reseedSoon();
  }

  async function heartbeat(): Promise<void> {
    if (redis.status !== 'ready') return;
    const [seen, redisNow] = (await redis.eval(EPOCH, 2, EPOCH_KEY, HOLD_KEY, epoch, options.recoveryMs, clock())) as [string, string];
    offset = Number(redisNow) - Date.now();
    sawEpoch(seen);
    const cutoff = Number(redisNow) - HOUR;
    for (const [member, slot] of own) if (slot.score <= cutoff) own.delete(member);
  }

  /** A granted slot: its release moves it to when the call ended, on Redis's clock. */
  function heldSlot(slot: OwnSlot, member: string): BudgetSlot {
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        // Until Redis says otherwise, the call ended now by our estimate of Redis's clock.
        slot.score = Math.max(slot.score, Date.now() + offset);
        void Promise.resolve(redis.eval(RELEASE, 2, slot.botKey, slot.callerKey, member, clock())).then(
          (ended) => void (slot.score = Math.max(slot.score, Number(ended))),
          // Not recorded (Redis down, or refusing writes): write our slots back, this one at the
          // estimate, now if Redis answers, else on reconnect.
          () => reseedSoon(),
        );
      },
    };
  }

  const timer = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_MS);
  timer.unref();
  let connectedOnce = redis.status === 'ready';
  const onReady = () => {
    // A reconnect may be to a new primary that lost the newest writes: write ours back (idempotent).
    if (connectedOnce) reseedSoon();
    connectedOnce = true;
    void heartbeat().catch(() => undefined);
    void checkVersion();
  };
  /** ZADD GT (releases, write-backs) needs Redis 6.2: say so loudly rather than lose them quietly. */
  async function checkVersion(): Promise<void> {
    const info = await redis.info('server').catch(() => '');
    const version = /redis_version:(\d+)\.(\d+)/.exec(info);
    if (version && (Number(version[1]) < 6 || (Number(version[1]) === 6 && Number(version[2]) < 2)))
      options.onUnsupported?.(`${version[1]}.${version[2]}`);
  }
  if (connectedOnce) void checkVersion();
  redis.on('ready', onReady);

  return {
    async acquire(botId, caller = '') {
      const who = callerId(caller);
      const botKey = `eg:budget:${botId}`;
      const callerKey = `${botKey}:c:${who}`;
      const member = randomUUID();
      const deadline = Date.now() + limits.maxWaitMs;
      /** Takes (or, with `renewAt`, re-checks) the slot; returns its time on Redis's clock and the wait. */
      const take = async (renewAt: number): Promise<{ at: number; wait: number }> => {
        const sent = Date.now();
        const maxWait = renewAt ? Math.max(0, deadline - sent) : limits.maxWaitMs;
        const reply = (await orFailClosed(() =>
          redis.eval(
            ACQUIRE,
            6,
            botKey,
            callerKey,
            `${botKey}:asked`,
            EPOCH_KEY,
            HOLD_KEY,
            `${botKey}:contended`,
            who,
            member,
            maxWait,
            options.recoveryMs,
            rules.length / 5,
            epoch,
            renewAt,
            limits.maxWaitMs,
            ...rules,
            clock(),
          ),
        )) as [number, string, string, string];
        const wait = Number(reply[1]);
        sawEpoch(reply[3]);
        if (!reply[0]) {
          own.delete(member);
          // The script names the rule that refused ('bot-budget' or 'caller-share'); read, not cast.
          throw budgetSpent(botId, wait, reply[2] === 'caller-share' ? 'caller-share' : 'bot-budget');
        }
        const at = Number(reply[2]);
        offset = at - wait - sent;
        own.set(member, slot);
        slot.score = at;
        return { at, wait };
      };
      const slot: OwnSlot = { botKey, callerKey, score: 0 };
      let { at, wait } = await take(0);
      // A slot reserved for later was placed behind slots still in flight; they may have ended
      // later than granted, so check again at the reserved time (Redis keeps our place meanwhile).
      while (wait > 0) {
        await new Promise((resolve) => setTimeout(resolve, wait));
        const promised = at;
        ({ at, wait } = await take(promised));
        if (at <= promised) break;
      }
      return heldSlot(slot, member);
    },
    async trySpare(botId, maxShare) {
      const botKey = `eg:budget:${botId}`;
      const slot: OwnSlot = { botKey, callerKey: `${botKey}:c:${callerId(REFRESH_CALLER)}`, score: 0 };
      const member = randomUUID();
      const keys = { bot: botKey, refresh: slot.callerKey, hold: HOLD_KEY, contended: `${botKey}:contended` };
      const at = await takeRedisSpare(redis, keys, member, windowRules(limits), maxShare, clock());
      if (at === undefined) return undefined;
      slot.score = at;
      own.set(member, slot);
      return heldSlot(slot, member);
    },
    usage(botId, caller = '') {
      const bot = `eg:budget:${botId}`;
      const who = callerId(caller);
      return readRedisUsage(redis, { bot, caller: `${bot}:c:${who}`, asked: `${bot}:asked` }, who, windowRules(limits), clock());
    },
    close() {
      clearInterval(timer);
      redis.off('ready', onReady);
    },
  };
}
