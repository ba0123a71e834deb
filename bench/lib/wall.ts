import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { JSON_HEADERS, gqlBody } from './load';
import { startProcess, type Proc } from './processes';

/**
 * The dashboard-wall scenario's harness: the built-in upstream enforcing a (scaled) Kore.ai rate
 * limit, a recording proxy in front of it that keeps when each call reached it and what it
 * answered, and one timed GraphQL request that reports its latency, its error codes and its
 * freshness. The scenario itself (scenarios/dashboard-wall.ts) decides the workload.
 */

/** The built-in upstream on its own, with Kore.ai's rate limit and a fixed latency. */
export const startLimitedUpstream = (perMinute: number, perHour: number, latencyMs: number): Promise<Proc> =>
  startProcess(
    ['dist/emulator/main.js'],
    {
      EMULATOR_PORT: '0',
      EMULATOR_RATE_PER_MINUTE: String(perMinute),
      EMULATOR_RATE_PER_HOUR: String(perHour),
      EMULATOR_FAULTS: JSON.stringify({ latencyMs }),
    },
    /emulator at (http:\/\/\S+)/,
    (m) => m[1],
  );

/** One call as the upstream saw it: when it arrived (ms, performance.now()) and its status. */
export interface UpstreamCall {
  readonly at: number;
  readonly status: number;
}

export interface RecordingProxy {
  readonly url: string;
  readonly calls: UpstreamCall[];
  close(): Promise<void>;
}

/** Forwards every request to `target` unchanged and records it (the upstream's own count). */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const calls: UpstreamCall[] = [];
  const to = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const server = http.createServer((req, res) => {
    const at = performance.now();
    const out = http.request(
      { host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers, agent },
      (answer) => {
        calls.push({ at, status: answer.statusCode ?? 0 });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => {
      calls.push({ at, status: 502 });
      res.writeHead(502).end();
    });
    req.pipe(out);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The most calls in any window of `windowMs` (a rolling window over the recorded arrivals). */
export function worstWindow(calls: readonly UpstreamCall[], windowMs: number): number {
  const times = calls.map((c) => c.at).sort((a, b) => a - b);
  let worst = 0;
  for (let i = 0, j = 0; j < times.length; j++) {
    while (times[j] - times[i] >= windowMs) i++;
    worst = Math.max(worst, j - i + 1);
  }
  return worst;
}

/** One answer as a viewer got it. */
export interface Answer {
  readonly startedAt: number;
  readonly ms: number;
  /** extensions.code of each error (HTTP failures as `HTTP_<status>`); empty when it answered. */
  readonly codes: readonly string[];
  readonly ageSeconds?: number;
  readonly stale?: boolean;
  /** The largest `extensions.retryAfter` (seconds) among the errors, when any said one. */
  readonly retryAfter?: number;
}

interface TrendBody {
  data?: { engagementTrend?: { freshness?: { ageSeconds: number; stale: boolean } } | null };
  errors?: Array<{ extensions?: { code?: string; retryAfter?: unknown } }>;
}

/** One GraphQL POST, timed; never throws (a failure is an answer with codes). */
export async function timedTrend(url: string, query: string, variables: Record<string, unknown>): Promise<Answer> {
  const startedAt = performance.now();
  try {
    const res = await fetch(url, { method: 'POST', headers: JSON_HEADERS, body: gqlBody(query, variables) });
    const body = (await res.json()) as TrendBody;
    const ms = performance.now() - startedAt;
    const codes = (body.errors ?? []).map((e) => e.extensions?.code ?? 'UNKNOWN');
    if (!res.ok && !codes.length) codes.push(`HTTP_${res.status}`);
    const freshness = body.data?.engagementTrend?.freshness;
    const waits = (body.errors ?? []).flatMap((e) => (typeof e.extensions?.retryAfter === 'number' ? [e.extensions.retryAfter] : []));
    const retryAfter = waits.length ? Math.max(...waits) : undefined;
    return { startedAt, ms, codes, ageSeconds: freshness?.ageSeconds, stale: freshness?.stale, retryAfter };
  } catch (error) {
    return { startedAt, ms: performance.now() - startedAt, codes: [error instanceof Error ? error.name : 'FETCH_FAILED'] };
  }
}

/**
 * Sums of the counters the scenario reports, read from the server's own /metrics: background
 * refreshes by outcome, cache events and budget refusals by reason (Prometheus text, labels kept).
 */
export async function wallMetrics(graphUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(new URL('/metrics', graphUrl))).text();
  const wanted = /^(eg_refresh_total|eg_cache_events_total|eg_budget_refusals_total|eg_budget_waits_total)(?:\{([^}]*)\})? (\S+)$/;
  const sums: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = wanted.exec(line);
    if (!m) continue;
    const label = /(?:outcome|event|reason)="([^"]+)"/.exec(m[2] ?? '')?.[1] ?? '';
    const key = `${m[1].replace(/^eg_|_total$/g, '')}${label ? `.${label}` : ''}`;
    sums[key] = (sums[key] ?? 0) + Number(m[3]);
  }
  return sums;
}

/** A question asked until it is answered, as a well-behaved client does: again after each refusal's retryAfter. */
export interface Persisted {
  /** The first attempt's outcome. */
  readonly first: Answer;
  /** The last attempt's outcome: answered, or the error left when `deadlineMs` ran out. */
  readonly last: Answer;
  readonly attempts: number;
  /** From the first attempt's start to the last attempt's answer. */
  readonly ms: number;
}

/** Asks again after `retryAfter` (at least 1 s) while RATE_LIMITED, until answered or `deadlineMs` passed. */
export async function persistentTrend(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  deadlineMs: number,
): Promise<Persisted> {
  const first = await timedTrend(url, query, variables);
  let last = first;
  let attempts = 1;
  for (;;) {
    if (!last.codes.includes('RATE_LIMITED')) break;
    const waitMs = Math.max(1, last.retryAfter ?? 1) * 1000;
    if (performance.now() + waitMs - first.startedAt > deadlineMs) break;
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    last = await timedTrend(url, query, variables);
    attempts++;
  }
  return { first, last, attempts, ms: last.startedAt + last.ms - first.startedAt };
}
