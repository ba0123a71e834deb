import type { PeriodUnit, RangePreset } from './generated';

/**
 * The explorer's state, kept in the URL so a view can be shared as a link. Pure functions: no DOM,
 * so they are unit-tested in jest. A preset is the API's `RangePreset` and stays one in the link:
 * the page sends `range: { preset }` and shows the dates the API resolved, so "last 7 days" is
 * always the server's last 7 days in the chosen zone, never dates this browser computed.
 */

/** The API's presets, in the order the page offers them (the labels are index.html's). */
export const PRESETS = [
  'TODAY',
  'YESTERDAY',
  'LAST_7_DAYS',
  'LAST_28_DAYS',
  'LAST_30_DAYS',
  'LAST_90_DAYS',
  'THIS_WEEK',
  'LAST_WEEK',
  'THIS_MONTH',
  'LAST_MONTH',
] as const satisfies readonly RangePreset[];
export type Preset = RangePreset | 'custom';
export const DEFAULT_PRESET: RangePreset = 'LAST_30_DAYS';
export const UNITS = ['WEEK', 'MONTH'] as const satisfies readonly PeriodUnit[];
export const CONVERSATION_TYPES = ['ALL', 'INTERACTIVE', 'NON_INTERACTIVE'] as const;
export const CONVERSATION_STATUSES = ['ALL', 'ACTIVE', 'CLOSED'] as const;

/** Links made before the API had presets said `range=7` (or `preset=7`): the same days, by name. */
const OLD_PRESETS: Readonly<Record<string, RangePreset>> = { '7': 'LAST_7_DAYS', '30': 'LAST_30_DAYS', '90': 'LAST_90_DAYS' };

/**
 * The most days each preset can span. The page decides before asking whether to select `hourly`
 * (capped at MAX_RANGE_DAYS_HOURLY days), and only the API knows the dates: so it goes by the longest
 * case (a 31-day month for THIS_MONTH), which never asks for hourly buckets the API would refuse.
 */
export const PRESET_MAX_DAYS: Readonly<Record<RangePreset, number>> = {
  TODAY: 1,
  YESTERDAY: 1,
  LAST_7_DAYS: 7,
  LAST_28_DAYS: 28,
  LAST_30_DAYS: 30,
  LAST_90_DAYS: 90,
  THIS_WEEK: 7,
  LAST_WEEK: 7,
  THIS_MONTH: 31,
  LAST_MONTH: 31,
};

export interface ExplorerState {
  readonly bot: string;
  readonly preset: Preset;
  /** YYYY-MM-DD as typed, for a custom range; empty for a preset (the API resolves it). */
  readonly start: string;
  readonly end: string;
  readonly timeZone: string;
  readonly channel: string;
  readonly conversationType: (typeof CONVERSATION_TYPES)[number];
  readonly conversationStatus: (typeof CONVERSATION_STATUSES)[number];
  /** Calendar periods of the periods chart. */
  readonly unit: PeriodUnit;
  /** Reload the view every LIVE_INTERVAL_MS (live.ts) while the page is open; `live=1` in the link. */
  readonly live: boolean;
}

const DAY_MS = 86_400_000;

/** Days in an inclusive range, or NaN when either end is not a date. */
export function daysIn(start: string, end: string): number {
  return Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY_MS) + 1;
}

/** The `range` argument the page sends: the preset itself, or the typed dates. */
export function rangeInput(state: ExplorerState): { preset: RangePreset } | { start: string; end: string } {
  return state.preset === 'custom' ? { start: state.start, end: state.end } : { preset: state.preset };
}

/** Whether the question may select hourly buckets (see PRESET_MAX_DAYS); a broken custom range: no. */
export function hourlyFits(state: ExplorerState, maxRangeDaysHourly: number): boolean {
  const days = state.preset === 'custom' ? daysIn(state.start, state.end) : PRESET_MAX_DAYS[state.preset];
  return Number.isFinite(days) && days >= 1 && days <= maxRangeDaysHourly;
}

const oneOf = <T extends string>(value: string | null, allowed: readonly T[], fallback: T): T =>
  allowed.includes(value as T) ? (value as T) : fallback;

function presetFrom(q: URLSearchParams): Preset {
  const named = q.get('range') ?? q.get('preset');
  if (named === 'custom') return 'custom';
  if (named !== null && OLD_PRESETS[named]) return OLD_PRESETS[named];
  if (named === null && (q.has('start') || q.has('end'))) return 'custom';
  return oneOf(named, PRESETS, DEFAULT_PRESET);
}

/**
 * State from a query string. Anything missing gets a default; dates and ids are kept as typed
 * (the API validates them and the page shows what it says), so a shared link shows the same error.
 */
export function stateFromQuery(search: string, defaults: { bot: string; timeZone: string }): ExplorerState {
  const q = new URLSearchParams(search);
  const preset = presetFrom(q);
  return {
    bot: q.get('bot') ?? defaults.bot,
    preset,
    start: preset === 'custom' ? (q.get('start') ?? '') : '',
    end: preset === 'custom' ? (q.get('end') ?? '') : '',
    timeZone: q.get('tz') || defaults.timeZone,
    channel: q.get('channel') ?? '',
    conversationType: oneOf(q.get('type'), CONVERSATION_TYPES, 'ALL'),
    conversationStatus: oneOf(q.get('status'), CONVERSATION_STATUSES, 'ALL'),
    unit: oneOf(q.get('unit'), UNITS, 'WEEK'),
    live: q.get('live') === '1',
  };
}

/**
 * The query string for a state: presets are stored by the API's name (a link to LAST_7_DAYS stays
 * current), custom ranges by dates, the periods' unit always; other defaults are left out.
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
  q.set('unit', state.unit);
  if (state.channel) q.set('channel', state.channel);
  if (state.conversationType !== 'ALL') q.set('type', state.conversationType);
  if (state.conversationStatus !== 'ALL') q.set('status', state.conversationStatus);
  if (state.live) q.set('live', '1');
  return `?${q.toString()}`;
}
