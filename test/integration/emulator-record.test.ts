import { startEmulator, type Emulator } from '../../src/emulator/emulator.server';
import { mintUpstreamToken } from '../../src/upstream/jwt';

/**
 * The built-in upstream reads each request once (src/emulator/request.ts) and the handler decides
 * in Kore's order: an unreadable bot id, then the method, the JWT, the rate limit, the parameters.
 * Every request is in the call record with what it asked and what it was answered.
 */
const APP = { clientId: 'cs-record', clientSecret: 'record-secret', bots: '*' as const };
const NOW = Date.parse('2025-12-06T12:00:00Z');
const QS = 'aggregation_type=daily&start_date=2025-12-01&end_date=2025-12-03&timeZoneOffset=UTC';
let emulator: Emulator;

beforeEach(async () => {
  emulator = await startEmulator({ apps: [APP], rateLimit: { perMinute: 3, perHour: 100 }, now: () => NOW });
});
afterEach(() => emulator.close());

const token = () => mintUpstreamToken(APP.clientId, APP.clientSecret, 300);
const call = async (path: string, init: { method?: string; auth?: string } = {}) => {
  const res = await fetch(`${emulator.url}${path}`, { method: init.method ?? 'POST', headers: init.auth ? { auth: init.auth } : {} });
  return { status: res.status, body: (await res.json()) as { errors?: Array<{ msg: string; code: number }> } };
};
const v2 = (bot: string, qs = QS) => `/api/public/bot/${bot}/v2/userEngagementTrend?${qs}`;

describe('the built-in upstream reads a request once and records it', () => {
  it('records path, version, decoded bot id, the query (last value of a repeated name) and the status', async () => {
    expect((await call(v2('st-demo-retail', `${QS}&channels=sms&channels=rtm`), { auth: token() })).status).toBe(200);
    expect((await call(`/api/public/bot/st-demo-travel/userEngagementTrend?${QS}`, { auth: token() })).status).toBe(200);
    expect((await call('/api/public/nothing-here?x=1')).status).toBe(404);
    expect(
      emulator.calls.map(({ method, path, version, botId, query, status }) => ({ method, path, version, botId, query, status })),
    ).toEqual([
      {
        method: 'POST',
        path: '/api/public/bot/st-demo-retail/v2/userEngagementTrend',
        version: 'v2',
        botId: 'st-demo-retail',
        query: { aggregation_type: 'daily', start_date: '2025-12-01', end_date: '2025-12-03', timeZoneOffset: 'UTC', channels: 'rtm' },
        status: 200,
      },
      {
        method: 'POST',
        path: '/api/public/bot/st-demo-travel/userEngagementTrend',
        version: 'v1',
        botId: 'st-demo-travel',
        query: { aggregation_type: 'daily', start_date: '2025-12-01', end_date: '2025-12-03', timeZoneOffset: 'UTC' },
        status: 200,
      },
      { method: 'POST', path: '/api/public/nothing-here', version: null, botId: null, query: { x: '1' }, status: 404 },
    ]);
    expect(emulator.calls.every((c) => c.at === NOW)).toBe(true);
  });

  it('refuses in order: unreadable bot id, method, JWT, parameters; each recorded with its status', async () => {
    // An id that is not valid percent-encoding is refused before anything else, even on GET.
    expect(await call(v2('st-%E0%A4%A'), { method: 'GET' })).toEqual({
      status: 400,
      body: { errors: [{ msg: 'Invalid StreamId', code: 400 }] },
    });
    // The method before the token.
    expect((await call(v2('st-demo-retail'), { method: 'GET' })).status).toBe(405);
    // The token before the parameters: a bad range without a token is an auth failure.
    expect(await call(v2('st-demo-retail', 'start_date=2025-12-09&end_date=2025-12-01'))).toEqual({
      status: 401,
      body: { errors: [{ msg: 'Invalid JWT token', code: 4002 }] },
    });
    expect((await call(v2('st-demo-retail', 'start_date=2025-12-09&end_date=2025-12-01'), { auth: token() })).body.errors?.[0].msg).toBe(
      'Invalid date range',
    );
    expect(emulator.calls.map((c) => [c.version, c.botId, c.status])).toEqual([
      ['v2', null, 400],
      ['v2', 'st-demo-retail', 405],
      ['v2', 'st-demo-retail', 401],
      ['v2', 'st-demo-retail', 400],
    ]);
  });

  it('counts a call refused for its parameters towards the rate limit (the limit is checked first)', async () => {
    const bad = v2('st-demo-banking', 'start_date=2025-12-09&end_date=2025-12-01');
    expect((await call(bad, { auth: token() })).status).toBe(400);
    expect((await call(bad, { auth: token() })).status).toBe(400);
    expect((await call(v2('st-demo-banking'), { auth: token() })).status).toBe(200);
    const limited = await call(v2('st-demo-banking'), { auth: token() });
    expect(limited.status).toBe(429);
    // Another bot has its own window.
    expect((await call(v2('st-demo-retail'), { auth: token() })).status).toBe(200);
    expect(emulator.calls.map((c) => c.status)).toEqual([400, 400, 200, 429, 200]);
  });

  it('records a faulted call on arrival with the status the fault answers', async () => {
    emulator.faults.errorRate = 1;
    expect((await call(v2('st-demo-retail'), { auth: token() })).status).toBe(503);
    expect(emulator.calls.map(({ version, botId, status }) => ({ version, botId, status }))).toEqual([
      { version: 'v2', botId: 'st-demo-retail', status: 503 },
    ]);
  });
});
