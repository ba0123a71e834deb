import fc from 'fast-check';
import { calendarPeriods, comparedRange, type Unit } from '../../src/engagement/calendar-periods';
import { isoWeekStart, monthEnd, monthStart, sameDayYearBefore } from '../../src/time/periods';
import { comparedArguments, periodQuestions } from '../../src/engagement/comparison';
import { Change } from '../../src/engagement/dashboard.type';
import type { TrendQuery } from '../../src/engagement/model';
import { isoDate, parseIsoDate } from '../../src/time/calendar';

const day = (iso: string) => parseIsoDate(iso) as number;
const range = (start: string, end: string) => ({ startDay: day(start), endDay: day(end) });
const shown = (periods: ReturnType<typeof calendarPeriods>) =>
  periods.map((p) => `${isoDate(p.startDay)}..${isoDate(p.endDay)}${p.complete ? '' : ' (clipped)'}`);

describe('calendar helpers', () => {
  it.each([
    ['2025-12-01', '2025-12-01'], // a Monday
    ['2025-12-07', '2025-12-01'], // a Sunday
    ['2021-01-03', '2020-12-28'], // ISO week 53 of 2020 reaches into 2021
    ['1970-01-01', '1969-12-29'], // day 0 (a Thursday) and before it
    ['1969-12-28', '1969-12-22'],
  ])('the ISO week of %s starts on %s', (d, monday) => expect(isoDate(isoWeekStart(day(d)))).toBe(monday));

  it.each([
    ['2024-02-10', '2024-02-01', '2024-02-29'],
    ['2025-02-28', '2025-02-01', '2025-02-28'],
    ['2025-12-31', '2025-12-01', '2025-12-31'],
    ['2025-01-01', '2025-01-01', '2025-01-31'],
  ])('the month of %s is %s..%s', (d, first, last) => {
    expect(isoDate(monthStart(day(d)))).toBe(first);
    expect(isoDate(monthEnd(day(d)))).toBe(last);
  });

  it.each([
    ['2025-12-02', '2024-12-02'],
    ['2024-02-29', '2023-02-28'],
    ['2024-03-01', '2023-03-01'],
    ['2025-03-01', '2024-03-01'],
    ['2025-02-28', '2024-02-28'],
  ])('a year before %s is %s', (d, before) => expect(isoDate(sameDayYearBefore(day(d)))).toBe(before));
});

describe('calendar periods', () => {
  it('splits a range starting and ending mid-week into clipped and complete ISO weeks', () => {
    expect(shown(calendarPeriods(range('2025-12-03', '2025-12-24'), 'WEEK'))).toEqual([
      '2025-12-03..2025-12-07 (clipped)',
      '2025-12-08..2025-12-14',
      '2025-12-15..2025-12-21',
      '2025-12-22..2025-12-24 (clipped)',
    ]);
  });

  it('keeps ISO week 53 whole across the year boundary', () => {
    expect(shown(calendarPeriods(range('2020-12-26', '2021-01-05'), 'WEEK'))).toEqual([
      '2020-12-26..2020-12-27 (clipped)',
      '2020-12-28..2021-01-03',
      '2021-01-04..2021-01-05 (clipped)',
    ]);
  });

  it('splits months over a year boundary and a leap February', () => {
    expect(shown(calendarPeriods(range('2023-12-15', '2024-03-01'), 'MONTH'))).toEqual([
      '2023-12-15..2023-12-31 (clipped)',
      '2024-01-01..2024-01-31',
      '2024-02-01..2024-02-29',
      '2024-03-01..2024-03-01 (clipped)',
    ]);
  });

  it('a range that is exactly one month or one week is one complete period; one day is one clipped period', () => {
    expect(shown(calendarPeriods(range('2025-11-01', '2025-11-30'), 'MONTH'))).toEqual(['2025-11-01..2025-11-30']);
    expect(shown(calendarPeriods(range('2025-12-01', '2025-12-07'), 'WEEK'))).toEqual(['2025-12-01..2025-12-07']);
    expect(shown(calendarPeriods(range('2025-12-03', '2025-12-03'), 'WEEK'))).toEqual(['2025-12-03..2025-12-03 (clipped)']);
  });

  it('partitions any range into calendar periods, in order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: day('2000-01-01'), max: day('2030-12-31') }),
        fc.integer({ min: 0, max: 120 }),
        fc.constantFrom<Unit>('WEEK', 'MONTH'),
        (start, length, unit) => {
          const periods = calendarPeriods({ startDay: start, endDay: start + length }, unit);
          expect(periods[0].startDay).toBe(start);
          expect(periods.at(-1)?.endDay).toBe(start + length);
          periods.forEach((p, i) => {
            if (i > 0) expect(p.startDay).toBe(periods[i - 1].endDay + 1);
            const first = unit === 'WEEK' ? isoWeekStart(p.startDay) : monthStart(p.startDay);
            const last = unit === 'WEEK' ? first + 6 : monthEnd(p.startDay);
            expect(p.endDay).toBeLessThanOrEqual(last); // one calendar period each
            expect(p.complete).toBe(p.startDay === first && p.endDay === last);
            if (i > 0 && i < periods.length - 1) expect(p.complete).toBe(true);
          });
        },
      ),
    );
  });
});

