import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { connectRedis } from '../../src/upstream/redis';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream';
import { dailyAnswerFor, expectedUnique } from '../helpers/kore-answers';
import { redisBinary, startRedis, warnRedisMissing, type RedisServer } from '../helpers/redis-server';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { until, within } from '../helpers/wait';

/**
 * Redis crashed (SIGKILL) or hung (SIGSTOP) under a real server process: operations that need the
 * upstream fail closed at once with `shared-state-unavailable` and call nothing upstream, /readyz
 * says 503 within the probe budget, and both recover once Redis is back.
 */
const binary = redisBinary();
if (!binary) warnRedisMissing('redis-down.test.ts');
const suite = binary ? describe : describe.skip;

const today = todayIn('UTC');
/** A question no earlier operation asked (so neither cache can answer it). */
let nextRange = 0;
function freshQuestion(): { query: string; start: string; end: string } {
  const end = isoDate(today - 3 - 12 * nextRange);
  const start = isoDate(today - 9 - 12 * nextRange++);
  return {
    query: `{ engagementTrend(botId: "st-redis", range: { start: "${start}", end: "${end}" }) { summary { uniqueUsers } } }`,
    start,
    end,
  };
}

interface Answer {
  readonly status: number;
  readonly body: {
    data?: { engagementTrend: { summary: { uniqueUsers: number } } | null } | null;
    errors?: Array<{ extensions?: Record<string, unknown> }>;
  };
}

