import { isoDate, parseIsoDate } from '../../src/time/calendar';
import { RangePreset, type DateRangeInput } from '../../src/engagement/engagement.args';
import { presetRange, validateTrendArgs } from '../../src/engagement/engagement.validate';
import { queryKey, type ApiVersion } from '../../src/engagement/model';
import { BadUserInputError, UpstreamUnsupportedError } from '../../src/errors';

/**
 * Presets resolved into days: "today" is today in `filters.timeZone` at the pinned instant, weeks
 * are ISO weeks (Monday to Sunday), and a preset is the same question as its explicit dates.
 */

const limits = { maxRangeDaysDaily: 90, maxRangeDaysHourly: 31, v1TimeZone: 'UTC' };

function resolve(
  range: DateRangeInput,
  timeZone: string,
  at: string,
  over: { hourly?: boolean; version?: ApiVersion; v1TimeZone?: string } = {},
) {
  const q = validateTrendArgs(
    over.version ?? 'v2',
    'st-demo-retail',
    range,
    { timeZone },
    over.hourly ?? false,
    { ...limits, v1TimeZone: over.v1TimeZone ?? 'UTC' },
    Date.parse(at),
  );
  return { query: q, start: isoDate(q.startDay), end: isoDate(q.endDay) };
}

const presetIn = (preset: RangePreset, timeZone: string, at: string) => {
  const { start, end } = resolve({ preset }, timeZone, at);
  return `${start}..${end}`;
};

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof BadUserInputError) return `${error.argument}: ${error.message}`;
    throw error;
  }
  throw new Error('expected BadUserInputError');
}

describe('presets in several time zones at one instant', () => {
  // 2025-12-31 12:00 UTC: already Thursday 1 January 2026 on Kiritimati (+14), still Wednesday
  // 31 December 2025 in Pago Pago (−11), evening in Kolkata (+5:30).
  const AT = '2025-12-31T12:00:00Z';

  it.each<[string, RangePreset, string]>([
    ['Pacific/Kiritimati', RangePreset.TODAY, '2026-01-01..2026-01-01'],
    ['Pacific/Pago_Pago', RangePreset.TODAY, '2025-12-31..2025-12-31'],
    ['Asia/Kolkata', RangePreset.TODAY, '2025-12-31..2025-12-31'],
    ['UTC', RangePreset.TODAY, '2025-12-31..2025-12-31'],
    ['Pacific/Kiritimati', RangePreset.YESTERDAY, '2025-12-31..2025-12-31'],
    ['Pacific/Pago_Pago', RangePreset.YESTERDAY, '2025-12-30..2025-12-30'],
    ['Pacific/Kiritimati', RangePreset.LAST_7_DAYS, '2025-12-26..2026-01-01'],
    ['Pacific/Pago_Pago', RangePreset.LAST_7_DAYS, '2025-12-25..2025-12-31'],
    ['Asia/Kolkata', RangePreset.LAST_28_DAYS, '2025-12-04..2025-12-31'],
    ['Pacific/Kiritimati', RangePreset.LAST_30_DAYS, '2025-12-03..2026-01-01'],
    ['UTC', RangePreset.LAST_90_DAYS, '2025-10-03..2025-12-31'],
    // 1 January 2026 is a Thursday in ISO week 1 of 2026, whose Monday is 29 December 2025.
    ['Pacific/Kiritimati', RangePreset.THIS_WEEK, '2025-12-29..2026-01-01'],
    ['Pacific/Pago_Pago', RangePreset.THIS_WEEK, '2025-12-29..2025-12-31'],
    ['Pacific/Kiritimati', RangePreset.LAST_WEEK, '2025-12-22..2025-12-28'],
    ['Pacific/Kiritimati', RangePreset.THIS_MONTH, '2026-01-01..2026-01-01'],
    ['Pacific/Pago_Pago', RangePreset.THIS_MONTH, '2025-12-01..2025-12-31'],
    ['Pacific/Kiritimati', RangePreset.LAST_MONTH, '2025-12-01..2025-12-31'],
    ['Pacific/Pago_Pago', RangePreset.LAST_MONTH, '2025-11-01..2025-11-30'],
    ['Asia/Kolkata', RangePreset.LAST_MONTH, '2025-11-01..2025-11-30'],
  ])('in %s, %s is %s', (zone, preset, expected) => {
    expect(presetIn(preset, zone, AT)).toBe(expected);
  });

  it('Kolkata turns the day at 18:30 UTC, half an hour past the hour', () => {
    expect(presetIn(RangePreset.TODAY, 'Asia/Kolkata', '2025-12-10T18:29:59Z')).toBe('2025-12-10..2025-12-10');
    expect(presetIn(RangePreset.TODAY, 'Asia/Kolkata', '2025-12-10T18:30:00Z')).toBe('2025-12-11..2025-12-11');
  });
});

