import autocannon from 'autocannon';
import { SECONDS } from './settings';

/** Load generation (autocannon) and single GraphQL requests. */

export const JSON_HEADERS = { 'content-type': 'application/json' };
export const gqlBody = (query: string, variables: Record<string, unknown> = {}): string => JSON.stringify({ query, variables });

/**
 * One autocannon run: for `amount` requests if given, else for `duration` (default BENCH_SECONDS).
 * Any non-2xx answer or error fails the run: a benchmark of failures measures nothing.
 */
export async function load(options: autocannon.Options, latencies?: number[]): Promise<autocannon.Result> {
  const { duration, ...rest } = options;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon((options.amount ? rest : { ...rest, duration: duration ?? SECONDS }) as autocannon.Options, (error, r) =>
      error ? reject(error) : resolve(r),
    );
    // autocannon's own histogram keeps whole milliseconds; the overhead target is sub-millisecond,
    // so that scenario collects each response's exact time (ms, from hrtime) as it arrives.
    if (latencies) instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  });
  if (result.non2xx || result.errors) throw new Error(`${options.url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result;
}

/** One GraphQL POST; GraphQL errors fail it. */
export async function post<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: JSON_HEADERS, body: gqlBody(query, variables) });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data as T;
}
