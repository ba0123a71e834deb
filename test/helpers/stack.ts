import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, loadConfig, type Config } from '../../src/config';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/emulator.server';
import { DEMO_BOTS } from '../../src/emulator/world';
import { createLogger } from '../../src/logger';
import { createMetrics } from '../../src/metrics';
import { createTracing } from '../../src/tracing';
import { createServer, type EngagementServer, type ServerDeps } from '../../src/server';
import { createUpstream } from '../../src/upstream';
import { connectRedis } from '../../src/upstream/redis';
import type { ResponseCache } from '../../src/upstream/response-cache';

/**
 * A real Engagement Graph on a loopback port 0, in front of either the built-in upstream
 * (started here, also on port 0) or any URL (a recording fake). Everything it logs is kept in
 * `logs`, so tests can assert what was (and was not) written.
 */

export interface GraphQLResult<T> {
  data?: T | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
  extensions?: Record<string, unknown>;
}

export interface Stack {
  readonly url: string;
  readonly config: Config;
  readonly server: EngagementServer;
  readonly emulator: Emulator | undefined;
  readonly logs: string[];
  gql<T = Record<string, unknown>, V = Record<string, unknown>>(
    query: string,
    variables?: V,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: Headers; body: GraphQLResult<T> }>;
  close(): Promise<void>;
}

export interface StackOptions {
  readonly env?: Record<string, string>;
  /** Point at this upstream instead of starting the built-in one (credentials from env or the demo ones). */
  readonly upstreamUrl?: string;
  readonly emulator?: Partial<EmulatorOptions>;
  readonly now?: () => number;
  /** Share a response cache between stacks (replicas, tenants). */
  readonly cache?: ResponseCache;
  readonly readinessChecks?: ServerDeps['readinessChecks'];
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  let emulator: Emulator | undefined;
  let host = options.upstreamUrl;
  if (!host) {
    emulator = await startEmulator({
      apps: [{ clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET, bots: '*' }],
      now: options.now,
      ...options.emulator,
    });
    host = emulator.url;
  }
  const config = loadConfig({ NODE_ENV: 'test', ...options.env });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const log = createLogger('debug', sink);
  const redis = config.redisUrl ? connectRedis(config.redisUrl, { commandTimeoutMs: config.redisCommandTimeoutMs }) : undefined;
  redis?.on('error', (error: Error) => log.warn({ err: { message: error.message } }, 'redis error')); // as index.ts does
  const metrics = createMetrics({ botLabels: config.metricsBotLabels, defaultMetrics: false });
  const tracing = createTracing(config.otlpTracesEndpoint, config.serviceName);
  const client = createUpstream(config, { builtinHost: host, now: options.now, cache: options.cache, redis, metrics, tracer: tracing.tracer }, log.child({ component: 'upstream' }));
  const explorerBots = emulator ? DEMO_BOTS.map((b) => ({ id: b.id, name: b.name })) : [];
  const server = await createServer({ config, client, log, now: options.now, readinessChecks: options.readinessChecks, metrics, tracer: tracing.tracer, explorerBots });
  await new Promise<void>((resolve) => server.httpServer.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.httpServer.address() as AddressInfo).port}`;

  return {
    url,
    config,
    server,
    emulator,
    logs,
    async gql(query, variables, headers = {}) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, headers: res.headers, body: (await res.json()) as never };
    },
    async close() {
      await server.stop();
      client.close();
      await redis?.quit();
      await tracing.shutdown();
      await emulator?.close();
    },
  };
}

const operations = new Map<string, string>();

/** The text of test/operations/<name>.graphql (the documents codegen types). */
export function operation(name: string): string {
  let text = operations.get(name);
  if (!text) operations.set(name, (text = readFileSync(join(__dirname, '..', 'operations', `${name}.graphql`), 'utf8')));
  return text;
}

/** Calls the built-in upstream answered to, by endpoint, since `from` (an index into emulator.calls). */
export function trendCalls(emulator: Emulator, from = 0) {
  return emulator.calls.slice(from).filter((c) => c.path.endsWith('userEngagementTrend'));
}

export const codes = (body: GraphQLResult<unknown>) => (body.errors ?? []).map((e) => e.extensions?.code);