describe('week and month edges (today given as a day)', () => {
  const at = (today: string, preset: RangePreset) => {
    const { startDay, endDay } = presetRange(preset, parseIsoDate(today) as number);
    return `${isoDate(startDay)}..${isoDate(endDay)}`;
  };

  it.each<[string, string, RangePreset, string]>([
    ['a Monday', '2025-12-01', RangePreset.THIS_WEEK, '2025-12-01..2025-12-01'],
    ['a Monday', '2025-12-01', RangePreset.LAST_WEEK, '2025-11-24..2025-11-30'],
    ['a Monday, the 1st', '2025-12-01', RangePreset.THIS_MONTH, '2025-12-01..2025-12-01'],
    ['a Monday, the 1st', '2025-12-01', RangePreset.LAST_MONTH, '2025-11-01..2025-11-30'],
    ['a Sunday', '2025-12-07', RangePreset.THIS_WEEK, '2025-12-01..2025-12-07'],
    ['a Sunday', '2025-12-07', RangePreset.LAST_WEEK, '2025-11-24..2025-11-30'],
    ['1 January in ISO week 53 of the year before', '2021-01-01', RangePreset.THIS_WEEK, '2020-12-28..2021-01-01'],
    ['1 January in ISO week 53 of the year before', '2021-01-01', RangePreset.LAST_WEEK, '2020-12-21..2020-12-27'],
    ['1 January', '2021-01-01', RangePreset.LAST_MONTH, '2020-12-01..2020-12-31'],
    ['1 January', '2021-01-01', RangePreset.LAST_7_DAYS, '2020-12-26..2021-01-01'],
    ['29 February', '2024-02-29', RangePreset.THIS_MONTH, '2024-02-01..2024-02-29'],
    ['29 February', '2024-02-29', RangePreset.LAST_MONTH, '2024-01-01..2024-01-31'],
    ['29 February', '2024-02-29', RangePreset.LAST_30_DAYS, '2024-01-31..2024-02-29'],
    ['1 March after 29 February', '2024-03-01', RangePreset.LAST_MONTH, '2024-02-01..2024-02-29'],
    ['1 March after 29 February', '2024-03-01', RangePreset.YESTERDAY, '2024-02-29..2024-02-29'],
    ['1 March after 29 February', '2024-03-01', RangePreset.LAST_28_DAYS, '2024-02-03..2024-03-01'],
    ['31 March', '2025-03-31', RangePreset.LAST_MONTH, '2025-02-01..2025-02-28'],
  ])('on %s (%s), %s is %s', (_name, today, preset, expected) => {
    expect(at(today, preset)).toBe(expected);
  });

  it('LAST_N_DAYS is N days ending today; every preset ends today at the latest, and a whole week is 7 days', () => {
    const today = parseIsoDate('2025-12-10') as number;
    for (const preset of Object.values(RangePreset)) {
      const { startDay, endDay } = presetRange(preset, today);
      expect(startDay).toBeLessThanOrEqual(endDay);
      expect(endDay).toBeLessThanOrEqual(today);
    }
    for (const [preset, n] of [
      [RangePreset.LAST_7_DAYS, 7],
      [RangePreset.LAST_28_DAYS, 28],
      [RangePreset.LAST_30_DAYS, 30],
      [RangePreset.LAST_90_DAYS, 90],
    ] as const) {
      const { startDay, endDay } = presetRange(preset, today);
      expect([endDay - startDay + 1, endDay]).toEqual([n, today]);
    }
    const week = presetRange(RangePreset.LAST_WEEK, today);
    expect(week.endDay - week.startDay + 1).toBe(7);
  });
});

describe('a preset is the same question as its dates', () => {
  const AT = '2025-12-10T12:00:00Z';

  it('equal canonical questions (so one call and one cache entry)', () => {
    const preset = resolve({ preset: RangePreset.LAST_7_DAYS }, 'Asia/Kolkata', AT);
    const dates = resolve({ start: '2025-12-04', end: '2025-12-10' }, 'Asia/Kolkata', AT);
    expect(preset.query).toEqual(dates.query);
    expect(queryKey(preset.query)).toBe(queryKey(dates.query));
    // Explicit nulls are absent values, as GraphQL coercion hands them over.
    expect(resolve({ preset: RangePreset.LAST_7_DAYS, start: null, end: null }, 'Asia/Kolkata', AT).query).toEqual(dates.query);
  });

  it.each<[string, DateRangeInput]>([
    ['both forms', { start: '2025-12-04', end: '2025-12-10', preset: RangePreset.LAST_7_DAYS }],
    ['a preset with only start', { start: '2025-12-04', preset: RangePreset.LAST_7_DAYS }],
    ['neither form', {}],
    ['neither form, as nulls', { start: null, end: null, preset: null }],
    ['start without end', { start: '2025-12-04' }],
    ['end without start', { end: '2025-12-04' }],
  ])('refuses %s, naming range', (_name, range) => {
    expect(refusal(() => resolve(range, 'UTC', AT))).toMatch(/^range: .*give either start and end, or preset/);
  });

  it('applies the caps to the resolved range: LAST_90_DAYS with hourly is refused naming range, LAST_30_DAYS is not', () => {
    expect(refusal(() => resolve({ preset: RangePreset.LAST_90_DAYS }, 'UTC', AT, { hourly: true }))).toBe(
      'range: Invalid argument range: spans 90 days; at most 31 days are allowed when `hourly` is selected',
    );
    expect(resolve({ preset: RangePreset.LAST_30_DAYS }, 'UTC', AT, { hourly: true }).start).toBe('2025-11-11');
    expect(resolve({ preset: RangePreset.LAST_90_DAYS }, 'UTC', AT).start).toBe('2025-09-12');
  });

  it('on v1, "today" is in the zone v1 answers in, and other zones stay refused', () => {
    const late = '2025-12-10T20:00:00Z'; // 11 December in Kolkata
    const v1 = { version: 'v1' as const, v1TimeZone: 'Asia/Kolkata' };
    expect(resolve({ preset: RangePreset.TODAY }, 'Asia/Kolkata', late, v1).start).toBe('2025-12-11');
    expect(() => resolve({ preset: RangePreset.TODAY }, 'UTC', late, v1)).toThrow(UpstreamUnsupportedError);
  });
});
