import type { WindowRule } from './budget';

/**
 * Reading the budget without taking from it (Bot.upstreamBudget), and the background class that
 * takes only what interactive callers leave (the refresher). Pure rules over slot counts, shared by
 * the in-process budget (budget.ts) and the Lua in redis-budget-scripts.ts and redis-budget-usage.ts, which mirror them line by line.
 */

/** One rolling window as the budget sees it now. */
export interface WindowUsage {
  readonly limit: number;
  /** Slots counted in the window now (calls made or in flight), not those reserved for later. */
  readonly used: number;
  /** Seconds until the oldest counted slot leaves the window; 0 when none is counted. */
  readonly resetsInSeconds: number;
}

export interface BudgetUsage {
  readonly minute: WindowUsage;
  readonly hour: WindowUsage;
  /** Calls holding a slot reserved for later (waiting for the window to free). */
  readonly queued: number;
  /** Calls the asking caller could start now without waiting, under every rule (shares included). */
  readonly callerLeft: number;
}

/**
 * The caller key background refreshes hold their slots under: never a token's `sub` hashed or not
 * (a NUL cannot appear in one), and never counted as an active caller (refreshes do not shrink
 * anyone's fair share).
 */
export const REFRESH_CALLER = '\u0000refresh';

/**
 * Whether a background slot may be taken now: the bot is not contended (no interactive call was
 * refused for the bot's budget lately, see `contentionEnd`: the slots that free go to the refused
 * callers' retries), nothing waits for a slot (a refresh never goes ahead of a queued interactive
 * call), after taking it at least `max(1, reserve)` slots stay free in every window (interactive
 * callers always find one; with a budget of one a window, none: else no refresh could ever run),
 * and refreshes hold fewer than `floor(limit × maxShare)` of the minute.
 * `counts[i]`: [all slots in window i, refresh slots in it].
 */
export function spareRoom(
  rules: readonly WindowRule[],
  counts: ReadonlyArray<readonly [number, number]>,
  queued: number,
  maxShare: number,
  contended: boolean,
): boolean {
  if (contended || queued > 0) return false;
  return rules.every((r, i) => {
    const [all, mine] = counts[i];
    if (all + 1 > r.limit - Math.min(Math.max(1, r.reserve), r.limit - 1)) return false;
    // windowRules lists the minute first: the share caps refreshes per minute.
    return i !== 0 || mine < Math.floor(r.limit * maxShare);
  });
}

/** The longest wait a refusal reports (redis-budget-scripts.ts's ACQUIRE caps it alike). */
export const LONGEST_WAIT_MS = 86_400_000;

/**
 * Until when a bot is contended after refusing a call for its whole budget, decided at `t`: the
 * moment the refused call could have had its slot (`at`, capped as the reported wait), plus
 * `maxWaitMs`, the longest its retry may wait for one. redis-budget-scripts.ts's ACQUIRE computes the same.
 */
export function contentionEnd(t: number, at: number, maxWaitMs: number): number {
  return Math.min(at, t + LONGEST_WAIT_MS) + maxWaitMs;
}

/**
 * How many slots a caller could take now, one after another, under `nextSlot`'s rules: each rule's
 * room, where the fair-share rule lets a caller through while either the bot is under
 * `limit - reserve` or the caller under its fair share (each slot taken counts against both).
 */
export function callerRoom(r: WindowRule, all: number, mine: number, active: number): number {
  const bot = r.limit - all;
  const cap = (active > 1 ? r.shared : r.alone) - mine;
  const fair = r.reserve > 0 ? Math.max(r.limit - r.reserve - all, Math.max(1, Math.floor(r.limit / active)) - mine) : bot;
  return Math.max(0, Math.min(bot, cap, fair));
}

/** A window's numbers at `t`, from its oldest slot (undefined, or reserved for later: none counted). */
export function windowUsage(limit: number, len: number, oldest: number | undefined, used: number, t: number): WindowUsage {
  const counted = oldest !== undefined && oldest <= t;
  return { limit, used, resetsInSeconds: counted ? Math.max(0, Math.ceil((oldest + len - t) / 1000)) : 0 };
}

/** Slot times as the in-process budget keeps them (budget.ts's SlotTimes). */
interface SlotLog {
  countIn(after: number, upTo: number): number;
  firstAfter(after: number): number | undefined;
}

/** The usage at `t` of a bot's slots (`all`), for a caller holding `mine`, with `others` other active callers. */
export function usageOf(rules: readonly WindowRule[], all: SlotLog, mine: SlotLog, others: number, t: number): BudgetUsage {
  const [minute, hour] = rules.map((r) => windowUsage(r.limit, r.len, all.firstAfter(t - r.len), all.countIn(t - r.len, t), t));
  const left = Math.min(
    ...rules.map((r) => callerRoom(r, all.countIn(t - r.len, Infinity), mine.countIn(t - r.len, Infinity), others + 1)),
  );
  return { minute, hour, queued: all.countIn(t, Infinity), callerLeft: left };
}
