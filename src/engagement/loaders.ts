import DataLoader from 'dataloader';
import type { CallTrace, KoreClient } from '../upstream/kore';
import {
  queryKey,
  requestKey,
  upstreamRequest,
  type Granularity,
  type Provenance,
  type ServingPolicy,
  type TrendData,
  type TrendQuery,
  type UpstreamRequest,
} from './model';
import { callFor, type Need } from './plan';

/**
 * Per-request loaders: the fewest upstream calls for what an operation selects.
 *
 * Resolvers ask for a *need* (summary, daily series, hourly buckets) of a question. A batch applies
 * the planner's rule (plan.ts `callFor`: which call answers which need) to the needs it sees, the
 * same rule the cost limit and the operation log's estimate apply to the document. Distinct
 * upstream calls run with bounded concurrency; equal ones are made once per request (`calls`
 * below), even across batches.
 */

export type { Need } from './plan';

export interface TrendLoad {
  readonly query: TrendQuery;
  readonly need: Need;
  /** How an expired answer may be served (`cache:`); undefined: CACHE_POLICY, unless another load of the batch names one. */
  readonly policy?: ServingPolicy;
}

export interface Loaders {
  readonly trend: DataLoader<TrendLoad, TrendData, string>;
  /** Where an answer this request's loads returned came from (undefined for one it did not load). */
  provenance(data: TrendData): Provenance | undefined;
}

export interface LoaderOptions {
  /** Most upstream calls one request has in flight at once. */
  readonly maxConcurrency: number;
  /** Told of every answer served stale (an expired cache entry, because the upstream failed). */
  readonly onStale?: (req: UpstreamRequest, storedAt: number) => void;
  readonly trace?: CallTrace;
}

/** Runs tasks with at most `limit` in flight, in the order given. */
export function createLimiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    active--;
    waiting.shift()?.();
  };
  return (task) =>
    new Promise((resolve, reject) => {
      const run = () => {
        active++;
        task().then(resolve, reject).finally(release);
      };
      if (active < limit) run();
      else waiting.push(run);
    });
}

/**
 * The policy is not part of any key: one question is one fetch per request whatever the policies
 * of the fields asking it. The fields of one trend load in one batch, and there the strictest
 * policy named for a question wins (a load naming none, such as a dashboard field's, follows the
 * others); a later batch re-uses the fetch already made.
 */
const STRICTNESS: Readonly<Record<ServingPolicy, number>> = { 'stale-while-revalidate': 0, wait: 1, 'must-revalidate': 2 };

export function createLoaders(client: KoreClient, options: LoaderOptions): Loaders {
  const limit = createLimiter(options.maxConcurrency);
  const calls = new Map<string, Promise<TrendData>>();
  // Keyed by the answer object: a cached answer is one object, so the first provenance told for it
  // in this request stays (a later load of the same answer under another policy is the same answer).
  const provenances = new WeakMap<TrendData, Provenance>();

  const fetchOnce = (query: TrendQuery, granularity: Granularity, policy: ServingPolicy | undefined): Promise<TrendData> => {
    const req = upstreamRequest(query, granularity);
    const key = requestKey(req);
    let call = calls.get(key);
    if (!call) {
      let told: Provenance | undefined;
      const served = (provenance: Provenance) => void (told = provenance);
      call = limit(() => client.fetchTrend(req, options.trace, { policy, served })).then((data) => {
        if (told && !provenances.has(data)) provenances.set(data, told);
        if (data.stale) options.onStale?.(req, data.stale.storedAt);
        return data;
      });
      calls.set(key, call);
    }
    return call;
  };

  const batch = async (loads: readonly TrendLoad[]): Promise<Array<TrendData | Error>> => {
    const hourlyAsked = new Set(loads.filter((l) => l.need === 'hourly').map((l) => queryKey(l.query)));
    const policies = new Map<string, ServingPolicy>();
    for (const { query, policy } of loads) {
      const key = queryKey(query);
      const named = policies.get(key);
      if (policy && (named === undefined || STRICTNESS[policy] > STRICTNESS[named])) policies.set(key, policy);
    }
    const results = loads.map(({ query, need }) =>
      fetchOnce(query, callFor(need, hourlyAsked.has(queryKey(query))), policies.get(queryKey(query))),
    );
    return Promise.all(results.map((p) => p.catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))))));
  };

  return {
    trend: new DataLoader(batch, { cacheKeyFn: ({ query, need }) => `${need}|${queryKey(query)}` }),
    provenance: (data) => provenances.get(data),
  };
}
