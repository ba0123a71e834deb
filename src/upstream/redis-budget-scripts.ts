/**
 * The Lua of redis-budget.ts's budget: each script is one atomic step on its keys (listed there).
 * redis-budget-usage.ts holds the read-only usage and the background class's scripts.
 */

/**
 * `now` on Redis's clock (ms), or the tests' clock: every script's last argument (empty: Redis's
 * own), so that the rules here can be held to budget.ts's with one fake clock.
 */
export const LUA_NOW = `
local now
if ARGV[#ARGV] ~= '' then
  now = tonumber(ARGV[#ARGV])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

/**
 * Lua every budget script starts with: LUA_NOW, and `epochOf`, the dataset's epoch, made when
 * missing; a replica that knew another epoch starts the hold.
 */
const PRELUDE = `${LUA_NOW}
local function epochOf(epochKey, holdKey, known, recoveryMs)
  local epoch = redis.call('GET', epochKey)
  if not epoch then
    epoch = tostring(now)
    redis.call('SET', epochKey, epoch)
  end
  if known ~= '' and known ~= epoch and recoveryMs > 0 then
    redis.call('SET', holdKey, tostring(now + recoveryMs), 'PX', recoveryMs)
  end
  return epoch
end
`;

/**
 * budget.ts's acquire (`nextSlot`, and on a refusal for the bot's budget `contentionEnd`).
 * KEYS: bot, caller, asked, epoch, hold, contended. ARGV: caller id, member, the longest wait
 * (what is left of it, on a renewal), recoveryMs, number of windows, the epoch known, the renewed
 * slot's time (0: none), maxWaitMs, then per window len, limit, alone, shared, reserve; clock.
 */
export const ACQUIRE = `${PRELUDE}
local epoch = epochOf(KEYS[4], KEYS[5], ARGV[6], tonumber(ARGV[4]))
local from = math.max(now, tonumber(redis.call('GET', KEYS[5]) or '0'))
-- A renewal (ARGV[7] > 0): the reserved slot is taken back and its time checked again from there.
if tonumber(ARGV[7]) > 0 then
  redis.call('ZREM', KEYS[1], ARGV[2])
  redis.call('ZREM', KEYS[2], ARGV[2])
  from = math.max(from, tonumber(ARGV[7]))
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 3600000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 3600000)
redis.call('ZADD', KEYS[3], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - 60000)
redis.call('PEXPIRE', KEYS[3], 60000)
local active = redis.call('ZCARD', KEYS[3])
local function freeAt(key, k, len)
  if k < 1 then return math.huge end
  local kth = redis.call('ZREVRANGE', key, k - 1, k - 1, 'WITHSCORES')
  if #kth == 0 then return from end
  return math.max(from, tonumber(kth[2]) + len)
end
local at, reason = from, 'bot-budget'
for i = 0, tonumber(ARGV[5]) - 1 do
  local b = 9 + i * 5
  local len, limit, alone, shared, reserve = tonumber(ARGV[b]), tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3]), tonumber(ARGV[b + 4])
  local bot = freeAt(KEYS[1], limit, len)
  local cap = freeAt(KEYS[2], active > 1 and shared or alone, len)
  local fair = from
  if reserve > 0 then fair = math.min(freeAt(KEYS[1], limit - reserve, len), freeAt(KEYS[2], math.max(1, math.floor(limit / active)), len)) end
  if bot > at then at = bot; reason = 'bot-budget' end
  if math.max(cap, fair) > at then at = math.max(cap, fair); reason = 'caller-share' end
end
if at - now > tonumber(ARGV[3]) then
  local wait = math.min(at - now, 86400000)
  -- budget-usage.ts's contentionEnd: refreshes hold until the refused call's slot plus maxWaitMs
  -- (ARGV[8]), kept as the latest. The value decides; the expiry, a minute after, only cleans up
  -- (and outlasts a test clock that stands still while real time passes).
  if reason == 'bot-budget' then
    local till = now + wait + tonumber(ARGV[8])
    if till > tonumber(redis.call('GET', KEYS[6]) or '0') then
      redis.call('SET', KEYS[6], tostring(till), 'PX', till - now + 60000)
    end
  end
  return {0, tostring(wait), reason, epoch}
end
redis.call('ZADD', KEYS[1], at, ARGV[2])
redis.call('ZADD', KEYS[2], at, ARGV[2])
redis.call('PEXPIRE', KEYS[1], 3660000)
redis.call('PEXPIRE', KEYS[2], 3660000)
return {1, tostring(at - now), tostring(at), epoch}
`;

/** The call ended: its slot counts from now (GT: never moved down; re-added if Redis lost it). */
export const RELEASE = `${PRELUDE}
redis.call('ZADD', KEYS[1], 'GT', now, ARGV[1])
redis.call('ZADD', KEYS[2], 'GT', now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], 3660000)
redis.call('PEXPIRE', KEYS[2], 3660000)
return tostring(now)
`;

/** The heartbeat: the dataset's epoch and Redis's clock. */
export const EPOCH = `${PRELUDE}
return {epochOf(KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2])), tostring(now)}
`;
