/**
 * Calendar dates without locale tricks.
 *
 * A calendar date is handled as a "day number" (days since 1970-01-01) so that ranges, lengths
 * and iteration never touch the process's local time zone. Time zones live in zones.ts; Kore.ai's
 * own date labels (`Dec 01 2025`) in upstream/kore/labels.ts.
 */

export const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The day number of a calendar date given as numbers (month 1–12), or null when no such date exists. */
export function dayFromParts(year: number, month: number, day: number): number | null {
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const ms = Date.UTC(year, month - 1, day);
  const check = new Date(ms);
  // Date.UTC rolls 2025-02-30 over into March; a real calendar date survives the round trip.
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  return ms / DAY_MS;
}

/** `YYYY-MM-DD` is 10 characters, Kore's `Dec 01 2025` 11. */
const MEMO_MAX_KEY_LENGTH = 11;

/**
 * A bounded memo (cleared when it reaches 20,000 entries) for the conversions every answer and
 * response repeats from a small set of values: every date of every upstream answer is parsed, every
 * date of every response is checked again by the Date scalar, every series point and hourly bucket
 * asks for its ISO date.
 */
export function memoized<K, V>(convert: (value: K) => V): (value: K) => V {
  const seen = new Map<K, V>();
  return (value) => {
    // Callers' strings reach here (the Date scalar): only date-sized ones are kept, so that the
    // memo's bound in bytes is fixed too (and a long argument is never held by it).
    if (typeof value === 'string' && value.length > MEMO_MAX_KEY_LENGTH) return convert(value);
    const known = seen.get(value);
    if (known !== undefined) return known; // one lookup on the hot path (no conversion here yields undefined)
    const result = convert(value);
    if (seen.size >= 20_000) seen.clear();
    seen.set(value, result);
    return result;
  };
}

/** `2025-12-01` → day number, or null for anything that is not a real calendar date in that exact form. */
export const parseIsoDate = memoized((value: string): number | null => {
  const m = ISO_DATE.exec(value);
  return m ? dayFromParts(Number(m[1]), Number(m[2]), Number(m[3])) : null;
});

/** Day number → `YYYY-MM-DD`. */
export const isoDate = memoized((day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10));
