import { isoDate, todayIn } from '../../src/dates';
import { startFakeUpstream } from '../helpers/fake-upstream';
import { dailyAnswerFor, expectedUnique } from '../helpers/kore-answers';
import { startServerProcess } from '../helpers/server-process';
import { startStack } from '../helpers/stack';

/** Health, readiness, the per-operation log line, and a graceful stop of the real process. */
const today = todayIn('UTC');
const start = isoDate(today - 9);
const end = isoDate(today - 3);
const Q = `query Dashboard { engagementTrend(botId: "st-demo-retail", range: { start: "${start}", end: "${end}" }) { summary { uniqueUsers } } }`;

describe('health, readiness and logs', () => {
  it('/healthz is alive; /readyz follows its checks and turns 503 when stopping', async () => {
    let redisUp = true;
    const stack = await startStack({ readinessChecks: [{ name: 'redis', check: async () => redisUp }] });
    try {
      expect((await fetch(`${stack.url}/healthz`)).status).toBe(200);
      expect(await (await fetch(`${stack.url}/readyz`)).json()).toEqual({ status: 'ready' });
      redisUp = false;
      const down = await fetch(`${stack.url}/readyz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ status: 'not ready', failed: ['redis'] });
    } finally {
      await stack.close();
    }
  });

  it('logs one line per operation: request id, name, duration, upstream calls, cache hits; no token or secret', async () => {
    const stack = await startStack();
    try {
      await stack.gql(Q, undefined, { 'x-request-id': 'req-log-1' });
      await stack.gql(Q, undefined, { 'x-request-id': 'req-log-2' });
      const lines = stack.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'graphql operation');
      expect(lines.map((l) => [l.requestId, l.operationName, l.upstreamCalls, l.cacheHits, l.responseCached])).toEqual([
        ['req-log-1', 'Dashboard', 1, 0, undefined],
        ['req-log-2', 'Dashboard', 0, 0, true], // the same operation again: served whole from the operation cache
      ]);
      expect(typeof lines[0].durationMs).toBe('number');
      const all = stack.logs.join('');
      expect(all).not.toContain(stack.config.kore.clientSecret.reveal());
      expect(all).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/); // no JWT anywhere
    } finally {
      await stack.close();
    }
  });
});

describe('graceful shutdown of the real process', () => {
  it('SIGTERM during a slow upstream call lets the call finish, refuses new work, and exits 0', async () => {
    const fake = await startFakeUpstream((r) => ({ ...dailyAnswerFor(r), delayMs: 1500 }));
    const server = await startServerProcess({ ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'info', KORE_HOST: fake.url, KORE_CLIENT_ID: 'cs', KORE_CLIENT_SECRET: 's', SHUTDOWN_GRACE_MS: '10000' });
    const { url } = server;
    try {
      const inFlight = fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: Q }) });
      while (fake.requests.length === 0) await new Promise((r) => setTimeout(r, 20)); // the upstream call is under way
      server.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 200));
      await expect(fetch(url.replace('/graphql', '/healthz'))).rejects.toThrow(); // no longer accepting
      const res = await inFlight.catch((error: unknown) => {
        throw new Error(`in-flight request failed (${String(error)}); server output:\n${server.output()}`);
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ data: { engagementTrend: { summary: { uniqueUsers: expectedUnique(start, end) } } } });
      expect(await server.exited).toBe(0);
      expect(server.output()).toContain('shutting down');
    } finally {
      server.kill('SIGKILL');
      await fake.close();
    }
  }, 40_000);
});
