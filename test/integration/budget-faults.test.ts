import Redis from 'ioredis';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from '../../src/config';
import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { startEmulator, type Emulator } from '../../src/emulator/emulator.server';
import { bearer, callerToken, JWT_ENV } from '../helpers/caller-tokens';
import { redisBinary, startRedis, warnRedisMissing, type RedisServer } from '../helpers/redis-server';
import { startStack, type Stack } from '../helpers/stack';
import { until } from '../helpers/wait';

/**
 * The shared budget under faults, staged on a real redis-server and asserted on what a Kore-like
 * upstream received (the built-in upstream, enforcing Kore's rolling limit at our budget, so any
 * call past the budget shows up as a 429 it answered).
 */
const binary = redisBinary();
if (!binary) warnRedisMissing('budget-faults.test.ts');
const suite = binary ? describe : describe.skip;

const today = todayIn('UTC');
const ZONES = [
  'UTC',
  'Europe/Berlin',
  'Asia/Kolkata',
  'America/New_York',
  'Asia/Tokyo',
  'Australia/Sydney',
  'America/Sao_Paulo',
  'Africa/Cairo',
];
let asked = 0;
/**
 * A question nobody asked before in this file (distinct start, length and zone; 5,760 of them, more
 * than a flood's bound): it can only be answered upstream, never by a cache or a replay.
 */
function newQuestion(bot: string): string {
  const i = asked++;
  const start = today - 12 - (i % 80);
  const end = start + (Math.floor(i / 80) % 9);
  const zone = ZONES[Math.floor(i / 720) % ZONES.length];
  return `{ engagementTrend(botId: "${bot}", range: { start: "${isoDate(start)}", end: "${isoDate(end)}" }, filters: { timeZone: "${zone}" }) { summary { uniqueUsers } } }`;
}

type Answer = { status: number; code: unknown; reason: unknown; ok: boolean; at: number };
async function ask(stack: Stack, bot: string, headers: Record<string, string> = {}): Promise<Answer> {
  const { status, body } = await stack.gql<{ engagementTrend: { summary: { uniqueUsers: number } } | null }>(
    newQuestion(bot),
    undefined,
    headers,
  );
  const error = body.errors?.[0];
  return {
    status,
    code: error?.extensions?.code,
    reason: error?.extensions?.reason,
    ok: typeof body.data?.engagementTrend?.summary?.uniqueUsers === 'number',
    at: Date.now(),
  };
}

/**
 * Sends new questions from `workers` loops to the stacks in turn until stopped, each loop at most
 * one every `paceMs` (refusals take a millisecond: unpaced, the bound would be spent in a second).
 * Bounded: at most `max` questions.
 */
