import { ErrorCode, UpstreamError } from '../errors';

/**
 * Which upstream failures the resilience chain acts on, in one place: what counts against the
 * host (the circuit breaker), what is retried, and after which an older answer beats no answer.
 */

/**
 * Decisions read the error's typed origin, never its client-facing extensions: only a call Kore.ai
 * failed says anything about the host (an open circuit or our own budget made no call).
 */
export function isHostFailure(e: UpstreamError): boolean {
  return e.origin.kind === 'kore' && (e.code === ErrorCode.UPSTREAM_UNAVAILABLE || e.code === ErrorCode.UPSTREAM_TIMEOUT);
}

export function isRetryable(e: UpstreamError): boolean {
  return isHostFailure(e) || (e.origin.kind === 'kore' && e.code === ErrorCode.RATE_LIMITED);
}

/** Failures after which an older answer beats no answer (not: our credentials or the request being refused). */
const STALE_OK = new Set<string>([
  ErrorCode.RATE_LIMITED,
  ErrorCode.UPSTREAM_UNAVAILABLE,
  ErrorCode.UPSTREAM_TIMEOUT,
  ErrorCode.UPSTREAM_BAD_RESPONSE,
]);
export function allowsStale(e: unknown): boolean {
  return e instanceof UpstreamError && STALE_OK.has(e.code);
}
