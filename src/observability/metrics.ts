import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BreakerState } from '../upstream/breaker';

/**
 * Prometheus metrics (GET /metrics), one registry per server so that several servers in one
 * process never share counters. Label values are bounded: operation names are clients' words, so
 * only the first MAX_OPERATION_NAMES well-formed names get their own series; bot ids appear only
 * with METRICS_BOT_LABELS=true.
 */

const MAX_OPERATION_NAMES = 200;
const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface Metrics {
  readonly registry: Registry;
  operation(name: string | null | undefined, outcome: 'ok' | 'error' | 'partial', seconds: number): void;
  field(name: string, seconds: number): void;
  upstreamCall(version: string, granularity: string, status: string, seconds: number): void;
  retry(): void;
  /**
   * Upstream answer cache hit/miss/stale, or a whole operation answered from the operation cache;
   * refreshed_hit = a hit on an answer the background refresh fetched (a viewer who did not wait).
   */
  cache(event: 'hit' | 'miss' | 'stale' | 'operation_hit' | 'refreshed_hit'): void;
  /**
   * A refresh's fate, the background refresher's and the one behind a stale-while-revalidate answer
   * alike: ran, skipped for budget (no spare slot), dropped as idle (background only), or failed.
   */
  refresh(outcome: 'ran' | 'skipped_budget' | 'skipped_idle' | 'failed'): void;
  flightJoin(): void;
  budgetWait(botId: string, seconds: number): void;
  budgetRefusal(botId: string, reason: string): void;
  watchBreaker(state: () => BreakerState): void;
  /** A request or field refused by a security check: `unauthenticated:<reason>`, `forbidden`, `limit:<limit>`, `cost`. */
  refusal(kind: string): void;
}

/**
 * Bookkeeping nobody waits for (metrics, the operation's log line), measured where it happens and
 * recorded once the work in hand is done: willSendResponse and an upstream call's completion run
 * before the response is written, and setImmediate runs after the current I/O callbacks, the
 * write among them. Recorded values are the same; the caller just does not wait for prom-client or pino.
 */
export const recordLater = (record: () => void): void => void setImmediate(record);

export function createMetrics(options: { botLabels: boolean; defaultMetrics?: boolean }): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'eg_' });
  const operations = new Counter({
    name: 'eg_graphql_operations_total',
    help: 'GraphQL operations by name and outcome',
    labelNames: ['operation', 'outcome'],
    registers: [registry],
  });
  const operationSeconds = new Histogram({
    name: 'eg_graphql_operation_duration_seconds',
    help: 'GraphQL operation latency',
    labelNames: ['operation'],
    buckets: SECONDS,
    registers: [registry],
  });
  const fieldSeconds = new Histogram({
    name: 'eg_graphql_field_duration_seconds',
    help: 'Latency of top-level and entity fields (engagementTrend, bot, _entities)',
    labelNames: ['field'],
    buckets: SECONDS,
    registers: [registry],
  });
  const upstreamCalls = new Counter({
    name: 'eg_upstream_calls_total',
    help: 'HTTP requests sent to Kore.ai, by API version, granularity and status (or error code)',
    labelNames: ['version', 'granularity', 'status'],
    registers: [registry],
  });
  const upstreamSeconds = new Histogram({
    name: 'eg_upstream_duration_seconds',
    help: 'Kore.ai call latency',
    labelNames: ['version', 'granularity'],
    buckets: SECONDS,
    registers: [registry],
  });
  const retries = new Counter({ name: 'eg_upstream_retries_total', help: 'Upstream calls retried', registers: [registry] });
  const cacheEvents = new Counter({
    name: 'eg_cache_events_total',
    help: 'Upstream answer cache hits, misses and stale serves; operation_hit = a whole operation served from the operation cache',
    labelNames: ['event'],
    registers: [registry],
  });
  const refreshes = new Counter({
    name: 'eg_refresh_total',
    help: 'Refreshes from spare budget, in the background and behind stale-while-revalidate answers: ran, skipped_budget (no spare slot), skipped_idle (background only: nobody asked during the last freshness), failed',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const joins = new Counter({
    name: 'eg_singleflight_joins_total',
    help: 'Askers that joined a call already in flight instead of calling',
    registers: [registry],
  });
  const botLabel = options.botLabels ? ['bot'] : [];
  const budgetWaits = new Counter({
    name: 'eg_budget_waits_total',
    help: 'Calls that queued for the per-bot budget',
    labelNames: botLabel,
    registers: [registry],
  });
  const budgetWaitSeconds = new Counter({
    name: 'eg_budget_wait_seconds_total',
    help: 'Time spent queued for the per-bot budget',
    labelNames: botLabel,
    registers: [registry],
  });
  const budgetRefusals = new Counter({
    name: 'eg_budget_refusals_total',
    help: "Calls refused by the per-bot budget (RATE_LIMITED without calling); reason: bot-budget (the bot's whole budget) or caller-share (the caller's part of it)",
    labelNames: [...botLabel, 'reason'],
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'eg_refusals_total',
    help: 'Requests and fields refused by authentication, authorization and operation limits',
    labelNames: ['kind'],
    registers: [registry],
  });
  const breakers: Array<() => BreakerState> = [];
  new Gauge({
    name: 'eg_circuit_open',
    help: 'Upstream circuit breaker: 0 closed, 1 open, 0.5 half-open',
    registers: [registry],
    collect() {
      const states = breakers.map((s) => s());
      this.set(states.includes('open') ? 1 : states.includes('half-open') ? 0.5 : 0);
    },
  });

  const names = new Set<string>();
  const operationLabel = (name: string | null | undefined): string => {
    if (!name) return 'anonymous';
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) return 'invalid';
    if (names.has(name)) return name;
    if (names.size >= MAX_OPERATION_NAMES) return 'other';
    names.add(name);
    return name;
  };
  const bot = (botId: string) => (options.botLabels ? { bot: botId } : {});

  return {
    registry,
    operation(name, outcome, seconds) {
      const operation = operationLabel(name);
      operations.inc({ operation, outcome });
      operationSeconds.observe({ operation }, seconds);
    },
    field: (name, seconds) => fieldSeconds.observe({ field: name }, seconds),
    upstreamCall(version, granularity, status, seconds) {
      upstreamCalls.inc({ version, granularity, status });
      upstreamSeconds.observe({ version, granularity }, seconds);
    },
    retry: () => retries.inc(),
    cache: (event) => cacheEvents.inc({ event }),
    refresh: (outcome) => refreshes.inc({ outcome }),
    flightJoin: () => joins.inc(),
    budgetWait(botId, seconds) {
      budgetWaits.inc(bot(botId));
      budgetWaitSeconds.inc(bot(botId), seconds);
    },
    budgetRefusal: (botId, reason) => budgetRefusals.inc({ ...bot(botId), reason }),
    watchBreaker: (state) => void breakers.push(state),
    refusal: (kind) => refusals.inc({ kind }),
  };
}
