/**
 * Calendar dates and time zones without locale tricks.
 *
 * A calendar date is handled as a "day number" (days since 1970-01-01) so that ranges, lengths
 * and iteration never touch the process's local time zone. Instants are epoch milliseconds; the
 * only place a time zone enters is `zoneOffsetMs`, which asks Intl once per zone and 15-minute
 * slot (every offset change since 1970 falls on a quarter hour) and caches the answer.
 */

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const KORE_DATE = /^([A-Z][a-z]{2}) (\d{1,2}) (\d{4})$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

function dayFromParts(year: number, month: number, day: number): number | null {
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
function memoized<K, V>(convert: (value: K) => V): (value: K) => V {
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

/** Kore's `Dec 01 2025` label → day number, or null. Month names are matched literally, not by locale. */
export const parseKoreDate = memoized((value: string): number | null => {
  const m = KORE_DATE.exec(value.trim());
  if (!m) return null;
  const month = MONTHS.indexOf(m[1] as (typeof MONTHS)[number]);
  return month < 0 ? null : dayFromParts(Number(m[3]), month + 1, Number(m[2]));
});

export function koreDate(day: number): string {
  const d = new Date(day * DAY_MS);
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, '0')} ${d.getUTCFullYear()}`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Formatters kept at most: aliases Intl does not list keep the caller's spelling, and every case variant is a key. */
const MAX_FORMATTERS = 1_000;

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    if (formatters.size >= MAX_FORMATTERS) formatters.clear();
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

let knownZones: Map<string, string> | undefined;

/**
 * The IANA name to use for `name`, or null when Intl does not know it. Characters are checked
 * first so that nothing odd ever reaches Intl (or an upstream query string). The caller's spelling
 * is kept, only its case fixed (`asia/kolkata` → `Asia/Kolkata`): ICU's own canonical form can be
 * an outdated alias (Node 20 turns Asia/Kolkata into Asia/Calcutta), which Kore.ai need not accept.
 */
export function canonicalTimeZone(name: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(name) || name.includes('..')) return null;
  try {
    formatterFor(name);
  } catch {
    return null;
  }
  knownZones ??= new Map(['UTC', ...Intl.supportedValuesOf('timeZone')].map((z) => [z.toLowerCase(), z]));
  return knownZones.get(name.toLowerCase()) ?? name;
}

const SLOT_MS = 15 * 60_000;
const offsetCache = new Map<string, Map<number, number>>();
/** Slots cached across all zones: bounded in total (not per zone), since callers pick both. */
let offsetSlots = 0;

/** How much the zone caches hold (tests). */
export const zoneCacheSizes = () => ({ formatters: formatters.size, zones: offsetCache.size, slots: offsetSlots });

/** Offset of `timeZone` from UTC at instant `ts`, in milliseconds (Asia/Kolkata → +19 800 000). */
export function zoneOffsetMs(ts: number, timeZone: string): number {
  let byZone = offsetCache.get(timeZone);
  if (!byZone) {
    offsetCache.set(timeZone, (byZone = new Map()));
    offsetSlots++; // an empty zone's map counts as a slot, so that new spellings alone are bounded too
  }
  const slot = Math.floor(ts / SLOT_MS);
  let offset = byZone.get(slot);
  if (offset === undefined) {
    const at = slot * SLOT_MS;
    const p: Record<string, number> = {};
    for (const part of formatterFor(timeZone).formatToParts(at)) if (part.type !== 'literal') p[part.type] = Number(part.value);
    offset = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - at;
    if (offsetSlots >= 200_000) {
      // Bounded: a long-running process must not grow with the zones (and their spellings) and
      // the years callers ask about.
      offsetCache.clear();
      offsetCache.set(timeZone, byZone);
      byZone.clear();
      offsetSlots = 1;
    }
    byZone.set(slot, offset);
    offsetSlots++;
  }
  return offset;
}

/** Local calendar day number and hour (0–23) of instant `ts` in `timeZone`. */
export function localDayHour(ts: number, timeZone: string): { day: number; hour: number } {
  const local = ts + zoneOffsetMs(ts, timeZone);
  const day = Math.floor(local / DAY_MS);
  return { day, hour: Math.floor((local - day * DAY_MS) / 3_600_000) };
}

/** The first instant of local calendar day `day` in `timeZone` (DST-aware). */
export function startOfLocalDay(day: number, timeZone: string): number {
  const guess = day * DAY_MS;
  const first = guess - zoneOffsetMs(guess, timeZone);
  return guess - zoneOffsetMs(first, timeZone);
}

export function todayIn(timeZone: string, now: number = Date.now()): number {
  return localDayHour(now, timeZone).day;
}

/** `"17 - 18"` style hour keys, `"23 - 0"` for the last hour of the day. */
export function koreHourKey(hour: number): string {
  return `${hour} - ${(hour + 1) % 24}`;
}

export const HOUR_KEYS: readonly string[] = Array.from({ length: 24 }, (_, h) => koreHourKey(h));

export { DAY_MS };
