import { ErrorCode, UpstreamError, type BudgetRefusal } from '../errors';
import { contentionEnd, REFRESH_CALLER, spareRoom, usageOf, type BudgetUsage } from './budget-usage';
import { nextSlot, SlotTimes } from './budget-slots';

/**
 * Our own per-bot budget, kept under Kore.ai's (60 a minute and 1,800 an hour per bot, rolling,
 * shared with every other analytics client of the bot). A call takes a slot: now if one is free,
 * later if one frees within `maxWaitMs`, otherwise it is refused at once with RATE_LIMITED and
 * `retryAfter`, without calling upstream.
 *
 * Why not Bottleneck: its reservoir refills in fixed windows, which lets up to twice the budget
 * through within one rolling minute (a burst at 0:59 and another at 1:00). Kore counts rolling
 * windows, so this is a sliding log of slot times.
 *
 * Kore counts a call somewhere between its arrival and its answer, so a slot counts from when it
 * is granted until the call ends: `release()` moves the slot's time up to the moment the call
 * ended (never down). Invariant: every call Kore can count inside any rolling window of `len` ms
 * holds a slot whose time is at or after the moment Kore counted it, once the call has ended.
 *
 * Fairness between callers (the token's `sub`; with AUTH_MODE=none every caller is one): in each
 * window of `limit` slots,
 * - a caller alone (no other caller asked for this bot in the last minute) may hold
 *   `limit - reserve` slots, so a newcomer's first question never waits for another's flood;
 * - while other callers are active, a caller may hold at most `limit × callerShare` slots;
 * - the last `reserve` slots go only to callers holding fewer than their fair share
 *   (`limit / active callers`, at least one).
 *
 * Refreshes (`trySpare`, the background class) take only slots no interactive call needs: never
 * while one is queued, never the last `max(1, reserve)`, and never while the bot is *contended*.
 * A refusal for the bot's budget (not a caller's share) makes it contended until the refused call
 * could have had its slot plus `maxWaitMs`: the slots that free meanwhile go to the refused
 * callers' retries (after `retryAfter`, waiting up to `maxWaitMs`), not to whichever refresh asks
 * first. Later refusals only extend it.
 * The same rules run in process (below) and in Redis (redis-budget.ts, its Lua in redis-budget-scripts.ts), with the same arguments.
 */

export interface BudgetLimits {
  readonly perMinute: number;
  readonly perHour: number;
  readonly maxWaitMs: number;
  /** Most of a window one caller may hold while others are active (0–1]; 1 turns the cap off. */
  readonly callerShare?: number;
  /** Share of a window a lone caller leaves free for newcomers [0–1); 0 with AUTH_MODE=none. */
  readonly reserveShare?: number;
}

/** A granted slot: release it when the call ends (answered, failed or timed out). */
export interface BudgetSlot {
  release(): void;
}

export interface BotBudget {
  /** Resolves when the call may go; rejects with RATE_LIMITED when no slot frees within maxWaitMs. */
  acquire(botId: string, caller?: string): Promise<BudgetSlot>;
  /** The background class: a slot now or none, never waiting (`spareRoom`). */
  trySpare(botId: string, maxShare: number): Promise<BudgetSlot | undefined>;
  /** What the budget decides on, read without taking anything (Bot.upstreamBudget). */
  usage(botId: string, caller?: string): Promise<BudgetUsage>;
  /** Stops background work (Redis heartbeat); in-process budgets have none. */
  close?(): void;
}

export const MINUTE = 60_000;
export const HOUR = 3_600_000;

/** Why a call was refused: the bot's whole budget, or this caller's part of it. */
export type BudgetReason = BudgetRefusal;

/** The refusal when no slot frees in time: no upstream call is made. */
export function budgetSpent(botId: string, waitMs: number, reason: BudgetReason = 'bot-budget'): UpstreamError {
  const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
  const what =
    reason === 'caller-share'
      ? `Your share of the upstream budget for bot ${botId} is spent`
      : `The upstream budget for bot ${botId} is spent`;
  return new UpstreamError(
    ErrorCode.RATE_LIMITED,
    `${what}; try again in ${retryAfter} s.`,
    undefined,
    { retryAfter, source: 'budget', reason },
    { kind: 'budget', refusal: reason },
  );
}

/** Our budget refused a caller over its share: about that caller only, never to be passed to another. */
export function isCallerShareRefusal(e: unknown): boolean {
  return e instanceof UpstreamError && e.origin.kind === 'budget' && e.origin.refusal === 'caller-share';
}

/**
 * The metric label for a budget that refused a slot: which budget (bot or caller share), or that
 * the shared budget store was unreachable. Read from the error's origin, never its extensions.
 */
export function budgetRefusalLabel(e: unknown): string {
  if (!(e instanceof UpstreamError)) return 'error';
  if (e.origin.kind === 'budget') return e.origin.refusal;
  return e.origin.kind === 'shared-state' ? 'shared-state-unavailable' : 'bot-budget';
}

/** The windows a slot is checked against, with the slots each rule allows in it. */
export interface WindowRule {
  readonly len: number;
  readonly limit: number;
  /** The most one caller may hold: alone, and while others are active. */
  readonly alone: number;
  readonly shared: number;
  /** Above `limit - reserve` slots, only callers under their fair share get one. */
  readonly reserve: number;
}

