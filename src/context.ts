import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Span } from '@opentelemetry/api';
import type { Config } from './config';
import { isoDate } from './time/calendar';
import { createLoaders, type Loaders } from './engagement/loaders';
import type { UpstreamRequest } from './engagement/model';
import type { Logger } from './observability/logger';
import type { KoreClient } from './upstream/kore';
import type { Principal } from './security/auth';
import type { BudgetUsage } from './upstream/budget-usage';

/** Everything a resolver may use, built fresh for each request: nothing per-caller outlives it. */
export interface Context {
  readonly requestId: string;
  /** The caller (AUTH_MODE=jwt) and the bots they may read; everyone and `*` with AUTH_MODE=none. */
  readonly principal: Principal;
  readonly config: Config;
  readonly loaders: Loaders;
  readonly log: Logger;
  readonly now: () => number;
  /**
   * When the request arrived, read once: every "today" of this request (range checks, presets) is
   * judged at this one moment, so the planner (before execution) and the resolvers (during it)
   * cannot disagree about the day when a request runs across midnight.
   */
  readonly receivedAt: number;
  /** Answers this request served stale; reported in `extensions.engagementGraph`. */
  readonly stale: StaleAnswer[];
  /** Counted for the operation's log line. */
  readonly stats: {
    upstreamCalls: number;
    cacheHits: number;
    estimatedCalls?: number;
    responseCached?: boolean;
    /** It selected `freshness`: ages as of this execution, never replayed (operation cache). */
    reportsAge?: boolean;
    /** It read a budget (`upstreamBudget`): true only now, never replayed nor stored by HTTP caches. */
    readsBudget?: boolean;
  };
  /** Earliest time an upstream answer used by this request stops being fresh (Infinity: none used). */
  readonly freshness: { until: number };
  /** Passed to every upstream call of this request; the tracing plugin sets its span. */
  readonly trace: {
    upstreamCall(): void;
    cacheHit(): void;
    fresh(until: number): void;
    served(again: () => void): void;
    readonly caller?: string;
    span?: Span;
  };
  /** One function per answer served fresh, telling the background refresher again (see CallTrace.served). */
  readonly served: Array<() => void>;
  /** The bot's upstream budget as it decides now (Bot.upstreamBudget); absent: not readable. */
  readonly budgetUsage?: BudgetUsageReader;
}

export type BudgetUsageReader = (botId: string, caller?: string) => Promise<BudgetUsage>;

export interface StaleAnswer {
  readonly botId: string;
  readonly granularity: string;
  readonly start: string;
  readonly end: string;
  readonly ageSeconds: number;
}

export interface ContextDeps {
  readonly config: Config;
  readonly client: KoreClient;
  readonly log: Logger;
  readonly now: () => number;
  readonly budgetUsage?: BudgetUsageReader;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** An incoming `x-request-id` is kept when it is sane, so logs line up across the router and us. */
export function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** What every log line of a request carries: its id, and the caller's `sub` when there is one. */
export function requestBindings(requestId: string, principal: Principal): { requestId: string; caller?: string } {
  return principal.subject === undefined ? { requestId } : { requestId, caller: principal.subject };
}

export function createContext(deps: ContextDeps, requestId: string, principal: Principal): Context {
  const stale: StaleAnswer[] = [];
  const stats: Context['stats'] = { upstreamCalls: 0, cacheHits: 0 };
  const freshness = { until: Infinity };
  const served: Array<() => void> = [];
  const trace: Context['trace'] = {
    upstreamCall: () => void stats.upstreamCalls++,
    cacheHit: () => void stats.cacheHits++,
    fresh: (until) => void (freshness.until = Math.min(freshness.until, until)),
    served: (again) => void served.push(again),
    caller: principal.subject,
  };
  const onStale = (req: UpstreamRequest, storedAt: number) =>
    stale.push({
      botId: req.botId,
      granularity: req.granularity,
      start: isoDate(req.startDay),
      end: isoDate(req.endDay),
      ageSeconds: Math.max(0, Math.round((deps.now() - storedAt) / 1000)),
    });
  const own = {
    requestId,
    principal,
    config: deps.config,
    loaders: createLoaders(deps.client, { maxConcurrency: deps.config.upstreamConcurrency, onStale, trace }),
    makeLog: () => deps.log.child(requestBindings(requestId, principal)),
    now: deps.now,
    receivedAt: deps.now(),
    stale,
    stats,
    freshness,
    served,
    trace,
    budgetUsage: deps.budgetUsage,
  };
  return Object.assign(Object.create(LAZY_LOG) as typeof LAZY_LOG, own);
}

/**
 * `log` is made on first use (most requests log only their operation line, through the root
 * logger), and the getter lives on the prototype: Apollo copies the context for each operation
 * with Object.assign, which keeps the prototype but calls every own getter, so an own getter
 * built a child logger for every request.
 */
const LAZY_LOG = {
  get log(): Logger {
    const self = this as unknown as { makeLog: () => Logger; madeLog?: Logger };
    return (self.madeLog ??= self.makeLog());
  },
};
