import { MalformedBodyError, mapTrend, parseCount } from '../../src/upstream/kore/mapper';
import { upstreamReq, V2_DAILY_DOC_SAMPLE } from '../helpers/kore-bodies';

const req = upstreamReq;

/** v1 page's hourly sample, verbatim: hour keys left out between "3 - 4" and "23 - 0". */
const V1_HOURLY_DOC_SAMPLE = {
  results: [
    { date: 'Aug 06 2020', '0 - 1': 20, '1 - 2': 0, '2 - 3': 0, '3 - 4': 10, '23 - 0': 0 },
    { date: 'Aug 07 2020', '0 - 1': 20, '23 - 0': 0 },
  ],
  totalResults: 2,
};

const points = (...users: number[]) => users.map((u, i) => ({ date: `Dec 0${i + 1} 2025`, users: u }));
const hourRow = (date: string, values: Record<number, number>) => {
  const row: Record<string, unknown> = { date };
  for (let h = 0; h < 24; h++) row[`${h} - ${(h + 1) % 24}`] = values[h] ?? 0;
  return row;
};

describe('v2 daily', () => {
  it('maps the documented sample: dense, ISO dates, zero-filled gaps, summary as given', () => {
    const data = mapTrend(V2_DAILY_DOC_SAMPLE, req('v2', 'daily', '2025-12-01', '2025-12-05'));
    expect(data.summary).toEqual(V2_DAILY_DOC_SAMPLE.summary);
    expect(data.series?.uniqueUsers).toEqual([
      { date: '2025-12-01', users: 0 },
      { date: '2025-12-02', users: 0 },
      { date: '2025-12-03', users: 1 },
      { date: '2025-12-04', users: 0 },
      { date: '2025-12-05', users: 0 },
    ]);
    // The sample has no new/returning trends: they are absent (a field error later), not zeros.
    expect(data.series?.newUsers).toBeNull();
    expect(data.series?.returningUsers).toBeNull();
  });

  it('maps a zero-filled answer with all three trends', () => {
    const body = {
      ...V2_DAILY_DOC_SAMPLE,
      uniqueUsersTrend: { dataPoints: points(0, 0, 1, 0, 1) },
      newUsersTrend: { dataPoints: points(0, 0, 1, 0, 1) },
      returningUsersTrend: { dataPoints: points(0, 0, 0, 0, 0) },
    };
    const data = mapTrend(body, req('v2', 'daily', '2025-12-01', '2025-12-05'));
    expect(data.series?.uniqueUsers.map((p) => p.users)).toEqual([0, 0, 1, 0, 1]);
    expect(data.series?.newUsers?.map((p) => p.date)).toEqual(['2025-12-01', '2025-12-02', '2025-12-03', '2025-12-04', '2025-12-05']);
    expect(data.series?.returningUsers?.map((p) => p.users)).toEqual([0, 0, 0, 0, 0]);
  });

  it('derives returning users (unique − new) when only that trend is missing', () => {
    const body = { ...V2_DAILY_DOC_SAMPLE, uniqueUsersTrend: { dataPoints: points(5, 3) }, newUsersTrend: { dataPoints: points(2, 3) } };
    const data = mapTrend(body, req('v2', 'daily', '2025-12-01', '2025-12-02'));
    expect(data.series?.returningUsers?.map((p) => p.users)).toEqual([3, 0]);
  });

  it('drops rows outside the asked range rather than shifting them in', () => {
    const body = {
      ...V2_DAILY_DOC_SAMPLE,
      uniqueUsersTrend: {
        dataPoints: [
          { date: 'Nov 30 2025', users: 9 },
          { date: 'Dec 02 2025', users: 4 },
        ],
      },
    };
    const data = mapTrend(body, req('v2', 'daily', '2025-12-01', '2025-12-02'));
    expect(data.series?.uniqueUsers).toEqual([
      { date: '2025-12-01', users: 0 },
      { date: '2025-12-02', users: 4 },
    ]);
  });
});

