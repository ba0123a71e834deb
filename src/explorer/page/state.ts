/**
 * The explorer's state, kept in the URL so a view can be shared as a link. Pure functions: no DOM,
 * so they are unit-tested in jest.
 */

export const PRESETS = ['7', '30', '90'] as const;
export type Preset = (typeof PRESETS)[number] | 'custom';
export const CONVERSATION_TYPES = ['ALL', 'INTERACTIVE', 'NON_INTERACTIVE'] as const;
export const CONVERSATION_STATUSES = ['ALL', 'ACTIVE', 'CLOSED'] as const;

export interface ExplorerState {
  readonly bot: string;
  readonly preset: Preset;
  /** YYYY-MM-DD; for presets, derived from today in `timeZone`. */
  readonly start: string;
  readonly end: string;
  readonly timeZone: string;
  readonly channel: string;
  readonly conversationType: (typeof CONVERSATION_TYPES)[number];
  readonly conversationStatus: (typeof CONVERSATION_STATUSES)[number];
}

const DAY_MS = 86_400_000;

/** Today's date (YYYY-MM-DD) in a time zone; `undefined` when the zone is not one the browser knows. */
export function todayIn(timeZone: string, now: Date): string | undefined {
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
    const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
    return `${get('year')}-${get('month')}-${get('day')}`;
  } catch {
    return undefined;
  }
}

/** `date` moved by `days` (calendar arithmetic in UTC, where days never skip). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Days in an inclusive range, or NaN when either end is not a date. */
export function daysIn(start: string, end: string): number {
  return Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY_MS) + 1;
}

/** The last `n` days up to and including today in the zone (UTC's today if the zone is unknown: the API will say what is wrong with it). */
export function presetRange(preset: Exclude<Preset, 'custom'>, timeZone: string, now: Date): { start: string; end: string } {
  const end = todayIn(timeZone, now) ?? (todayIn('UTC', now) as string);
  return { start: addDays(end, -(Number(preset) - 1)), end };
}

const oneOf = <T extends string>(value: string | null, allowed: readonly T[], fallback: T): T =>
  allowed.includes(value as T) ? (value as T) : fallback;

/**
 * State from a query string. Anything missing gets a default; dates and ids are kept as typed
 * (the API validates them and the page shows what it says), so a shared link shows the same error.
 */
export function stateFromQuery(search: string, defaults: { bot: string; timeZone: string }, now: Date): ExplorerState {
  const q = new URLSearchParams(search);
  const timeZone = q.get('tz') || defaults.timeZone;
  const hasDates = q.has('start') || q.has('end');
  const preset: Preset = q.get('range') === 'custom' || (hasDates && !q.has('range')) ? 'custom' : oneOf(q.get('range'), PRESETS, '30');
  const range = preset === 'custom' ? { start: q.get('start') ?? '', end: q.get('end') ?? '' } : presetRange(preset, timeZone, now);
  return {
    bot: q.get('bot') ?? defaults.bot,
    preset,
    ...range,
    timeZone,
    channel: q.get('channel') ?? '',
    conversationType: oneOf(q.get('type'), CONVERSATION_TYPES, 'ALL'),
    conversationStatus: oneOf(q.get('status'), CONVERSATION_STATUSES, 'ALL'),
  };
}

/**
 * The query string for a state: presets are stored by name (a link to "last 7 days" stays current),
 * custom ranges by dates; defaults are left out.
 */
export function queryFromState(state: ExplorerState): string {
  const q = new URLSearchParams();
  q.set('bot', state.bot);
  q.set('range', state.preset);
  if (state.preset === 'custom') {
    q.set('start', state.start);
    q.set('end', state.end);
  }
  q.set('tz', state.timeZone);
  if (state.channel) q.set('channel', state.channel);
  if (state.conversationType !== 'ALL') q.set('type', state.conversationType);
  if (state.conversationStatus !== 'ALL') q.set('status', state.conversationStatus);
  return `?${q.toString()}`;
}
