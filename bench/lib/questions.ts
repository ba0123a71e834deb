/**
 * The fewest upstream calls a scenario can cost, counted by hand from the scenario's own definition,
 * independently of the planner the benchmark checks (src/engagement/plan.ts, which the loaders and
 * the cost limit apply).
 *
 * What Kore.ai answers fixes the minimum: one call answers one (bot, range, filters, aggregation)
 * question; a daily answer carries the summary and the daily series, an hourly answer the summary and
 * the hourly buckets. So each question a scenario asks costs an hourly call if anything selects
 * `hourly`, a daily call if anything selects `series`, and a daily call for `summary` only when no
 * call for that question is made anyway. Scenarios list those calls here, one by one.
 */

export interface UpstreamQuestion {
  readonly bot: string;
  readonly start: string;
  readonly end: string;
  /** Filters as the scenario writes them (channel, time zone, ...); absent for none. */
  readonly filters?: Readonly<Record<string, string>>;
  readonly aggregation: 'daily' | 'hourly';
}

/** Filters in a fixed order, so two listings of one question are one question. */
const filterKey = (filters: UpstreamQuestion['filters']) =>
  Object.entries(filters ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');

/** Distinct questions: the minimum number of upstream calls for them. */
export const minimumCalls = (questions: readonly UpstreamQuestion[]): number =>
  new Set(questions.map((q) => [q.bot, q.start, q.end, filterKey(q.filters), q.aggregation].join('|'))).size;
