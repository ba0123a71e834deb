import { canonicalTimeZone, localDayHour, startOfLocalDay, todayIn } from '../../src/time/zones';
import { isoDate, parseIsoDate } from '../../src/time/calendar';
import { koreDate, koreHourKey, parseKoreDate } from '../../src/upstream/kore/labels';

describe('calendar dates', () => {
  it.each(['2025-12-01', '2024-02-29', '2000-01-01', '1999-12-31'])('accepts the real date %s and round-trips it', (d) => {
    expect(isoDate(parseIsoDate(d) as number)).toBe(d);
  });

  it.each(['2025-02-30', '2023-02-29', '2025-13-01', '2025-00-10', '2025-1-01', '20251201', '2025-12-01T00:00:00Z', ' 2025-12-01', ''])(
    'rejects %j',
    (d) => expect(parseIsoDate(d)).toBeNull(),
  );

  it('parses Kore labels without locale tricks', () => {
    expect(isoDate(parseKoreDate('Dec 01 2025') as number)).toBe('2025-12-01');
    expect(isoDate(parseKoreDate('Aug 06 2020') as number)).toBe('2020-08-06');
    expect(isoDate(parseKoreDate('Feb 29 2024') as number)).toBe('2024-02-29');
  });

  it.each(['Dez 01 2025', 'DEC 01 2025', 'Feb 30 2025', '2025-12-01', 'Dec 2025', 'December 01 2025'])('rejects the Kore label %j', (d) =>
    expect(parseKoreDate(d)).toBeNull(),
  );

  it('formats Kore labels with a zero-padded day', () => {
    expect(koreDate(parseIsoDate('2025-12-01') as number)).toBe('Dec 01 2025');
  });

  it('names hours as Kore does, the last one "23 - 0"', () => {
    expect(koreHourKey(0)).toBe('0 - 1');
    expect(koreHourKey(17)).toBe('17 - 18');
    expect(koreHourKey(23)).toBe('23 - 0');
  });
});

describe('time zones', () => {
  it('canonicalizes known zones and refuses unknown or odd names', () => {
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    expect(canonicalTimeZone('Asia/Kolkata')).toBe('Asia/Kolkata'); // not ICU's outdated "Asia/Calcutta"
    expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('utc')).toBe('UTC');
    for (const bad of ['Mars/Olympus', '../etc/passwd', 'Europe/Berlin?x=1', 'a'.repeat(80), '', 'UTC\n']) {
      expect(canonicalTimeZone(bad)).toBeNull();
    }
  });

  it('puts an instant on the local day and hour, half-hour offsets included', () => {
    const ts = Date.UTC(2025, 11, 1, 20, 0); // 01:30 next day in Kolkata
    expect(localDayHour(ts, 'Asia/Kolkata')).toEqual({ day: parseIsoDate('2025-12-02'), hour: 1 });
    expect(localDayHour(ts, 'America/New_York')).toEqual({ day: parseIsoDate('2025-12-01'), hour: 15 });
  });

  it('finds local midnight across daylight-saving changes', () => {
    expect(new Date(startOfLocalDay(parseIsoDate('2025-03-09') as number, 'America/New_York')).toISOString()).toBe(
      '2025-03-09T05:00:00.000Z',
    );
    expect(new Date(startOfLocalDay(parseIsoDate('2025-03-10') as number, 'America/New_York')).toISOString()).toBe(
      '2025-03-10T04:00:00.000Z',
    );
    expect(new Date(startOfLocalDay(parseIsoDate('2025-11-02') as number, 'America/New_York')).toISOString()).toBe(
      '2025-11-02T04:00:00.000Z',
    );
    expect(new Date(startOfLocalDay(parseIsoDate('2025-12-01') as number, 'Asia/Kolkata')).toISOString()).toBe('2025-11-30T18:30:00.000Z');
  });

  it('knows that it is already tomorrow east of UTC', () => {
    const lateUtc = Date.UTC(2025, 11, 1, 23, 0);
    expect(isoDate(todayIn('UTC', lateUtc))).toBe('2025-12-01');
    expect(isoDate(todayIn('Pacific/Auckland', lateUtc))).toBe('2025-12-02');
  });
});
