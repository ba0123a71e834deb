import http from 'node:http';
import type { Socket } from 'node:net';
import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { startFakeUpstream } from '../helpers/fake-upstream';
import { dailyAnswerFor, expectedUnique } from '../helpers/kore-answers';
import { startServerProcess } from '../helpers/server-process';
import { startStack } from '../helpers/stack';
import { until, within } from '../helpers/wait';

/** Health, readiness, the per-operation log line, and a graceful stop of the real process. */
// A range that ends days before today is valid whichever day it is, on the real clock (the spawned
// process) and on the test stacks' clock (test/helpers/clock.ts) alike.
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
    const server = await startServerProcess({
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      KORE_HOST: fake.url,
      KORE_CLIENT_ID: 'cs',
      KORE_CLIENT_SECRET: 's',
      SHUTDOWN_GRACE_MS: '10000',
    });
    const { url } = server;
    try {
      const inFlight = fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: Q }) });
      await until(() => fake.requests.length > 0, { what: 'the upstream call to be under way' });
      server.kill('SIGTERM');
      // The line is logged in the same tick as the listening socket is closed.
      await until(() => server.output().includes('shutting down'), { what: 'the shutdown to begin', detail: server.output });
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

  /** A POST over a keep-alive http.Agent, read to the end; `at` is when its last byte arrived. */
  function agentPost(
    agent: http.Agent,
    url: string,
    body: string,
  ): Promise<{ status: number; connection: string | undefined; text: string; at: number }> {
    return new Promise((resolve, reject) => {
      const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, text, at: Date.now() }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** GETs over the agent at once, so that it pools that many idle sockets; returns those sockets. */
  async function warm(agent: http.Agent, url: string, n: number): Promise<Socket[]> {
    const sockets: Socket[] = [];
    await Promise.all(
      Array.from(
        { length: n },
        () =>
          new Promise<void>((resolve, reject) => {
            const req = http.get(url, { agent }, (res) => {
              res.resume();
              res.on('end', resolve);
            });
            req.on('socket', (s: Socket) => sockets.push(s));
            req.on('error', reject);
          }),
      ),
    );
    return sockets;
  }

  const GRACE_MS = 60_000;

  it.each(['http.Agent', 'fetch'] as const)(
    'SIGTERM with keep-alive clients and a slow operation on %s: exits soon after the last response, not after the grace period',
    async (slowOn) => {
      const fake = await startFakeUpstream((r) => ({ ...dailyAnswerFor(r), delayMs: 3000 }));
      // A grace period three times the deadline the exit is awaited with below, so waiting it out
      // cannot pass however loaded the machine, while any prompt exit passes with a wide margin.
      const server = await startServerProcess({
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        KORE_HOST: fake.url,
        KORE_CLIENT_ID: 'cs',
        KORE_CLIENT_SECRET: 's',
        SHUTDOWN_GRACE_MS: String(GRACE_MS),
      });
      const { url } = server;
      const healthz = url.replace('/graphql', '/healthz');
      const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
      try {
        // Idle pooled connections in both kinds of client.
        const agentSockets = await warm(agent, healthz, 3);
        const closedAt = new Map<Socket, number>();
        for (const s of new Set(agentSockets)) s.once('close', () => closedAt.set(s, Date.now()));
        await Promise.all([fetch(healthz), fetch(healthz), fetch(healthz)].map(async (p) => (await p).text()));

        const body = JSON.stringify({ query: Q });
        const inFlight =
          slowOn === 'http.Agent'
            ? agentPost(agent, url, body)
            : fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(async (res) => ({
                status: res.status,
                connection: res.headers.get('connection') ?? undefined,
                text: await res.text(),
                at: Date.now(),
              }));
        await until(() => fake.requests.length > 0, { what: 'the upstream call' });
        server.kill('SIGTERM');

        const answered = await inFlight.catch((error: unknown) => {
          throw new Error(`in-flight request failed (${String(error)}); server output:\n${server.output()}`);
        });
        expect(answered.status).toBe(200);
        expect(JSON.parse(answered.text)).toEqual({ data: { engagementTrend: { summary: { uniqueUsers: expectedUnique(start, end) } } } });
        expect(answered.connection).toBe('close'); // the last response on its connection
        // Every pooled socket is closed; those idle at SIGTERM were closed then, before the slow
        // answer came (all three, or two when the agent carried the slow operation on the third).
        const pooled = [...new Set(agentSockets)];
        expect(pooled).toHaveLength(3);
        await until(() => pooled.every((s) => closedAt.has(s)), { what: 'every pooled socket to close' });
        const closedEarly = [...closedAt.values()].filter((t) => t < answered.at);
        expect(closedEarly).toHaveLength(slowOn === 'http.Agent' ? 2 : 3);

        // Exits once the last in-flight response is sent, well inside the grace period: the
        // deadline is a third of it, and the grace timer never fired (it logs when it does).
        const exitWithin = { what: 'the process to exit after its last response', timeoutMs: GRACE_MS / 3, detail: server.output };
        expect(await within(server.exited, exitWithin)).toBe(0);
        expect(server.output()).not.toContain('grace period over');
        expect(fake.requests).toHaveLength(1);
      } finally {
        agent.destroy();
        server.kill('SIGKILL');
        await fake.close();
      }
    },
    90_000,
  );
});
