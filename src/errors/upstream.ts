import { EngagementError } from './classes';
import type { UpstreamErrorCode } from './codes';

/** Why our budget refused a call: the bot's whole budget, or the asking caller's share of it. */
export type BudgetRefusal = 'bot-budget' | 'caller-share';

/**
 * Where an upstream failure comes from, for the decisions taken on it inside this API: retry, the
 * circuit breaker, budget fairness between callers, metrics. Set where the error is made and never
 * sent. `extensions` tell clients the same in their own words; no decision reads them, so what a
 * client sees can change (or be forged by a test double) without changing what this API does.
 * - `kore`: a call was made and Kore.ai failed it (an error answer, a timeout, no connection).
 * - `circuit-open`: the breaker refused the call; none was made.
 * - `budget`: our per-bot budget refused the call; none was made.
 * - `shared-state`: Redis (the shared budget and flights) was unreachable; none was made.
 */
export type UpstreamOrigin =
  | { readonly kind: 'kore' }
  | { readonly kind: 'circuit-open' }
  | { readonly kind: 'budget'; readonly refusal: BudgetRefusal }
  | { readonly kind: 'shared-state' };

const FROM_KORE: UpstreamOrigin = { kind: 'kore' };

/**
 * A failed upstream call, already mapped (see upstream/kore/errors.ts). The message is ours, never the
 * upstream's; `status` is kept for logs only and is not sent. `origin` is a private field behind a
 * getter: not an own enumerable property, so neither GraphQLError's toJSON (message, locations,
 * path, extensions) nor a logger's serializer ever carries it.
 */
export class UpstreamError extends EngagementError {
  declare readonly code: UpstreamErrorCode;
  readonly #origin: UpstreamOrigin;
  readonly #retryAfter: number | undefined;

  constructor(
    code: UpstreamErrorCode,
    message: string,
    readonly status: number | undefined,
    extensions: Record<string, unknown> = {},
    origin: UpstreamOrigin = FROM_KORE,
  ) {
    super(code, message, extensions);
    this.name = 'UpstreamError';
    this.#origin = origin;
    // Taken once from what the maker passed (Kore's Retry-After, our budget's or breaker's wait),
    // so that the retry delay reads a number, not whatever the extensions hold later.
    this.#retryAfter = typeof extensions.retryAfter === 'number' ? extensions.retryAfter : undefined;
  }

  get origin(): UpstreamOrigin {
    return this.#origin;
  }

  /** Seconds to wait before asking again, when whoever refused said so (also sent as `extensions.retryAfter`). */
  get retryAfter(): number | undefined {
    return this.#retryAfter;
  }
}

/** An UpstreamError as the Redis failure memory keeps it for other replicas: the typed origin travels with it. */
export interface StoredUpstreamError {
  readonly code: UpstreamErrorCode;
  readonly message: string;
  /** The client-facing extensions without `code`. */
  readonly extensions: Record<string, unknown>;
  readonly origin: UpstreamOrigin;
}

export function storedUpstreamError(error: UpstreamError): StoredUpstreamError {
  const extensions: Record<string, unknown> = { ...error.extensions };
  delete extensions.code; // stored once, as the error's own code
  return { code: error.code, message: error.message, extensions, origin: error.origin };
}

/**
 * The same error again on another replica, typed fields included. An entry without a readable
 * origin (written by an older version) counts as Kore's: the extensions are never consulted.
 */
export function revivedUpstreamError(stored: StoredUpstreamError): UpstreamError {
  return new UpstreamError(stored.code, stored.message, undefined, stored.extensions, originFrom(stored.origin));
}

function originFrom(value: unknown): UpstreamOrigin {
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (kind === 'circuit-open' || kind === 'shared-state') return { kind };
  if (kind === 'budget') {
    const refusal = (value as { refusal?: unknown }).refusal;
    return { kind, refusal: refusal === 'caller-share' ? 'caller-share' : 'bot-budget' };
  }
  return FROM_KORE;
}
