import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { redisBinary, startRedis, warnRedisMissing } from '../helpers/redis-server';
import { codes, startStack, trendCalls, type Stack } from '../helpers/stack';
import { testNow } from '../helpers/clock';
import { until } from '../helpers/wait';

/**
 * The test stack is built by the production composition root (src/app.ts), so it has what the
 * process has and a hand-wired stack did not: the Redis readiness check, and a built-in upstream
 * that serves the configured credentials.
 */
const today = todayIn('UTC', testNow()); // the stacks' clock
const Q = `{ engagementTrend(botId: "st-demo-retail", range: { start: "${isoDate(today - 9)}", end: "${isoDate(today - 3)}" }) { summary { uniqueUsers } } }`;

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const readyz = async (stack: Stack) => {
  const res = await fetch(`${stack.url}/readyz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('createApp wiring, as the test stack sees it', () => {
  it('with REDIS_URL unreachable: /readyz says 503 naming redis, and the connection errors are logged as warnings', async () => {
    const stack = await startStack({ env: { REDIS_URL: `redis://127.0.0.1:${await closedPort()}` } });
    try {
      await until(async () => (await readyz(stack)).status === 503, { what: '/readyz to say 503', intervalMs: 50 });
      expect((await readyz(stack)).body).toEqual({ status: 'not ready', failed: ['redis'] });
      await until(() => stack.logs.some((l) => l.includes('"msg":"redis error"') && l.includes('"level":40')), {
        what: 'a "redis error" warning',
        intervalMs: 50,
      });
    } finally {
      await stack.close();
    }
  });

  it('starts the built-in upstream with the configured credentials, not only the demo ones', async () => {
    // A credentials file entry without a host is served by the built-in upstream.
    const dir = mkdtempSync(join(tmpdir(), 'eg-app-'));
    const file = join(dir, 'credentials.json');
    writeFileSync(file, JSON.stringify({ '*': { clientId: 'cs-own-app', clientSecret: 'own-app-secret' } }));
    const stack = await startStack({ env: { KORE_CREDENTIALS_FILE: file, CACHE_MAX_BYTES: '0' } }).finally(() =>
      rmSync(dir, { recursive: true }),
    );
    try {
      const { body } = await stack.gql(Q);
      expect(codes(body)).toEqual([]);
      expect(trendCalls(stack.emulator!).map((c) => c.status)).toEqual([200]);
    } finally {
      await stack.close();
    }
  });
});

const binary = redisBinary();
if (!binary) warnRedisMissing('app.test.ts');
(binary ? describe : describe.skip)('createApp with a real Redis', () => {
  it('/readyz follows Redis: 200 while it answers, 503 once it is killed', async () => {
    const redis = await startRedis(binary!);
    const stack = await startStack({ env: { REDIS_URL: redis.url } });
    try {
      await until(async () => (await readyz(stack)).status === 200, { what: '/readyz to say 200 with Redis up', intervalMs: 50 });
      await redis.kill('SIGKILL');
      await until(async () => (await readyz(stack)).status === 503, { what: '/readyz to say 503 with Redis gone', intervalMs: 50 });
      expect((await readyz(stack)).body).toEqual({ status: 'not ready', failed: ['redis'] });
    } finally {
      await stack.close();
      await redis.stop();
    }
  });
});
