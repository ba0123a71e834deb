import type { DataPoint } from './engagement.type';

/**
 * Daily activity from a daily series: pure, so a property test can hold it to its definitions.
 * `rangeUniqueUsers` is the range's distinct users (its summary), which the daily answer carries
 * on versions with a summary.
 */

/** The mean of the daily unique users; 0 for an empty series (a range has at least one day). */
export function averageDailyUsers(points: readonly DataPoint[]): number {
  return points.length === 0 ? 0 : points.reduce((sum, p) => sum + p.users, 0) / points.length;
}

/** The day with the most users, the earliest on a tie; null when nobody came. */
export function peakDay(points: readonly DataPoint[]): DataPoint | null {
  let peak: DataPoint | null = null;
  for (const p of points) if (p.users > (peak?.users ?? 0)) peak = p; // strictly more: the earliest wins a tie
  return peak;
}

/**
 * averageDailyUsers ÷ the range's distinct users (DAU/MAU for a 30-day range), null when nobody came.
 * In [0, 1] whenever no day has more users than the range (always true of real answers).
 */
export function stickiness(points: readonly DataPoint[], rangeUniqueUsers: number): number | null {
  return rangeUniqueUsers === 0 ? null : averageDailyUsers(points) / rangeUniqueUsers;
}
