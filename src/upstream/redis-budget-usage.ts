import type Redis from 'ioredis';
import type { WindowRule } from './budget';
import { usageOf, type BudgetUsage } from './budget-usage';
import { orFailClosed } from './redis';
import { LUA_NOW } from './redis-budget-scripts';

/**
 * Reading and the background class of redis-budget.ts's budget, over the same keys. The usage
 * script only counts (no write, no epoch): the numbers go through budget-usage.ts's `usageOf`, the
 * very rules the in-process budget reads with. The spare script mirrors `spareRoom` in Lua, so
 * that the check and the take are one atomic step across replicas.
 */

/** KEYS: bot, caller, asked. ARGV: caller id, window lengths…, clock. Counts per window. */
const USAGE = `${LUA_NOW}
local others = redis.call('ZCOUNT', KEYS[3], '(' .. (now - 60000), '+inf')
local mine = redis.call('ZSCORE', KEYS[3], ARGV[1])
if mine and tonumber(mine) > now - 60000 then others = others - 1 end
local out = {tostring(now), others, redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')}
for i = 2, #ARGV - 1 do
  local after = '(' .. (now - tonumber(ARGV[i]))
  local oldest = redis.call('ZRANGEBYSCORE', KEYS[1], after, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  table.insert(out, redis.call('ZCOUNT', KEYS[1], after, now))
  table.insert(out, oldest[2] or '')
  table.insert(out, redis.call('ZCOUNT', KEYS[1], after, '+inf'))
  table.insert(out, redis.call('ZCOUNT', KEYS[2], after, '+inf'))
end
return out
`;

/**
 * KEYS: bot, refresh, hold, contended. ARGV: member, the minute's refresh cap, then per window
 * (minute first) len, limit, reserve; clock. budget-usage.ts's `spareRoom`, then the take.
 */
const SPARE = `${LUA_NOW}
if tonumber(redis.call('GET', KEYS[3]) or '0') > now then return 0 end
if tonumber(redis.call('GET', KEYS[4]) or '0') > now then return 0 end
if redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf') > 0 then return 0 end
for i = 3, #ARGV - 1, 3 do
  local after = '(' .. (now - tonumber(ARGV[i]))
  local all = redis.call('ZCOUNT', KEYS[1], after, now)
  local limit = tonumber(ARGV[i + 1])
  if all + 1 > limit - math.min(math.max(1, tonumber(ARGV[i + 2])), limit - 1) then return 0 end
  if i == 3 and redis.call('ZCOUNT', KEYS[2], after, '+inf') >= tonumber(ARGV[2]) then return 0 end
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 3600000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZADD', KEYS[2], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], 3660000)
redis.call('PEXPIRE', KEYS[2], 3660000)
return tostring(now)
`;

/** A log whose counts were read in one script: what `usageOf` asks, answered from those counts. */
function countedLog(counts: Map<number, { inWindow: number; oldest?: number; after: number }>, rules: readonly WindowRule[], t: number) {
  return {
    countIn(after: number, upTo: number): number {
      const r = rules.find((x) => t - x.len === after);
      const c = r && counts.get(r.len);
      if (!c) return 0;
      return upTo === Infinity ? c.after : c.inWindow;
    },
    firstAfter(after: number): number | undefined {
      const r = rules.find((x) => t - x.len === after);
      return r ? counts.get(r.len)?.oldest : undefined;
    },
  };
}

export async function readRedisUsage(
  redis: Redis,
  keys: { bot: string; caller: string; asked: string },
  callerId: string,
  rules: readonly WindowRule[],
  clock: string,
): Promise<BudgetUsage> {
  const reply = (await orFailClosed(() =>
    redis.eval(USAGE, 3, keys.bot, keys.caller, keys.asked, callerId, ...rules.map((r) => r.len), clock),
  )) as Array<string | number>;
  const t = Number(reply[0]);
  const others = Number(reply[1]);
  const queued = Number(reply[2]);
  const all = new Map<number, { inWindow: number; oldest?: number; after: number }>();
  const mine = new Map<number, { inWindow: number; after: number }>();
  rules.forEach((r, i) => {
    const [inWindow, oldest, after, own] = reply.slice(3 + i * 4, 7 + i * 4);
    all.set(r.len, { inWindow: Number(inWindow), oldest: oldest === '' ? undefined : Number(oldest), after: Number(after) });
    mine.set(r.len, { inWindow: Number(own), after: Number(own) });
  });
  const usage = usageOf(rules, countedLog(all, rules, t), countedLog(mine, rules, t), others, t);
  // `usageOf` reads queued slots as those after `t`: counted by the script, not per window.
  return { ...usage, queued };
}

/** Takes a background slot at Redis's now, or none; returns its time. */
export async function takeRedisSpare(
  redis: Redis,
  keys: { bot: string; refresh: string; hold: string; contended: string },
  member: string,
  rules: readonly WindowRule[],
  maxShare: number,
  clock: string,
): Promise<number | undefined> {
  const cap = Math.floor(rules[0].limit * maxShare);
  const args = rules.flatMap((r) => [r.len, r.limit, r.reserve]);
  const reply = (await orFailClosed(() =>
    redis.eval(SPARE, 4, keys.bot, keys.refresh, keys.hold, keys.contended, member, cap, ...args, clock),
  )) as number | string;
  return reply === 0 ? undefined : Number(reply);
}
