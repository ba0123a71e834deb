import type { ChangeFiguresFragment, PeriodUnit } from './generated';

/**
 * Numbers into words for the tiles, the activity figures and the periods chart. Pure (no DOM, the
 * locale passed in), so jest checks them. Percentages come from the API: the change's `relative`
 * (null when the previous figure is 0) and `stickiness` are shown, never recomputed here.
 */

export interface ChangeText {
  /** The sign of the change: up, down, same, or new (nothing before, something now). */
  readonly direction: 'up' | 'down' | 'same' | 'new';
  /** What the tile shows: an arrow and the percent, or "new". */
  readonly short: string;
  /** The same for screen readers, naming what it is compared with. */
  readonly words: string;
}

/** "the previous 30 days", "the previous day". */
export function previousPeriodWords(days: number): string {
  return days === 1 ? 'the previous day' : `the previous ${days} days`;
}

const percentFormat = (locale: string) => new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });

/**
 * A change as the tile says it. The arrow follows `absolute` (exact integers), the percent is the
 * API's `relative` as given; with `relative` null (nothing before) there is no percent to show.
 */
export function changeText(change: ChangeFiguresFragment, previousDays: number, locale: string): ChangeText {
  const against = previousPeriodWords(previousDays);
  if (change.relative === null) {
    return change.current > 0
      ? { direction: 'new', short: 'new', words: `new: none in ${against}` }
      : { direction: 'same', short: '→ 0', words: `none now and none in ${against}` };
  }
  const percent = percentFormat(locale).format(Math.abs(change.relative));
  if (change.absolute > 0) return { direction: 'up', short: `▲ ${percent}`, words: `up ${percent} from ${against}` };
  if (change.absolute < 0) return { direction: 'down', short: `▼ ${percent}`, words: `down ${percent} from ${against}` };
  return { direction: 'same', short: `→ ${percent}`, words: `unchanged from ${against}` };
}

/** Stickiness (a share between 0 and 1) as a percent; "—" when the API has none. */
export function stickinessText(stickiness: number | null, locale: string): string {
  return stickiness === null ? '—' : percentFormat(locale).format(stickiness);
}

const utc = (date: string) => new Date(`${date}T00:00:00Z`);

/**
 * A calendar period's label on the chart: "Dec 1 – Dec 7" for a week, "Dec 2025" for a month (its
 * days inside the range, so a clipped one says which); "(partial)" when the range cuts it.
 */
export function periodLabel(
  period: { readonly range: { readonly start: string; readonly end: string }; readonly complete: boolean },
  unit: PeriodUnit,
  locale: string,
): string {
  const day = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' });
  const month = new Intl.DateTimeFormat(locale, { month: 'short', year: 'numeric', timeZone: 'UTC' });
  const { start, end } = period.range;
  const days = start === end ? day.format(utc(start)) : `${day.format(utc(start))} – ${day.format(utc(end))}`;
  if (unit === 'WEEK') return period.complete ? days : `${days} (partial)`;
  return period.complete ? month.format(utc(start)) : `${month.format(utc(start))} (partial: ${days})`;
}

/** "just now", "3 min ago", "2 h ago", "4 days ago": the API's `ageSeconds`, never this browser's clock. */
export function ageText(ageSeconds: number): string {
  if (ageSeconds < 60) return 'just now';
  if (ageSeconds < 3600) return `${Math.floor(ageSeconds / 60)} min ago`;
  if (ageSeconds < 86_400) return `${Math.floor(ageSeconds / 3600)} h ago`;
  const days = Math.floor(ageSeconds / 86_400);
  return days === 1 ? '1 day ago' : `${days} days ago`;
}

/** `asOf` as the viewer's wall clock shows it ("14:05"), in `timeZone` (the browser's unless given). */
export function asOfTime(asOf: string, locale: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    ...(timeZone ? { timeZone } : {}),
  }).format(new Date(asOf));
}

export interface FreshnessText {
  /** What the line under the tiles shows: "as of 14:05 (3 min ago)". */
  readonly shown: string;
  /** For screen readers when the numbers are stale (the visible mark is a symbol); empty when fresh. */
  readonly staleWords: string;
}

/** The freshness line under the tiles, from the API's `freshness`. */
export function freshnessText(
  freshness: { readonly asOf: string; readonly ageSeconds: number; readonly stale: boolean },
  locale: string,
  timeZone?: string,
): FreshnessText {
  return {
    shown: `as of ${asOfTime(freshness.asOf, locale, timeZone)} (${ageText(freshness.ageSeconds)})`,
    staleWords: freshness.stale ? 'Stale: these numbers are older than their freshness; a newer answer was not available yet.' : '',
  };
}

/** The bot's upstream budget as the API reports it (`Bot.upstreamBudget`: its rolling minute and the queue). */
export interface BudgetFigures {
  readonly minute: { readonly limit: number; readonly used: number; readonly resetsInSeconds: number };
  readonly queued: number;
}

/**
 * The budget line next to the freshness line: "Budget this minute: 12 of 50 calls used, resets in
 * 41 s", with "· 3 queued" only when calls wait for a slot. `resetsInSeconds` is 0 when no call is
 * counted: then nothing is to reset and the line does not say it.
 */
export function budgetText(budget: BudgetFigures, locale: string): string {
  const n = new Intl.NumberFormat(locale);
  const { limit, used, resetsInSeconds } = budget.minute;
  const resets = resetsInSeconds > 0 ? `, resets in ${n.format(resetsInSeconds)} s` : '';
  const queued = budget.queued > 0 ? ` · ${n.format(budget.queued)} queued` : '';
  return `Budget this minute: ${n.format(used)} of ${n.format(limit)} call${limit === 1 ? '' : 's'} used${resets}${queued}`;
}
