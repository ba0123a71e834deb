import { ErrorCode, UpstreamError } from '../errors';

/**
 * A circuit breaker per upstream host. After `threshold` consecutive failures that say "the host
 * is unwell" (5xx, refused, reset, timeout) it opens and fails calls fast with UPSTREAM_UNAVAILABLE
 * for `cooldownMs`; then one probe is let through: success closes it, failure opens it again.
 * Client errors (4xx, rate limits, bad bodies) neither open nor close it.
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreaker {
  /** Throws UPSTREAM_UNAVAILABLE while open; otherwise lets the call through (one probe when half-open). */
  enter(): void;
  success(): void;
  failure(): void;
  /** The call let through ended without saying anything about the host's health (e.g. a 4xx). */
  abandon(): void;
  state(): BreakerState;
}

export function createCircuitBreaker(threshold: number, cooldownMs: number, now: () => number = Date.now): CircuitBreaker {
  let failures = 0;
  let openedAt: number | undefined;
  let probing = false;

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
      throw new UpstreamError(ErrorCode.UPSTREAM_UNAVAILABLE, 'Kore.ai is failing; calls are paused for a moment (circuit open).', undefined, {
        retryAfter,
        reason: 'circuit-open',
      });
    },
    success() {
      failures = 0;
      openedAt = undefined;
      probing = false;
    },
    abandon() {
      probing = false;
    },
    failure() {
      failures++;
      if (probing || failures >= threshold) openedAt = now();
      probing = false;
    },
  };
}
