import type { EmulatorRequest } from './request';

/**
 * The call record: every request to a trend path (and any other path) as the upstream saw it,
 * appended on arrival, so tests can count upstream calls and read what was asked.
 */
export interface RecordedCall {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly version: 'v1' | 'v2' | null;
  readonly botId: string | null;
  readonly query: Readonly<Record<string, string>>;
  /** The status answered; 0 for a connection reset without an answer. */
  readonly status: number;
}

export function recordCall(calls: RecordedCall[], request: EmulatorRequest, at: number, status: number, botId: string | null): void {
  const { method, path, params, trend } = request;
  calls.push({ at, method, path, version: trend?.version ?? null, botId, query: params, status });
}
