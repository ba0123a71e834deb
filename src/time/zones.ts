import { DAY_MS } from './calendar';

/**
 * Time zones: IANA names checked and cased, offsets, local days and hours.
 *
 * Instants are epoch milliseconds; the only place a time zone enters is `zoneOffsetMs`, which asks
 * Intl once per zone and 15-minute slot (every offset change since 1970 falls on a quarter hour)
 * and caches the answer.
 */

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