function flood(stacks: Stack[], bot: string, workers: number, paceMs = 20, max = 5000) {
  let running = true;
  const answers: Answer[] = [];
  const loops = Array.from({ length: workers }, async (_, w) => {
    while (running && answers.length < max) {
      const next = Date.now() + paceMs;
      answers.push(await ask(stacks[(answers.length + w) % stacks.length], bot));
      if (Date.now() < next) await new Promise((r) => setTimeout(r, next - Date.now()));
    }
  });
  return {
    answers,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

suite('the shared budget under faults (real redis-server)', () => {
  let redis: RedisServer;
  let emulator: Emulator;
  const stacks: Stack[] = [];
  const budget = 10;

  beforeEach(async () => {
    redis = await startRedis(binary as string);
    emulator = await startEmulator({
      apps: [{ clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET, bots: '*' }],
      rateLimit: { perMinute: budget, perHour: 1800 },
    });
  });
  afterEach(async () => {
    await Promise.all(stacks.splice(0).map((s) => s.close()));
    await emulator.close();
    await redis.stop();
  });

  async function replicas(n: number, env: Record<string, string>): Promise<Stack[]> {
    const started = await Promise.all(
      Array.from({ length: n }, () =>
        // A loaded 2-core machine can stall a Redis reply past the default 500 ms command timeout.
        startStack({
          upstreamUrl: emulator.url,
          env: {
            REDIS_URL: redis.url,
            REDIS_COMMAND_TIMEOUT_MS: '3000',
            BUDGET_PER_MINUTE: String(budget),
            BUDGET_MAX_WAIT_MS: '0',
            ...env,
          },
        }),
      ),
    );
    stacks.push(...started);
    return started;
  }

  const trendCalls = () => emulator.calls.filter((c) => c.path.endsWith('userEngagementTrend'));

  it('a Redis SIGKILLed mid-flood and restarted empty never lets more than the budget through in a minute', async () => {
    const both = await replicas(2, {});
    const load = flood(both, 'st-demo-retail', 4);
    await until(() => trendCalls().length >= budget, { what: 'the budget to be spent', timeoutMs: 15_000, intervalMs: 25 });

    await redis.kill('SIGKILL');
    const failedClosed = () => load.answers.some((a) => a.reason === 'shared-state-unavailable');
    await until(failedClosed, { what: 'requests to fail closed while Redis is down', timeoutMs: 15_000, intervalMs: 25 });
    const callsWhileDown = trendCalls().length;
    await redis.restart(); // empty: no persistence

    // The replicas write their slots of the last hour back; the flood goes on past the recovery hold.
    const probe = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    let holdEnds = 0;
    try {
      await until(async () => (await probe.zcard('eg:budget:st-demo-retail')) >= budget, {
        what: 'the budget to be written back',
        timeoutMs: 15_000,
        intervalMs: 25,
      });
      holdEnds = Date.now() + both[0].config.resilience.budgetRecoveryMs;
      const refusedLate = () => load.answers.filter((a) => a.at > holdEnds + 1000 && a.code === 'RATE_LIMITED').length >= 20;
      await until(refusedLate, { what: 'refusals from well past the recovery hold', timeoutMs: 20_000, intervalMs: 25 });
    } finally {
      probe.disconnect();
    }
    await load.stop();
    // Past the hold, the restored budget answers: refusals, not calls.
    const late = load.answers.filter((a) => a.at > holdEnds + 1000);
    expect(late.length).toBeGreaterThanOrEqual(20);
    expect(late.filter((a) => a.ok)).toEqual([]);
    expect(late.filter((a) => a.code === 'RATE_LIMITED' && a.reason === 'bot-budget').length).toBeGreaterThanOrEqual(20);
    expect(both.some((s) => s.logs.some((line) => line.includes('written back to Redis')))).toBe(true);

    const calls = trendCalls();
    expect(calls.filter((c) => c.status !== 200)).toEqual([]); // Kore never answered 429
    expect(calls.length).toBe(callsWhileDown); // nothing past the budget after the restart
    expect(calls.length).toBeLessThanOrEqual(budget);
    // After the restart the replicas answered refusals from the restored budget, not calls.
    expect(load.answers.filter((a) => a.code === 'RATE_LIMITED').length).toBeGreaterThan(0);
  });

  it('a greedy caller cannot starve a polite one, on either replica; spare budget is used when nobody else asks', async () => {
    const [a, b] = await replicas(2, { ...JWT_ENV });
    const greedy = bearer(callerToken({ sub: 'greedy', bots: '*' }));
    const polite = bearer(callerToken({ sub: 'polite', bots: '*' }));
    // Defaults under AUTH_MODE=jwt: a caller alone may use 75% (a quarter is kept for newcomers),
    // half while another caller is active.
    const alone = budget - Math.floor(budget * 0.25);
    const share = Math.floor(budget * 0.5);

    // 1. The greedy caller floods a quiet bot through both replicas: it gets all but the reserve.
    const flooded = await Promise.all(Array.from({ length: 3 * budget }, (_, i) => ask(i % 2 ? a : b, 'st-demo-banking', greedy)));
    expect(flooded.filter((x) => x.ok)).toHaveLength(alone);
    expect(new Set(flooded.filter((x) => !x.ok).map((x) => `${x.code}/${x.reason}`))).toEqual(new Set(['RATE_LIMITED/caller-share']));
    const refusedShares = async (s: Stack) => {
      const line = (await (await fetch(`${s.url}/metrics`)).text())
        .split('\n')
        .find((l) => l.startsWith('eg_budget_refusals_total{reason="caller-share"} '));
      return Number(line?.split(' ')[1] ?? 0);
    };
    expect((await refusedShares(a)) + (await refusedShares(b))).toBe(flooded.filter((x) => !x.ok).length); // operators see it
    // The polite caller's questions are answered at once, on either replica, from the reserve.
    for (let i = 0; i < budget - alone; i++) expect(await ask(i % 2 ? a : b, 'st-demo-banking', polite)).toMatchObject({ ok: true });
    expect((await ask(a, 'st-demo-banking', polite)).reason).toBe('bot-budget'); // now the bot's minute is spent

    // 2. On another bot, the polite caller is active first: the greedy one gets its share only.
    expect(await ask(b, 'st-demo-travel', polite)).toMatchObject({ ok: true });
    const capped = await Promise.all(Array.from({ length: 3 * budget }, (_, i) => ask(i % 2 ? a : b, 'st-demo-travel', greedy)));
    expect(capped.filter((x) => x.ok)).toHaveLength(share);
    for (let i = 1; i < budget - share; i++) expect(await ask(i % 2 ? a : b, 'st-demo-travel', polite)).toMatchObject({ ok: true });

    const calls = trendCalls();
    expect(calls.filter((c) => c.status !== 200)).toEqual([]);
    expect(calls.filter((c) => c.botId === 'st-demo-banking')).toHaveLength(budget);
    expect(calls.filter((c) => c.botId === 'st-demo-travel')).toHaveLength(budget);
  });
});
