import fc from 'fast-check';
import { averageDailyUsers, peakDay, stickiness } from '../../src/engagement/activity';
import { DataPoint } from '../../src/engagement/engagement.type';
import { isoDate } from '../../src/time/calendar';

/** A daily series of 1–90 days (zeros common) and the range's distinct users, at least any day's. */
const series = fc
  .array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 500 })), { minLength: 1, maxLength: 90 })
  .map((users) => users.map((u, i) => new DataPoint(isoDate(20_000 + i), u)));
const withRange = series.chain((points) =>
  fc.integer({ min: 0, max: 5000 }).map((extra) => ({ points, rangeUnique: Math.max(0, ...points.map((p) => p.users)) + extra })),
);

describe('daily activity', () => {
  it('averageDailyUsers is the mean of the daily unique users', () => {
    fc.assert(
      fc.property(series, (points) => {
        const sum = points.reduce((a, p) => a + p.users, 0);
        expect(averageDailyUsers(points)).toBeCloseTo(sum / points.length, 9);
      }),
    );
  });

  it('peakDay is a day with the most users, the earliest on a tie, null when nobody came', () => {
    fc.assert(
      fc.property(series, (points) => {
        const max = Math.max(...points.map((p) => p.users));
        const peak = peakDay(points);
        if (max === 0) return expect(peak).toBeNull();
        expect(peak).toBe(points.find((p) => p.users === max));
      }),
    );
    const tie = [new DataPoint('2025-12-01', 3), new DataPoint('2025-12-02', 9), new DataPoint('2025-12-03', 9)];
    expect(peakDay(tie)?.date).toBe('2025-12-02');
  });

  it('stickiness is in [0, 1] when no day has more users than the range, and null when nobody came', () => {
    fc.assert(
      fc.property(withRange, ({ points, rangeUnique }) => {
        const value = stickiness(points, rangeUnique);
        if (rangeUnique === 0) return expect(value).toBeNull();
        expect(value).toBeCloseTo(averageDailyUsers(points) / rangeUnique, 9);
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('a 30-day range where the same 10 users come daily is fully sticky; one visit each is 1/30', () => {
    const daily = Array.from({ length: 30 }, (_, i) => new DataPoint(isoDate(20_000 + i), 10));
    expect(stickiness(daily, 10)).toBe(1);
    expect(stickiness(daily, 300)).toBeCloseTo(1 / 30, 12);
  });
});