describe('v2 hourly', () => {
  it('maps day rows of hour keys into 24 ordered buckets per day, "23 - 0" as hour 23', () => {
    const unique = [hourRow('Dec 03 2025', { 17: 1, 23: 2 })];
    const body = {
      summary: V2_DAILY_DOC_SAMPLE.summary,
      uniqueUsersTrend: { dataPoints: unique },
      newUsersTrend: { dataPoints: [hourRow('Dec 03 2025', { 17: 1 })] },
      returningUsersTrend: { dataPoints: [hourRow('Dec 03 2025', { 23: 2 })] },
      filters: { ...V2_DAILY_DOC_SAMPLE.filters, aggregationType: 'hourly' },
    };
    const data = mapTrend(body, req('v2', 'hourly', '2025-12-02', '2025-12-03'));
    expect(data.hourly).toHaveLength(48);
    expect(data.hourly?.map((b) => b.hour)).toEqual([...Array(24).keys(), ...Array(24).keys()]);
    expect(data.hourly?.[0]).toEqual({ date: '2025-12-02', hour: 0, uniqueUsers: 0, newUsers: 0, returningUsers: 0 });
    expect(data.hourly?.[24 + 17]).toEqual({ date: '2025-12-03', hour: 17, uniqueUsers: 1, newUsers: 1, returningUsers: 0 });
    expect(data.hourly?.[24 + 23]).toEqual({ date: '2025-12-03', hour: 23, uniqueUsers: 2, newUsers: 0, returningUsers: 2 });
    expect(data.summary?.uniqueUsers).toBe(2);
  });

  it('refuses an hourly answer without the new-users trend', () => {
    const body = { summary: V2_DAILY_DOC_SAMPLE.summary, uniqueUsersTrend: { dataPoints: [] } };
    expect(() => mapTrend(body, req('v2', 'hourly', '2025-12-01', '2025-12-01'))).toThrow(MalformedBodyError);
  });
});

describe('v1', () => {
  it('maps the documented hourly sample, zero-filling the hour keys it leaves out', () => {
    const data = mapTrend(V1_HOURLY_DOC_SAMPLE, req('v1', 'hourly', '2020-08-06', '2020-08-07'));
    expect(data.summary).toBeNull();
    expect(data.hourly).toHaveLength(48);
    expect(data.hourly?.slice(0, 5).map((b) => b.uniqueUsers)).toEqual([20, 0, 0, 10, 0]);
    expect(data.hourly?.[24]).toEqual({ date: '2020-08-07', hour: 0, uniqueUsers: 20, newUsers: null, returningUsers: null });
    expect(data.hourly?.every((b) => b.newUsers === null && b.returningUsers === null)).toBe(true);
  });

  it('maps daily results into a dense series with no new/returning users', () => {
    const body = { results: [{ date: 'Aug 06 2020', users: 20 }], totalResults: 1 };
    const data = mapTrend(body, req('v1', 'daily', '2020-08-05', '2020-08-07'));
    expect(data.series).toEqual({
      uniqueUsers: [
        { date: '2020-08-05', users: 0 },
        { date: '2020-08-06', users: 20 },
        { date: '2020-08-07', users: 0 },
      ],
      newUsers: null,
      returningUsers: null,
    });
  });

  it('refuses the daily sample placeholder "number of users": it cannot be a count', () => {
    const body = { results: [{ date: 'Aug 06 2020', users: 'number of users' }], totalResults: 1 };
    expect(() => mapTrend(body, req('v1', 'daily', '2020-08-06', '2020-08-06'))).toThrow(MalformedBodyError);
  });
});

describe('strict counts and shapes', () => {
  it.each([0, 7, '12', 9007199254740991])('accepts the count %j', (v) => expect(parseCount(v, 'x')).toBe(Number(v)));
  it.each([-1, 1.5, NaN, Infinity, '1.5', '-2', '', ' 3', null, undefined, true, {}, [], 'number of users'])('refuses the count %j', (v) =>
    expect(() => parseCount(v, 'x')).toThrow(MalformedBodyError),
  );

  const daily = req('v2', 'daily', '2025-12-01', '2025-12-05');
  it.each<[string, unknown]>([
    ['a non-object body', '<html>'],
    ['a missing summary', { uniqueUsersTrend: { dataPoints: [] } }],
    ['a negative summary count', { ...V2_DAILY_DOC_SAMPLE, summary: { ...V2_DAILY_DOC_SAMPLE.summary, newUsers: -1 } }],
    ['a missing unique trend', { summary: V2_DAILY_DOC_SAMPLE.summary }],
    ['dataPoints that are not a list', { ...V2_DAILY_DOC_SAMPLE, uniqueUsersTrend: { dataPoints: {} } }],
    ['an unreadable date', { ...V2_DAILY_DOC_SAMPLE, uniqueUsersTrend: { dataPoints: [{ date: '2025-12-01', users: 1 }] } }],
    ['a day given twice', { ...V2_DAILY_DOC_SAMPLE, uniqueUsersTrend: { dataPoints: points(1, 1).concat(points(2)) } }],
    [
      'new users above unique users',
      { ...V2_DAILY_DOC_SAMPLE, uniqueUsersTrend: { dataPoints: points(1) }, newUsersTrend: { dataPoints: points(2) } },
    ],
  ])('refuses %s', (_name, body) => expect(() => mapTrend(body, daily)).toThrow(MalformedBodyError));
});
