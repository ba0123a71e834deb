import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { testNow } from '../helpers/clock';
import { operation, trendCalls, type Stack } from '../helpers/stack';

/**
 * What a client really sent to the API: every request the stack's HTTP server received, seen by an
 * extra 'request' listener (it reads method, URL and headers, never the body, so the API's own
 * handler is untouched), with the status it was answered with.
 */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly params: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  status?: number;
}

export function recordRequests(stack: Stack): SeenRequest[] {
  const seen: SeenRequest[] = [];
  stack.server.httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const entry: SeenRequest = { method: req.method ?? '', path: url.pathname, params: url.searchParams, headers: req.headers };
    seen.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
  });
  return seen;
}

/** The operation every client sends: a summary of one week, whose numbers are all the API computes for it. */
export const SUMMARY = operation('trend-summary');

/** A week ending `weeksAgo` weeks before the stacks' today: each test asks its own, so the first answer costs upstream calls. */
export function weekBefore(weeksAgo: number): { start: string; end: string } {
  const today = todayIn('UTC', testNow());
  return { start: isoDate(today - 7 * weeksAgo - 6), end: isoDate(today - 7 * weeksAgo) };
}

/** Upstream calls the built-in upstream answered while `work` ran. */
export async function upstreamCallsDuring<T>(stack: Stack, work: () => Promise<T>): Promise<{ result: T; calls: number }> {
  const from = stack.emulator!.calls.length;
  const result = await work();
  return { result, calls: trendCalls(stack.emulator!, from).length };
}

/** A client's data without the `__typename` fields Apollo Client's cache adds to every selection. */
export function withoutTypename(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTypename);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== '__typename')
      .map(([key, v]) => [key, withoutTypename(v)]),
  );
}
