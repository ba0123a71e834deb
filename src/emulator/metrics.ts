import { localDayHour, startOfLocalDay } from '../time/zones';
import { ACTIVE, BotEvents, INTERACTIVE } from './world';

/**
 * Engagement numbers computed from raw sessions, the way UPSTREAM.md defines them:
 * unique = distinct users with a matching session in the bucket; new = those whose first matching
 * session ever falls in that bucket; returning = unique − new. "Matching" applies the filters, so a
 * user's first session *on the filtered channel/type/status* decides new vs returning: that is what
 * keeps daily new users adding up to the range's new users under every filter.
 */

export type TypeFilter = 'all' | 'interactive' | 'non interactive';
export type StatusFilter = 'all' | 'active' | 'closed';

export interface MetricsQuery {
  readonly startDay: number;
  readonly endDay: number;
  readonly timeZone: string;
  readonly channel: string | null;
  readonly type: TypeFilter;
  readonly status: StatusFilter;
  readonly hourly: boolean;
}

export interface Counts {
  unique: number;
  new: number;
  returning: number;
}

export interface Metrics {
  readonly summary: Counts;
  readonly days: Counts[];
  /** days × 24, day-major; only when asked hourly. */
  readonly hours: Counts[] | null;
}

const firstSeenCache = new WeakMap<BotEvents, { version: number; byFilter: Map<string, Float64Array> }>();

function matcher(events: BotEvents, q: MetricsQuery): ((i: number) => boolean) | null {
  const channel = q.channel === null ? -1 : events.channels.indexOf(q.channel);
  if (q.channel !== null && channel < 0) return null; // a channel this bot never saw: nothing matches
  return (i) =>
    (channel < 0 || events.channel[i] === channel) &&
    (q.type === 'all' || ((events.flags[i] & INTERACTIVE) !== 0) === (q.type === 'interactive')) &&
    (q.status === 'all' || ((events.flags[i] & ACTIVE) !== 0) === (q.status === 'active'));
}

/** First matching session time per user (Infinity if none), memoized per filter until the events grow. */
function firstSeen(events: BotEvents, q: MetricsQuery, matches: (i: number) => boolean): Float64Array {
  let cached = firstSeenCache.get(events);
  if (!cached || cached.version !== events.version) firstSeenCache.set(events, (cached = { version: events.version, byFilter: new Map() }));
  const key = `${q.channel ?? '*'}|${q.type}|${q.status}`;
  let first = cached.byFilter.get(key);
  if (!first) {
    first = new Float64Array(events.userCount).fill(Infinity);
    for (let i = 0; i < events.ts.length; i++) {
      const u = events.user[i];
      if (first[u] === Infinity && matches(i)) first[u] = events.ts[i];
    }
    cached.byFilter.set(key, first);
  }
  return first;
}

function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const zero = (): Counts => ({ unique: 0, new: 0, returning: 0 });

/** Numbers for one query, counting only sessions that happened by `now`. */
export function computeMetrics(events: BotEvents, q: MetricsQuery, now: number): Metrics {
  const dayCount = q.endDay - q.startDay + 1;
  const days = Array.from({ length: dayCount }, zero);
  const hours = q.hourly ? Array.from({ length: dayCount * 24 }, zero) : null;
  const summary = zero();
  const matches = matcher(events, q);
  if (!matches) return { summary, days, hours };

  const first = firstSeen(events, q, matches);
  const dayStart = Array.from({ length: dayCount + 1 }, (_, i) => startOfLocalDay(q.startDay + i, q.timeZone));
  const from = dayStart[0];
  const to = Math.min(dayStart[dayCount], now + 1);
  const seenInRange = new Set<number>();
  const seenInDay = Array.from({ length: dayCount }, () => new Set<number>());
  const seenInHour = hours ? Array.from({ length: dayCount * 24 }, () => new Set<number>()) : null;

  for (let i = lowerBound(events.ts, from), end = lowerBound(events.ts, to); i < end; i++) {
    if (!matches(i)) continue;
    const u = events.user[i];
    const { day, hour } = localDayHour(events.ts[i], q.timeZone);
    const d = day - q.startDay;
    if (d < 0 || d >= dayCount) continue; // only at a DST edge case of a skipped midnight
    if (!seenInRange.has(u)) {
      seenInRange.add(u);
      summary.unique++;
      if (first[u] >= from) summary.new++;
    }
    if (!seenInDay[d].has(u)) {
      seenInDay[d].add(u);
      days[d].unique++;
      if (first[u] >= dayStart[d]) days[d].new++;
    }
    if (hours && seenInHour) {
      const b = d * 24 + hour;
      if (!seenInHour[b].has(u)) {
        seenInHour[b].add(u);
        hours[b].unique++;
        const f = localDayHour(first[u], q.timeZone);
        if (f.day === day && f.hour === hour) hours[b].new++;
      }
    }
  }
  for (const c of [summary, ...days, ...(hours ?? [])]) c.returning = c.unique - c.new;
  return { summary, days, hours };
}