export function windowRules(limits: BudgetLimits): WindowRule[] {
  const share = limits.callerShare ?? 1;
  const reserveShare = limits.reserveShare ?? 0;
  return [
    [MINUTE, limits.perMinute],
    [HOUR, limits.perHour],
  ].map(([len, limit]) => {
    const reserve = Math.floor(limit * reserveShare);
    return { len, limit, alone: Math.max(1, limit - reserve), shared: Math.max(1, Math.floor(limit * share)), reserve };
  });
}

interface BotState {
  readonly all: SlotTimes;
  readonly byCaller: Map<string, SlotTimes>;
  /** Caller → when it last asked (for "active in the last minute"). */
  readonly asked: Map<string, number>;
  last: number;
  /** Until when refreshes get no slot: the last bot-budget refusal's slot plus maxWaitMs (`contentionEnd`). */
  contendedUntil: number;
}

const newBot = (t: number): BotState => ({ all: new SlotTimes(), byCaller: new Map(), asked: new Map(), last: t, contendedUntil: 0 });

export function createMemoryBudget(limits: BudgetLimits, now: () => number = Date.now): BotBudget {
  const rules = windowRules(limits);
  const bots = new Map<string, BotState>();
  let sinceSweep = 0;

  /** Bots with nothing in the last hour are forgotten, a sweep every 1,024 calls (many bots, each asked once). */
  function sweep(t0: number): void {
    if (++sinceSweep < 1024) return;
    sinceSweep = 0;
    for (const [botId, state] of bots) if (state.last <= t0 - HOUR && state.contendedUntil <= t0) bots.delete(botId);
  }

  /** The refusal; for the bot's budget, refreshes are held until the refused call's slot plus maxWaitMs. */
  function refuse(st: BotState, botId: string, t: number, at: number, waitMs: number, reason: BudgetReason): UpstreamError {
    if (reason === 'bot-budget') st.contendedUntil = Math.max(st.contendedUntil, contentionEnd(t, at, limits.maxWaitMs));
    return budgetSpent(botId, waitMs, reason);
  }

  return {
    async acquire(botId, caller = '') {
      const t0 = now();
      sweep(t0);
      let state = bots.get(botId);
      if (!state) bots.set(botId, (state = newBot(t0)));
      state.all.dropUpTo(t0 - HOUR);
      state.asked.set(caller, t0);
      for (const [who, at] of state.asked) {
        if (at > t0 - MINUTE) continue;
        state.asked.delete(who);
        const theirs = state.byCaller.get(who);
        theirs?.dropUpTo(t0 - HOUR);
        if (theirs && !theirs.times.length) state.byCaller.delete(who);
      }
      let mine = state.byCaller.get(caller);
      if (!mine) state.byCaller.set(caller, (mine = new SlotTimes()));
      mine.dropUpTo(t0 - HOUR);

      const st = state;
      const own = mine;
      let { at, reason } = nextSlot(rules, st.all, own, st.asked.size, t0);
      if (at - t0 > limits.maxWaitMs) throw refuse(st, botId, t0, at, at - t0, reason);
      st.all.add(at);
      own.add(at);
      // A slot reserved for later was placed behind slots still in flight; they may have ended
      // later than granted, so check again at the reserved time (the reservation keeps our place).
      while (at > t0) {
        const promised = at;
        if (at > now()) await new Promise((resolve) => setTimeout(resolve, at - now()));
        st.all.remove(promised);
        own.remove(promised);
        st.asked.set(caller, Math.max(st.asked.get(caller) ?? 0, now())); // still asking, as the Redis script records
        const t = now();
        ({ at, reason } = nextSlot(rules, st.all, own, st.asked.size, Math.max(t, promised)));
        if (at - t0 > limits.maxWaitMs) throw refuse(st, botId, t, at, at - t0, reason);
        st.all.add(at);
        own.add(at);
        if (at <= promised) break;
      }
      return held(st, own, at);
    },
    async trySpare(botId, maxShare) {
      const t0 = now();
      const st = bots.get(botId) ?? newBot(t0);
      bots.set(botId, st);
      const mine = st.byCaller.get(REFRESH_CALLER) ?? new SlotTimes();
      st.byCaller.set(REFRESH_CALLER, mine);
      mine.dropUpTo(t0 - HOUR);
      const counts = rules.map((r) => [st.all.countIn(t0 - r.len, t0), mine.countIn(t0 - r.len, Infinity)] as const);
      if (!spareRoom(rules, counts, st.all.countIn(t0, Infinity), maxShare, st.contendedUntil > t0)) return undefined;
      st.all.add(t0);
      mine.add(t0);
      return held(st, mine, t0);
    },
    async usage(botId, caller = '') {
      const t0 = now();
      const st = bots.get(botId);
      const others = [...(st?.asked ?? [])].filter(([who, at]) => at > t0 - MINUTE && who !== caller).length;
      return usageOf(rules, st?.all ?? new SlotTimes(), st?.byCaller.get(caller) ?? new SlotTimes(), others, t0);
    },
  };

  /** The slot at `at`, released by moving it to when the call ended (never earlier). */
  function held(st: BotState, own: SlotTimes, at: number): BudgetSlot {
    st.last = Math.max(st.last, at);
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        const end = now();
        if (end <= at) return;
        st.all.remove(at);
        st.all.add(end);
        own.remove(at);
        own.add(end);
        st.last = Math.max(st.last, end);
      },
    };
  }
}
