import DataLoader from 'dataloader';
import type { CallTrace, KoreClient } from '../upstream/kore';
import { queryKey, requestKey, upstreamRequest, type Granularity, type TrendData, type TrendQuery, type UpstreamRequest } from './model';
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
}

export interface Loaders {
  readonly trend: DataLoader<TrendLoad, TrendData, string>;
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

export function createLoaders(client: KoreClient, options: LoaderOptions): Loaders {
  const limit = createLimiter(options.maxConcurrency);
  const calls = new Map<string, Promise<TrendData>>();

  const fetchOnce = (query: TrendQuery, granularity: Granularity): Promise<TrendData> => {
    const req = upstreamRequest(query, granularity);
    const key = requestKey(req);
    let call = calls.get(key);
    if (!call) {
      call = limit(() => client.fetchTrend(req, options.trace)).then((data) => {
        if (data.stale) options.onStale?.(req, data.stale.storedAt);
        return data;
      });
      calls.set(key, call);
    }
    return call;
  };

  const batch = async (loads: readonly TrendLoad[]): Promise<Array<TrendData | Error>> => {
    const hourlyAsked = new Set(loads.filter((l) => l.need === 'hourly').map((l) => queryKey(l.query)));
    const results = loads.map(({ query, need }) => fetchOnce(query, callFor(need, hourlyAsked.has(queryKey(query)))));
    return Promise.all(results.map((p) => p.catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))))));
  };

  return {
    trend: new DataLoader(batch, { cacheKeyFn: ({ query, need }) => `${need}|${queryKey(query)}` }),
  };
}
