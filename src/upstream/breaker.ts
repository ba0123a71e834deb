import { ErrorCode, UpstreamError } from '../errors';

/**
 * A circuit breaker per upstream host. After `threshold` consecutive failures that say "the host
 * is unwell" (5xx, refused, reset, timeout) it opens and fails calls fast with UPSTREAM_UNAVAILABLE
 * (UPSTREAM_TIMEOUT when timeouts opened it) for `cooldownMs`; then one probe is let through: success closes it, failure opens it again.
 * Client errors (4xx, rate limits, bad bodies) neither open nor close it.
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreaker {
  /** Throws UPSTREAM_UNAVAILABLE while open; otherwise lets the call through (one probe when half-open). */
  enter(): void;
  success(): void;
  /** The host failed; `cause` (a timeout, a 5xx, a reset) is what an open circuit then reports. */
  failure(cause?: UpstreamError): void;
  /** The call let through ended without saying anything about the host's health (e.g. a 4xx). */
  abandon(): void;
  state(): BreakerState;
}

export function createCircuitBreaker(threshold: number, cooldownMs: number, now: () => number = Date.now): CircuitBreaker {
  let failures = 0;
  let openedAt: number | undefined;
  let probing = false;
  let cause: UpstreamError | undefined;

  const state = (): BreakerState => (openedAt === undefined ? 'closed' : now() - openedAt >= cooldownMs ? 'half-open' : 'open');

  return {
    state,
    enter() {
      const s = state();
      if (s === 'closed') return;
      if (s === 'half-open' && !probing) {
        probing = true;
        return;
      }
      const retryAfter = Math.max(1, Math.ceil(((openedAt as number) + cooldownMs - now()) / 1000));
      // Names what opened it: timeouts stay UPSTREAM_TIMEOUT, so a slow Kore.ai is not reported as a down one.
      const timedOut = cause?.code === ErrorCode.UPSTREAM_TIMEOUT;
      const what = cause ? cause.message.replace(/\.$/, '') : 'Kore.ai is failing';
      throw new UpstreamError(
        timedOut ? ErrorCode.UPSTREAM_TIMEOUT : ErrorCode.UPSTREAM_UNAVAILABLE,
        `${what}; calls are paused for ${retryAfter} s (circuit open).`,
        undefined,
        { retryAfter, reason: 'circuit-open' },
        { kind: 'circuit-open' },
      );
    },
    success() {
      failures = 0;
      openedAt = undefined;
      probing = false;
    },
    abandon() {
      probing = false;
    },
    failure(error) {
      failures++;
      cause = error ?? cause;
      if (probing || failures >= threshold) openedAt = now();
      probing = false;
    },
  };
}
