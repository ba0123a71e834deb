import type { ServingPolicy, UpstreamRequest } from '../engagement/model';
import type { BotBudget } from './budget';
import type { CircuitBreaker } from './breaker';
import type { KoreClient } from './kore';
import type { FlightCoordinator } from './redis-flights';
import type { ResponseCache } from './response-cache';

/** What the resilient client (resilient-client.ts) is built from, and what it offers besides fetching. */

export interface ResilienceOptions {
  /** Who is asking upstream (host + client id): part of every cache key. */
  readonly credentialId: string;
  readonly budget: BotBudget;
  readonly breaker: CircuitBreaker;
  readonly cache: ResponseCache;
  /** Cross-replica single flight (Redis); in-process flights are always on. */
  readonly flights?: FlightCoordinator;
  readonly retry: { readonly maxAttempts: number; readonly baseDelayMs: number; readonly maxTotalMs: number };
  readonly ttl: { readonly settledMs: number; readonly recentMs: number; readonly staleKeepMs: number };
  /** The policy of a fetch that names none (CACHE_POLICY, whose own default is stale-while-revalidate); `wait` when unset here. */
  readonly policy?: ServingPolicy;
  readonly now?: () => number;
  readonly random?: () => number;
  /** Told what happened, for metrics (`refresh`: the fate of a refresh behind a stale answer). */
  readonly events?: {
    retry(): void;
    cache(event: 'hit' | 'miss' | 'stale'): void;
    flightJoin(): void;
    refresh?(outcome: 'ran' | 'skipped_budget' | 'failed'): void;
  };
  /** Told of every answer served fresh (cached or just fetched): the background refresher's input. */
  readonly onServed?: (req: UpstreamRequest, key: string, freshUntil: number, periodMs: number) => void;
  /** Most of a bot's minute budget refreshes may hold (REFRESH_MAX_SHARE). */
  readonly refreshShare?: number;
  /** A background refresh claims a question's answer once across replicas (Redis); absent: one process. */
  readonly refreshLock?: { claim(name: string, ms: number): Promise<boolean>; release(name: string): Promise<void> };
}

/** What a background refresh did: `current` means a newer answer was already stored (another replica). */
export type RefreshResult =
  { readonly outcome: 'ran' | 'current'; readonly freshUntil: number } | { readonly outcome: 'skipped_budget' | 'failed' };

/** The resilient client, and the background refresh of one question (refresher.ts drives it). */
export interface ResilientClient extends KoreClient {
  refresh(req: UpstreamRequest, dueBefore: number): Promise<RefreshResult>;
}