async function ask(server: ServerProcess, query: string): Promise<Answer> {
  const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

async function readyz(server: ServerProcess): Promise<{ status: number }> {
  const res = await fetch(server.url.replace('/graphql', '/readyz'));
  await res.text();
  return { status: res.status };
}

/**
 * While Redis is dead or stopped it stays so until the test brings it back: a reconnect, a queued
 * command or an unbounded probe would wait for ever, so an answer at all (with a deadline no
 * loaded machine reaches) shows that nothing waited for Redis. How long a refusal takes is not
 * asserted: that is a number for BENCHMARKS.md, not a property that holds on every machine.
 */
const whileRedisIsDown = <T>(what: string, work: Promise<T>): Promise<T> =>
  within(work, { what: `${what} while Redis is down`, timeoutMs: 10_000 });

/** Polls `ready` every 50 ms until it holds (10 s deadline). */
const waitFor = (what: string, ready: () => boolean | Promise<boolean>) => until(ready, { what, intervalMs: 50 });

const failedClosed = (a: Answer) => ({
  status: a.status,
  code: a.body.errors?.[0]?.extensions?.code,
  reason: a.body.errors?.[0]?.extensions?.reason,
});

suite('Redis down under a real server process', () => {
  let redis: RedisServer;
  let fake: FakeUpstream;
  let server: ServerProcess | undefined;

  beforeEach(async () => {
    redis = await startRedis(binary as string);
    fake = await startFakeUpstream(dailyAnswerFor);
  });
  afterEach(async () => {
    server?.kill('SIGKILL');
    await server?.exited;
    server = undefined;
    await redis.kill('SIGCONT'); // in case a test left it stopped
    await redis.stop();
    await fake.close();
  });

  const start = async (env: Record<string, string> = {}) => {
    server = await startServerProcess({
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info', // its "ready at" line
      KORE_HOST: fake.url,
      KORE_CLIENT_ID: 'cs-redis',
      KORE_CLIENT_SECRET: 'secret-redis',
      REDIS_URL: redis.url,
      RETRY_MAX_ATTEMPTS: '1',
      ...env,
    });
    const s = server;
    await waitFor('/readyz to say 200 with Redis up', async () => (await readyz(s)).status === 200);
    return s;
  };

  /** `n` probes in a row: each answers, and says 503, while Redis is still down. */
  const expectProbesDown = async (s: Parameters<typeof readyz>[0], n: number) => {
    const probes = [];
    for (let i = 0; i < n; i++) probes.push(await whileRedisIsDown(`/readyz probe ${i + 1}`, readyz(s)));
    for (const p of probes) expect(p.status).toBe(503);
  };

  it('SIGKILLed: operations fail closed at once and call nothing upstream, /readyz says 503; after a restart both recover', async () => {
    // A command timeout far beyond the deadlines below: a command queued for a reconnect, or left
    // to time out, would miss them; only a refusal at once meets them.
    const s = await start({ REDIS_COMMAND_TIMEOUT_MS: '60000' });
    const before = freshQuestion();
    const ok = await ask(s, before.query);
    expect(ok.body).toEqual({ data: { engagementTrend: { summary: { uniqueUsers: expectedUnique(before.start, before.end) } } } });
    expect(fake.requests).toHaveLength(1);

    await redis.kill('SIGKILL');
    await waitFor('/readyz to say 503 with Redis gone', async () => (await readyz(s)).status === 503);

    const down = [];
    // Refused without waiting on reconnect attempts: Redis stays dead until restarted below.
    for (let i = 0; i < 5; i++) down.push(await whileRedisIsDown(`operation ${i + 1}`, ask(s, freshQuestion().query)));
    for (const a of down)
      expect(failedClosed(a)).toEqual({ status: 200, code: 'UPSTREAM_UNAVAILABLE', reason: 'shared-state-unavailable' });
    expect(fake.requests).toHaveLength(1); // no upstream call without the shared budget
    await expectProbesDown(s, 5);

    await redis.restart(); // empty, on the same port
    await waitFor('/readyz to say 200 after the restart', async () => (await readyz(s)).status === 200);
    const after = freshQuestion();
    const recovered = await ask(s, after.query);
    expect(recovered.body).toEqual({ data: { engagementTrend: { summary: { uniqueUsers: expectedUnique(after.start, after.end) } } } });
    expect(fake.requests).toHaveLength(2);

    // Stopping while Redis is down: nothing to QUIT, the process still exits cleanly.
    await redis.kill('SIGKILL');
    await waitFor('/readyz to say 503 with Redis gone again', async () => (await readyz(s)).status === 503);
    s.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  }, 60_000);

  it('hung (SIGSTOP): operations fail closed after one REDIS_COMMAND_TIMEOUT_MS, /readyz says 503 while Redis is stopped; both recover', async () => {
    const s = await start({ REDIS_COMMAND_TIMEOUT_MS: '200' });
    await redis.kill('SIGSTOP'); // still accepts TCP, never answers

    // Answered while Redis is still stopped (it is continued only below). That the command timeout
    // drops the connection, so later commands are refused rather than each waiting out a timeout
    // of its own, is asserted on the client itself in the last test of this file.
    const hung = await whileRedisIsDown('the operation', ask(s, freshQuestion().query));
    expect(failedClosed(hung)).toEqual({ status: 200, code: 'UPSTREAM_UNAVAILABLE', reason: 'shared-state-unavailable' });
    expect(fake.requests).toHaveLength(0);
    await expectProbesDown(s, 3);

    await redis.kill('SIGCONT');
    await waitFor('/readyz to say 200 once Redis answers again', async () => (await readyz(s)).status === 200);
    const after = freshQuestion();
    expect((await ask(s, after.query)).body.data?.engagementTrend?.summary.uniqueUsers).toBe(expectedUnique(after.start, after.end));
    expect(fake.requests).toHaveLength(1);
  }, 60_000);
});

suite('connectRedis while Redis is down', () => {
  it('refuses commands at once instead of queueing them, drops a hung connection, reconnects, and quits without hanging', async () => {
    const redis = await startRedis(binary as string);
    const client = connectRedis(redis.url, { commandTimeoutMs: 200 });
    client.on('error', () => undefined); // reconnect attempts report ECONNREFUSED here
    try {
      await waitFor('the first connection', () => client.status === 'ready');
      expect(await client.set('k', 'v')).toBe('OK');

      await redis.kill('SIGKILL');
      await waitFor('the client to see the connection gone', () => client.status !== 'ready');
      // Refused by the client itself: the offline queue is off once the first connection settled.
      await expect(client.get('k')).rejects.toThrow(/enableOfflineQueue/);

      await redis.restart();
      await waitFor('the client to reconnect', () => client.status === 'ready');
      expect(await client.get('k')).toBeNull(); // a restarted Redis is empty

      // Hung: the command already sent times out, the connection is dropped with it, and the next
      // command is refused at once rather than waiting out a timeout of its own.
      await redis.kill('SIGSTOP');
      await expect(client.get('k')).rejects.toThrow('Command timed out');
      await expect(client.get('k')).rejects.toThrow(/enableOfflineQueue/);
      await redis.kill('SIGCONT');
      await waitFor('the client to reconnect to the resumed Redis', () => client.status === 'ready');

      await redis.kill('SIGKILL');
      await waitFor('the client to see the connection gone again', () => client.status !== 'ready');
      // Nothing to send QUIT on: the client drops its connection (and stops reconnecting) instead of failing.
      await expect(client.quit()).resolves.toBe('OK');
    } finally {
      client.disconnect();
      await redis.stop();
    }
  }, 30_000);
});
