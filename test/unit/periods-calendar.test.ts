import fc from 'fast-check';
import { isoDate, parseIsoDate } from '../../src/time/calendar';
import { isoWeekStart, monthEnd, monthStart, sameDayYearBefore } from '../../src/time/periods';

const day = (iso: string) => {
  const d = parseIsoDate(iso);
  if (d === null) throw new Error(`not a date: ${iso}`);
  return d;
};
const iso = (f: (d: number) => number) => (value: string) => isoDate(f(day(value)));

describe('calendar periods', () => {
  it.each([
    ['2025-12-01', '2025-12-01'], // a Monday is its own week's start
    ['2025-12-07', '2025-12-01'], // Sunday ends the ISO week that began on Monday
    ['2025-12-03', '2025-12-01'],
    ['2021-01-01', '2020-12-28'], // 1 January 2021 (a Friday) lies in ISO week 53 of 2020
    ['2021-01-03', '2020-12-28'],
    ['2021-01-04', '2021-01-04'], // ISO week 1 of 2021
    ['2024-02-29', '2024-02-26'],
    ['1970-01-01', '1969-12-29'], // day 0 (a Thursday): negative day numbers too
  ])('the ISO week of %s starts on %s', (value, monday) => {
    expect(iso(isoWeekStart)(value)).toBe(monday);
  });

  it.each([
    ['2025-12-17', '2025-12-01', '2025-12-31'],
    ['2025-12-01', '2025-12-01', '2025-12-31'],
    ['2025-12-31', '2025-12-01', '2025-12-31'],
    ['2024-02-10', '2024-02-01', '2024-02-29'], // leap year
    ['2025-02-28', '2025-02-01', '2025-02-28'],
    ['2100-02-15', '2100-02-01', '2100-02-28'], // a century that is not a leap year
    ['2000-02-15', '2000-02-01', '2000-02-29'], // one that is
    ['2025-04-30', '2025-04-01', '2025-04-30'],
  ])('the month of %s is %s to %s', (value, first, last) => {
    expect(iso(monthStart)(value)).toBe(first);
    expect(iso(monthEnd)(value)).toBe(last);
  });

  it.each([
    ['2025-12-02', '2024-12-02'],
    ['2024-02-29', '2023-02-28'], // the year before has no 29 February
    ['2025-03-01', '2024-03-01'],
    ['2025-02-28', '2024-02-28'], // not 29 February, though 2024 had one
    ['2000-01-01', '1999-01-01'],
  ])('the same day a year before %s is %s', (value, before) => {
    expect(iso(sameDayYearBefore)(value)).toBe(before);
  });

  it('agrees with Date on random days of 1990–2110', () => {
    const [first, last] = [day('1990-01-01'), day('2110-12-31')];
    fc.assert(
      fc.property(fc.integer({ min: first, max: last }), (d) => {
        const date = new Date(d * 86_400_000);
        const monday = isoWeekStart(d);
        expect(new Date(monday * 86_400_000).getUTCDay()).toBe(1);
        expect(d - monday).toBeGreaterThanOrEqual(0);
        expect(d - monday).toBeLessThan(7);
        expect(isoDate(monthStart(d))).toBe(`${isoDate(d).slice(0, 8)}01`);
        const end = monthEnd(d);
        expect(isoDate(end).slice(0, 7)).toBe(isoDate(d).slice(0, 7));
        expect(isoDate(end + 1).slice(8)).toBe('01');
        const before = sameDayYearBefore(d);
        expect(new Date(before * 86_400_000).getUTCFullYear()).toBe(date.getUTCFullYear() - 1);
        expect(isoDate(before).slice(5)).toBe(isoDate(d).slice(5) === '02-29' ? '02-28' : isoDate(d).slice(5));
      }),
      { numRuns: 2000 },
    );
  });
});
