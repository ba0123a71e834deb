import type { FieldNode } from 'graphql';
import { OperationLimitError } from '../errors';
import { parseIsoDate } from '../time/calendar';
import { CAPABILITIES } from '../upstream/kore/capabilities';
import { calendarPeriods, comparedRange, type Comparison, type DayRange, type Unit } from './calendar-periods';
import { comparedArguments, periodQuestions } from './comparison';
import type { DateRangeInput, EngagementFilters } from './engagement.args';
import { queryKey, type TrendQuery } from './model';
import type { Need } from './plan';
import { asRange } from './raw-arguments';

/**
 * The planner's walk of one `engagementTrend` selection (plan.ts calls it for every trend field of
 * an operation): the needs of the question itself, and recursively those of the questions its
 * dashboard fields derive (`compare`, `change`, `periods`, `activity`), derived with the very
 * functions the resolvers use (comparison.ts) and validated through the same resolveQuestion.
 * Mirrors dashboard.resolver.ts field for field: a need here is a load there.
 */

/**
 * Does this question's API version answer a summary? v1 has none, and the resolver refuses the
 * field before any call, so a v1 summary costs nothing. The one capability the planner reads,
 * from the one capabilities table.
 */
export function answersSummary(query: TrendQuery): boolean {
  return CAPABILITIES[query.version].summary;
}

const NEED_FIELDS: ReadonlyArray<readonly [Need, string]> = [
  ['summary', 'summary'],
  ['daily', 'series'],
  ['hourly', 'hourly'],
];

/** Fields of the activity that read the daily series alone; `stickiness` also needs the summary. */
const ACTIVITY_DAILY = ['averageDailyUsers', 'peakDay'];

/**
 * Every field of the types the planner walks into as it sees them: what costs a call,
 * what it walks into, and what is free. A unit test compares these with the schema, so a new field
 * cannot be added without deciding here what it costs (a field the planner does not know would
 * cost nothing in the estimate and let the cost limit through).
 */
export const PLANNED_FIELDS = {
  EngagementTrend: {
    costed: NEED_FIELDS.map(([, field]) => field),
    walked: ['activity', 'change', 'compare', 'periods'],
    free: ['botId', 'range', 'freshness'],
  },
  EngagementActivity: { costed: [...ACTIVITY_DAILY, 'stickiness'], walked: [], free: [] },
  EngagementPeriod: { costed: ['summary'], walked: [], free: ['range', 'complete'] },
} as const;

const COMPARISONS: readonly unknown[] = ['PREVIOUS_PERIOD', 'PREVIOUS_YEAR'] satisfies Comparison[];
const UNITS: readonly unknown[] = ['WEEK', 'MONTH'] satisfies Unit[];

/** Guards the recursion against documents that skipped validation (a fragment cycle); valid ones stop at MAX_DEPTH. */
const MAX_NESTING = 128;

/** What the walk needs from the operation's planner. */
export interface TrendWalk {
  /** The sub-fields of all the nodes of one response key, grouped by response key (fragments expanded). */
  readonly fieldsOf: (group: readonly FieldNode[]) => Map<string, FieldNode[]>;
  /** An argument's raw value (variables substituted). */
  readonly argument: (field: FieldNode, name: string) => unknown;
  /** The canonical question as the resolver gets it; null when refused, undefined when it cannot be canonicalized. */
  readonly resolve: (
    botId: string,
    range: DateRangeInput,
    filters: EngagementFilters | null,
    hourlyAsked: boolean,
  ) => TrendQuery | null | undefined;
  /** Records needs of a question, keyed by its canonical key (or a raw key when `query` is undefined). */
  readonly need: (key: string, query: TrendQuery | undefined, needs: Iterable<Need>) => void;
  /** Records the calls a refused question would have made. */
  readonly refuse: (key: string, needs: ReadonlySet<Need>) => void;
}

/** A question that could not be canonicalized: its raw key, and its days when its raw range spells them. */
export interface RawQuestion {
  readonly key: string;
  readonly days?: DayRange;
}

