import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import type { Emulator, EmulatorOptions } from '../../src/emulator/emulator.server';
import { createLogger } from '../../src/observability/logger';
import type { EngagementServer, ServerDeps } from '../../src/server/server';
import type { ResponseCache } from '../../src/upstream/response-cache';
import { testNow } from './clock';
import { until } from './wait';

/**
 * A real Engagement Graph on a loopback port 0, wired by the production composition root
 * (src/app.ts), in front of either the built-in upstream (started by it, also on port 0) or any
 * URL (a recording fake). Everything it logs is kept in `logs`, so tests can assert what was (and
 * was not) written.
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
  /**
   * The clock of the server, upstream chain and built-in upstream. By default the shared test clock
   * (./clock.ts), except with REDIS_URL: Redis keeps time too (its TTLs, and the budget's replica
   * bookkeeping against Redis's TIME in src/upstream/redis-budget.ts), so a Redis-backed stack keeps
   * the real clock as production does; tests on those ask about ranges that end days before today,
   * valid whichever day it is.
   */
  readonly now?: () => number;
  /** Share a response cache between stacks (replicas, tenants). */
  readonly cache?: ResponseCache;
  readonly readinessChecks?: ServerDeps['readinessChecks'];
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const config = loadConfig({ NODE_ENV: 'test', ...options.env });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const app = await createApp(config, {
    log: createLogger('debug', sink),
    now: options.now ?? (config.redisUrl ? undefined : testNow),
    cache: options.cache,
    upstreamUrl: options.upstreamUrl,
    emulator: options.emulator,
    readinessChecks: options.readinessChecks,
    metrics: { defaultMetrics: false },
  });
  const { server, emulator } = app;
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
    close: () => app.stop(),
  };
}

const operations = new Map<string, string>();

/** The text of test/operations/<name>.graphql (the documents codegen types). */
/** A stack whose one Kore.ai app (`cs-a`) is the upstream at `upstreamUrl` (a recording fake, usually). */
export function startStackBehind(upstreamUrl: string, options: Omit<StackOptions, 'upstreamUrl'> = {}): Promise<Stack> {
  return startStack({
    ...options,
    upstreamUrl,
    env: { KORE_HOST: upstreamUrl, KORE_CLIENT_ID: 'cs-a', KORE_CLIENT_SECRET: 'secret-a', ...options.env },
  });
}

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

/** The fields of an operation's log line that tests read. */
export interface OperationLine {
  readonly requestId: string;
  readonly upstreamCalls: number;
  readonly estimatedCalls?: number;
}

/** The operation log line of one request (sent with `x-request-id`), awaited: it is written just after the response. */
export async function operationLine(stack: Stack, requestId: string): Promise<OperationLine> {
  const find = (): OperationLine | undefined => {
    for (const text of stack.logs) {
      for (const line of text.split('\n')) {
        if (!line.includes(requestId)) continue;
        const parsed = JSON.parse(line) as OperationLine & { msg?: string };
        if (parsed.msg === 'graphql operation' && parsed.requestId === requestId) return parsed;
      }
    }
    return undefined;
  };
  await until(() => find() !== undefined, { what: `the operation log line of ${requestId}`, intervalMs: 5 });
  return find() as OperationLine;
}
