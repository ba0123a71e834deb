import type { BudgetReason, WindowRule } from './budget';

/**
 * The in-process budget's bookkeeping (budget.ts): a bot's or a caller's slot times, and when the
 * next slot may be taken under every window rule. redis-budget-scripts.ts's ACQUIRE mirrors `nextSlot`.
 */

/** Ascending slot times with binary-search insert and remove (times move up on release). */
export class SlotTimes {
  readonly times: number[] = [];

  private indexOf(t: number): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(t: number): void {
    this.times.splice(this.indexOf(t), 0, t);
  }

  remove(t: number): void {
    const i = this.indexOf(t);
    if (this.times[i] === t) this.times.splice(i, 1);
  }

  /** Forgets slots at or before `t` (older than the longest window). */
  dropUpTo(t: number): void {
    let n = 0;
    while (n < this.times.length && this.times[n] <= t) n++;
    if (n) this.times.splice(0, n);
  }

  /** Slots in (`after`, `upTo`]. */
  countIn(after: number, upTo: number): number {
    return this.times.filter((x) => x > after && x <= upTo).length;
  }

  /** The oldest slot after `after`, or undefined. */
  firstAfter = (after: number): number | undefined => this.times.find((x) => x > after);

  /**
   * The earliest time from `from` on at which fewer than `k` slots fall within the last `len` ms
   * (slots after it included): the k-th newest slot plus `len`. Infinity when k < 1.
   */
  freeAt(k: number, len: number, from: number): number {
    if (k < 1) return Infinity;
    const n = this.times.length;
    return n < k ? from : Math.max(from, this.times[n - k] + len);
  }
}

/**
 * When a caller may take its next slot under every rule, from `from` on, and which rule decided.
 * `mine` are the caller's own slots, `active` the callers who asked in the last minute (itself included).
 */
export function nextSlot(
  rules: readonly WindowRule[],
  all: SlotTimes,
  mine: SlotTimes,
  active: number,
  from: number,
): { at: number; reason: BudgetReason } {
  let at = from;
  let reason: BudgetReason = 'bot-budget';
  for (const r of rules) {
    const bot = all.freeAt(r.limit, r.len, from);
    const cap = mine.freeAt(active > 1 ? r.shared : r.alone, r.len, from);
    // Past `limit - reserve`, only a caller under its fair share may take a slot.
    const fair =
      r.reserve > 0
        ? Math.min(all.freeAt(r.limit - r.reserve, r.len, from), mine.freeAt(Math.max(1, Math.floor(r.limit / active)), r.len, from))
        : from;
    if (bot > at) {
      at = bot;
      reason = 'bot-budget';
    }
    if (Math.max(cap, fair) > at) {
      at = Math.max(cap, fair);
      reason = 'caller-share';
    }
  }
  return { at, reason };
}