describe('compared ranges', () => {
  it.each([
    ['PREVIOUS_PERIOD', '2025-12-01', '2025-12-07', '2025-11-24', '2025-11-30'],
    ['PREVIOUS_PERIOD', '2025-12-03', '2025-12-03', '2025-12-02', '2025-12-02'],
    ['PREVIOUS_PERIOD', '2025-03-01', '2025-03-30', '2025-01-30', '2025-02-28'],
    ['PREVIOUS_YEAR', '2025-12-01', '2025-12-07', '2024-12-01', '2024-12-07'],
    // 29 February becomes 28 February: a range ending on it loses a day a year before...
    ['PREVIOUS_YEAR', '2024-02-20', '2024-02-29', '2023-02-20', '2023-02-28'],
    // ...one starting on it keeps its length (28 February is a day earlier, and the year before has no 29th)...
    ['PREVIOUS_YEAR', '2024-02-29', '2024-03-05', '2023-02-28', '2023-03-05'],
    // ...and a range spanning the 28th to 1 March a year after a leap year gains one.
    ['PREVIOUS_YEAR', '2025-02-20', '2025-03-01', '2024-02-20', '2024-03-01'],
  ] as const)('%s of %s..%s is %s..%s', (to, start, end, expectedStart, expectedEnd) => {
    const compared = comparedRange(range(start, end), to);
    expect([isoDate(compared.startDay), isoDate(compared.endDay)]).toEqual([expectedStart, expectedEnd]);
  });

  it('PREVIOUS_PERIOD always has the same number of days and ends the day before', () => {
    fc.assert(
      fc.property(fc.integer({ min: day('2001-01-01'), max: day('2030-12-31') }), fc.integer({ min: 0, max: 90 }), (start, length) => {
        const compared = comparedRange({ startDay: start, endDay: start + length }, 'PREVIOUS_PERIOD');
        expect(compared.endDay).toBe(start - 1);
        expect(compared.endDay - compared.startDay).toBe(length);
      }),
    );
  });

  const query: TrendQuery = {
    version: 'v2',
    botId: 'st-demo-retail',
    startDay: day('2025-12-01'),
    endDay: day('2025-12-07'),
    channel: 'rtm',
    conversationType: 'INTERACTIVE',
    conversationStatus: 'CLOSED',
    timeZone: 'Europe/Berlin',
  };

  it('the compared question keeps the bot and every filter', () => {
    expect(comparedArguments(query, 'PREVIOUS_YEAR')).toEqual({
      botId: 'st-demo-retail',
      range: { start: '2024-12-01', end: '2024-12-07' },
      filters: { channel: 'rtm', conversationType: 'INTERACTIVE', conversationStatus: 'CLOSED', timeZone: 'Europe/Berlin' },
    });
  });

  it('period questions keep the filters, and a period equal to the range is the range’s own question', () => {
    const [week] = periodQuestions(query, 'WEEK');
    expect(week.query).toBe(query); // same object: same key, same call
    const months = periodQuestions({ ...query, endDay: day('2026-01-10') }, 'MONTH');
    expect(months.map((m) => [isoDate(m.query.startDay), isoDate(m.query.endDay), m.complete])).toEqual([
      ['2025-12-01', '2025-12-31', true],
      ['2026-01-01', '2026-01-10', false],
    ]);
    expect(months[1].query).toMatchObject({
      channel: 'rtm',
      conversationType: 'INTERACTIVE',
      conversationStatus: 'CLOSED',
      timeZone: 'Europe/Berlin',
    });
  });
});

describe('Change arithmetic', () => {
  it.each([
    [120, 100, 20, 0.2],
    [80, 100, -20, -0.2],
    [5, 0, 5, null],
    [0, 0, 0, null],
    [0, 7, -7, -1],
  ])('current %i against previous %i: absolute %i, relative %p', (current, previous, absolute, relative) => {
    const change = new Change(current, previous);
    expect(change).toEqual({ current, previous, absolute, relative });
    expect(change).toBeInstanceOf(Change);
  });
});