/**
 * The days of a raw range given as dates, when coercion and validation could accept them. A preset
 * has no days without the request's clock and zone: undefined (only the planner's no-resolver path,
 * used by unit tests, reads this; the server always canonicalizes with the resolver).
 */
export function rawDays(range: unknown): DayRange | undefined {
  const r = asRange(range);
  const [startDay, endDay] = [r?.start ? parseIsoDate(r.start) : null, r?.end ? parseIsoDate(r.end) : null];
  return typeof startDay === 'number' && typeof endDay === 'number' && startDay <= endDay ? { startDay, endDay } : undefined;
}

const namesOf = (fields: Map<string, FieldNode[]>): Set<string> => new Set([...fields.values()].map((group) => group[0].name.value));

/**
 * Plans one trend selection (`fields`) for its question: canonical, null (refused: nothing under it
 * runs) or undefined (counted by `raw`, possibly twice, never low).
 */
export function planTrend(
  walk: TrendWalk,
  fields: Map<string, FieldNode[]>,
  question: TrendQuery | null | undefined,
  raw: RawQuestion,
  depth = 0,
): void {
  if (depth > MAX_NESTING) throw new OperationLimitError('depth', MAX_NESTING, depth);
  const names = namesOf(fields);
  const summaries = question ? answersSummary(question) : true;
  const needs = new Set(NEED_FIELDS.filter(([, field]) => names.has(field)).map(([need]) => need));
  for (const group of fields.values()) {
    const name = group[0].name.value;
    if (name === 'activity') {
      const asked = namesOf(walk.fieldsOf(group));
      if (ACTIVITY_DAILY.some((f) => asked.has(f)) || (asked.has('stickiness') && summaries)) needs.add('daily');
    } else if (name === 'change' && summaries) needs.add('summary');
  }
  if (question === null) {
    walk.refuse(raw.key, needs);
    return;
  }
  if (!summaries) needs.delete('summary');
  walk.need(question ? queryKey(question) : raw.key, question, needs);

  for (const group of fields.values()) {
    const name = group[0].name.value;
    if (name === 'compare' || name === 'change') {
      const to = walk.argument(group[0], 'to');
      if (!COMPARISONS.includes(to)) continue; // coercion refuses the operation: nothing runs
      const comparison = to as Comparison;
      const sub = name === 'compare' ? walk.fieldsOf(group) : undefined;
      if (name === 'change' && !summaries) continue; // refused on the version, before any call
      const hourly = sub ? namesOf(sub).has('hourly') : false;
      const derivedRaw: RawQuestion = {
        key: `${question ? queryKey(question) : raw.key}|${name}:${comparison}`,
        days: (question ?? raw.days) ? comparedRange((question ?? raw.days) as DayRange, comparison) : undefined,
      };
      let derived: TrendQuery | null | undefined;
      if (question) {
        const args = comparedArguments(question, comparison);
        derived = walk.resolve(args.botId, args.range, args.filters, hourly);
      }
      if (sub) planTrend(walk, sub, derived, derivedRaw, depth + 1);
      else if (derived === null) walk.refuse(derivedRaw.key, new Set(['summary']));
      else walk.need(derived ? queryKey(derived) : derivedRaw.key, derived, ['summary']);
    } else if (name === 'periods') {
      const unit = walk.argument(group[0], 'unit');
      if (!UNITS.includes(unit) || !summaries || !namesOf(walk.fieldsOf(group)).has('summary')) continue;
      if (question) {
        for (const period of periodQuestions(question, unit as Unit)) walk.need(queryKey(period.query), period.query, ['summary']);
      } else {
        // Without a canonical question, one raw key per period of the raw days (one, when they cannot be read).
        const periods = raw.days ? calendarPeriods(raw.days, unit as Unit) : [undefined];
        for (const p of periods) walk.need(`${raw.key}|period:${p ? `${p.startDay}-${p.endDay}` : String(unit)}`, undefined, ['summary']);
      }
    }
  }
}
