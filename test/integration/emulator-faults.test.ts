import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { NO_FAULTS } from '../../src/config/emulator';
import { codes, startStack, trendCalls, type Stack } from '../helpers/stack';
import { testNow } from '../helpers/clock';

/** The built-in upstream's fault switches, and what Engagement Graph makes of each fault. */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    env: { CACHE_MAX_BYTES: '0', RETRY_MAX_ATTEMPTS: '1', BREAKER_THRESHOLD: '1000', KORE_TIMEOUT_MS: '250' },
  });
});
afterAll(() => stack.close());
afterEach(() => Object.assign(stack.emulator!.faults, NO_FAULTS));

const today = todayIn('UTC', testNow()); // the stacks' clock (test/helpers/clock.ts)
const Q = `{ engagementTrend(botId: "st-demo-banking", range: { start: "${isoDate(today - 6)}", end: "${isoDate(today - 2)}" }) { summary { uniqueUsers } } }`;
const faultsUrl = () => `${stack.emulator!.url}/emulator/faults`;

describe('fault switches', () => {
  it('are set, shown and cleared on /emulator/faults, refusing nonsense', async () => {
    const put = await fetch(faultsUrl(), { method: 'PUT', body: JSON.stringify({ latencyMs: 5, errorRate: 0.25 }) });
    expect(await put.json()).toMatchObject({ latencyMs: 5, errorRate: 0.25, resetRate: 0 });
    expect((await fetch(faultsUrl(), { method: 'PUT', body: '{"errorRate": 2}' })).status).toBe(400);
    expect((await fetch(faultsUrl(), { method: 'PUT', body: '{"explode": true}' })).status).toBe(400);
    expect(await (await fetch(faultsUrl(), { method: 'DELETE' })).json()).toEqual(NO_FAULTS);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['5xx answers', { errorRate: 1 }, 'UPSTREAM_UNAVAILABLE'],
    ['reset connections', { resetRate: 1 }, 'UPSTREAM_UNAVAILABLE'],
    ['HTML instead of JSON', { malformedRate: 1 }, 'UPSTREAM_BAD_RESPONSE'],
    ['added latency past KORE_TIMEOUT_MS', { latencyMs: 600 }, 'UPSTREAM_TIMEOUT'],
    ['a body that trickles in past KORE_TIMEOUT_MS', { slowBodyMs: 600 }, 'UPSTREAM_TIMEOUT'],
    ['a 429 burst without Retry-After', { rateLimitBurst: 1, rateLimitRetryAfter: null }, 'RATE_LIMITED'],
  ])('%s → %s', async (_name, faults, code) => {
    Object.assign(stack.emulator!.faults, faults);
    const from = stack.emulator!.calls.length;
    const { status, body } = await stack.gql(Q);
    expect(status).toBe(200);
    expect(codes(body)).toEqual([code]);
    expect(trendCalls(stack.emulator!, from)).toHaveLength(1);
    if (code === 'RATE_LIMITED') expect(body.errors?.[0].extensions?.retryAfter).toBeUndefined();
  });

  it('a 429 burst with Retry-After is ridden out by a retry after the advertised wait', async () => {
    const patient = await startStack({
      env: { CACHE_MAX_BYTES: '0', RETRY_MAX_ATTEMPTS: '3' },
      emulator: { faults: { rateLimitBurst: 1, rateLimitRetryAfter: 1 } },
    });
    try {
      const started = Date.now();
      const { body } = await patient.gql(Q);
      expect(body.errors).toBeUndefined();
      expect(trendCalls(patient.emulator!).map((c) => c.status)).toEqual([429, 200]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    } finally {
      await patient.close();
    }
  });
});
