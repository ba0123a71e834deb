import jwt from 'jsonwebtoken';
import { startEmulator, type Emulator } from '../../src/emulator/emulator.server';
import { mintUpstreamToken } from '../../src/upstream/jwt';

/** The built-in upstream honours the documented contract: paths, shapes, JWT checks, errors, rate limits. */
const APP = { clientId: 'cs-test', clientSecret: 'test-secret', bots: ['st-demo-retail', 'st-demo-travel'] as string[] };
let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ apps: [APP], rateLimit: { perMinute: 5, perHour: 8 }, now: () => Date.parse('2025-12-06T12:00:00Z') });
});
afterAll(() => emulator.close());

const QS = 'aggregation_type=daily&start_date=2025-12-01&end_date=2025-12-05&timeZoneOffset=UTC';
const call = async (bot: string, opts: { token?: string | null; qs?: string; v1?: boolean; method?: string } = {}) => {
  const token = opts.token === undefined ? mintUpstreamToken(APP.clientId, APP.clientSecret, 300) : opts.token;
  const path = opts.v1 ? `/api/public/bot/${bot}/userEngagementTrend` : `/api/public/bot/${bot}/v2/userEngagementTrend`;
  const res = await fetch(`${emulator.url}${path}?${opts.qs ?? QS}`, {
    method: opts.method ?? 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { auth: token } : {}) },
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
};

describe('the built-in upstream', () => {
  it('answers v2 daily in the documented shape, zero-filled with lower-case filter echo', async () => {
    const { status, body } = await call('st-demo-retail');
    expect(status).toBe(200);
    expect(Object.keys(body.summary as object).sort()).toEqual(
      ['avgNewUsersPerDay', 'avgReturningUsersPerDay', 'avgUniqueUsersPerDay', 'newUsers', 'returningUsers', 'uniqueUsers'].sort(),
    );
    const points = (body.uniqueUsersTrend as { dataPoints: Array<{ date: string; users: number }> }).dataPoints;
    expect(points.map((p) => p.date)).toEqual(['Dec 01 2025', 'Dec 02 2025', 'Dec 03 2025', 'Dec 04 2025', 'Dec 05 2025']);
    expect(body.filters).toEqual({
      start: 'Dec 01 2025',
      end: 'Dec 05 2025',
      conversationType: 'all',
      conversationStatus: 'all',
      aggregationType: 'daily',
      dataPointsCount: 5,
    });
  });

  it('answers v1 hourly as day rows of "H - H+1" keys, the last "23 - 0"', async () => {
    const { body } = await call('st-demo-travel', { v1: true, qs: 'aggregation_type=Hourly&start_date=2025-12-01&end_date=2025-12-01' });
    const row = (body.results as Array<Record<string, unknown>>)[0];
    expect(row.date).toBe('Dec 01 2025');
    expect(Object.keys(row)).toContain('23 - 0');
    expect(Object.keys(row)).toHaveLength(25);
    expect(body.totalResults).toBe(1);
  });

  it.each<[string, { token?: string | null; method?: string; qs?: string }, string, number, number]>([
    ['no token', { token: null }, 'st-demo-retail', 401, 4002],
    ['a token signed with another secret', { token: jwt.sign({ appId: APP.clientId }, 'wrong') }, 'st-demo-retail', 401, 4002],
    ['an unknown appId', { token: jwt.sign({ appId: 'cs-other' }, APP.clientSecret) }, 'st-demo-retail', 401, 4002],
    [
      'an expired token',
      { token: jwt.sign({ appId: APP.clientId, exp: Date.parse('2025-12-06T11:00:00Z') / 1000 }, APP.clientSecret) },
      'st-demo-retail',
      401,
      4002,
    ],
    ['alg none', { token: jwt.sign({ appId: APP.clientId }, '', { algorithm: 'none' }) }, 'st-demo-retail', 401, 4002],
    ["a bot outside the app's scope", {}, 'st-demo-banking', 401, 4002],
    ['an unknown bot', {}, 'st-nope', 400, 400],
    ['a GET', { method: 'GET' }, 'st-demo-retail', 405, 405],
    ['an impossible date', { qs: 'start_date=2025-02-30&end_date=2025-03-01' }, 'st-demo-retail', 400, 400],
    ['an unknown aggregation', { qs: 'aggregation_type=weekly&start_date=2025-12-01&end_date=2025-12-01' }, 'st-demo-retail', 412, 412],
  ])('refuses %s with the documented error shape', async (_name, opts, bot, status, code) => {
    const res = await call(bot, opts);
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ errors: [{ msg: expect.any(String), code }] });
  });

  it('refuses a replayed jti', async () => {
    const token = mintUpstreamToken(APP.clientId, APP.clientSecret, 300);
    expect((await call('st-demo-travel', { token })).status).toBe(200);
    const replay = await call('st-demo-travel', { token });
    expect(replay.status).toBe(401);
    expect(replay.body).toEqual({ errors: [{ msg: 'error verifying the jwt: possibly a replay', code: 401 }] });
  });

  it('enforces the per-minute and hourly budgets per bot with 429, the documented messages and Retry-After', async () => {
    let t = Date.parse('2025-12-06T12:00:00Z');
    const own = await startEmulator({ apps: [APP], rateLimit: { perMinute: 5, perHour: 8 }, now: () => t });
    const shared = emulator;
    emulator = own;
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await call('st-demo-retail')).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      const refused = await call('st-demo-retail');
      expect(JSON.stringify(refused.body)).toContain('per-minute rate limit');
      expect(Number(refused.headers.get('retry-after'))).toBe(60);
      expect((await call('st-demo-travel')).status).toBe(200); // another bot has its own budget
      t += 61_000; // the minute rolls on; the hour does not
      const more: number[] = [];
      for (let i = 0; i < 4; i++) more.push((await call('st-demo-retail')).status);
      expect(more).toEqual([200, 200, 200, 429]);
      expect(JSON.stringify((await call('st-demo-retail')).body)).toContain('hourly rate limit');
      expect(own.calls.at(-1)).toMatchObject({ status: 429, botId: 'st-demo-retail', version: 'v2' });
    } finally {
      emulator = shared;
      await own.close();
    }
  });
});
