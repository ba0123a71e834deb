import { DAY_MS, dayFromParts, memoized } from '../../time/calendar';

/**
 * Kore.ai's labels on the wire: dates as `Dec 01 2025` (no offset: a day in the zone asked for) and
 * hours as `"17 - 18"`, the last hour of a day `"23 - 0"`. Both sides of the wire use these: the
 * mapper reads them, the built-in upstream (src/emulator) writes them.
 */

const KORE_DATE = /^([A-Z][a-z]{2}) (\d{1,2}) (\d{4})$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** Kore's `Dec 01 2025` label → day number, or null. Month names are matched literally, not by locale. */
export const parseKoreDate = memoized((value: string): number | null => {
  const m = KORE_DATE.exec(value.trim());
  if (!m) return null;
  const month = MONTHS.indexOf(m[1] as (typeof MONTHS)[number]);
  return month < 0 ? null : dayFromParts(Number(m[3]), month + 1, Number(m[2]));
});

/** Day number → Kore's `Dec 01 2025` label. */
export function koreDate(day: number): string {
  const d = new Date(day * DAY_MS);
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, '0')} ${d.getUTCFullYear()}`;
}

/** `"17 - 18"` style hour keys, `"23 - 0"` for the last hour of the day. */
export function koreHourKey(hour: number): string {
  return `${hour} - ${(hour + 1) % 24}`;
}

/** The 24 hour keys of a day, in order (index = hour). */
export const HOUR_KEYS: readonly string[] = Array.from({ length: 24 }, (_, h) => koreHourKey(h));
