import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import type { FormattedExecutionResult } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Context } from '../../context';
import type { Principal } from '../../security/auth';

/**
 * Whole-operation answers, for dashboards that repeat the same query: a response is kept while
 * every upstream answer it was built from is still fresh, and served again without executing.
 *
 * Only complete successes are kept (no errors, nothing served stale, at least one upstream answer
 * used), keyed by the caller's readable bots, the document, operation name and variables, so a
 * caller never gets an answer built for a different set of permissions. Authentication, limits
 * and the cost check still run for every request (they run before this hook). Off with
 * CACHE_MAX_BYTES=0, like the upstream answer cache it sits on.
 */

const principalKey = (p: Principal) => (p.bots === '*' ? '*' : [...p.bots].sort().join(','));

/**
 * What an entry costs in heap (bytes kept after a full collection): the compact copy of the result
 * (see below), its one-byte key and the LRU's bookkeeping. Measured, not guessed:
 * test/helpers/heap-probe.ts fills this store in a child process run with --expose-gc with real
 * responses (summaries, daily series of 30 and 90 days, hourly answers of 31 days), reads the heap
 * before and after, and divides by the entry count. Heap per JSON character differs by shape (an
 * hourly bucket's long property names cost nothing once parsed), so the size is a fixed cost per
 * object plus a cost per character, fitted to those points and rounded up so that every measured
 * entry is over-estimated. BENCHMARKS.md has the numbers.
 */
export function operationEntrySize(keyLength: number, json: string): number {
  let objects = 0;
  for (let i = 0; i < json.length; i++) if (json.charCodeAt(i) === 123 /* { */) objects++;
  return OPERATION_BASE + keyLength + OPERATION_PER_OBJECT * objects + Math.ceil(OPERATION_PER_CHAR * json.length);
}
const OPERATION_BASE = 600;
const OPERATION_PER_OBJECT = 30;
const OPERATION_PER_CHAR = 0.65;

interface OperationEntry {
  readonly result: FormattedExecutionResult;
  readonly until: number;
  readonly size: number;
  /** Tell the background refresher the answers behind this result were asked again (context.ts `served`). */
  readonly again: ReadonlyArray<() => void>;
}

/** Heap a kept `again` function holds (a closure over the request it reports), rounded up. */
const AGAIN_BYTES = 400;

/** The LRU behind the plugin, on its own so that tests and the heap probe can fill it directly. */
export function createOperationStore(maxBytes: number) {
  const lru = new LRUCache<string, OperationEntry>({ maxSize: maxBytes, sizeCalculation: (e) => e.size });
  return {
    get: (key: string) => lru.get(key),
    /** Keeps a compact copy of `result` (given as its JSON) until `until`; an entry over a tenth of the bound is not kept. */
    set(key: string, json: string, until: number, ttlMs: number, again: ReadonlyArray<() => void> = []) {
      const size = operationEntrySize(key.length, json) + AGAIN_BYTES * again.length;
      if (size <= maxBytes / 10)
        lru.set(key, { result: JSON.parse(json) as FormattedExecutionResult, until, size, again }, { ttl: Math.max(1, ttlMs) });
    },
    stats: () => ({ entries: lru.size, bytes: lru.calculatedSize }),
  };
}

export function operationCachePlugin(maxBytes: number, now: () => number): ApolloServerPlugin<Context> {
  const lru = createOperationStore(maxBytes);
  return {
    async requestDidStart() {
      let key: string | undefined;
      return {
        async responseForOperation({ operation, queryHash, request, contextValue }) {
          // Apollo's type says `operation` is set; it is not when operationName names no operation in the document.
          if (operation?.operation !== 'query') return null;
          let variables: string;
          try {
            variables = JSON.stringify(request.variables ?? {});
          } catch {
            // Nested deeper than JSON.stringify's stack allows (MAX_JSON_DEPTH keeps such bodies out
            // before Apollo): the operation just runs uncached instead of failing.
            return null;
          }
          // The document by Apollo's hash of its source (computed anyway): keys stay short.
          key = `${principalKey(contextValue.principal)}\n${request.operationName ?? ''}\n${variables}\n${queryHash}`;
          const hit = lru.get(key);
          if (!hit || hit.until <= now()) return null;
          contextValue.stats.responseCached = true;
          contextValue.trace.fresh(hit.until); // a replay holds as long as the answers it was built from (cache-control.ts)
          for (const again of hit.again) again(); // the questions behind it were asked again (background refresh)
          // A fresh top level for every replay: Apollo hands this object to every willSendResponse
          // hook, and hooks add to it (Apollo's inline trace writes `extensions.ftv1`, and fails
          // on a body that already has one). The stored result itself has no `extensions` (it is
          // stored before any hook adds them; see plugins/index.ts), so a shallow copy suffices.
          return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { ...hit.result } } };
        },
        async willSendResponse({ response, contextValue }) {
          if (!key || contextValue.stats.responseCached || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          const until = contextValue.freshness.until;
          if (result.errors?.length || contextValue.stale.length || !Number.isFinite(until) || until <= now()) return;
          // `freshness` reports ages and sources as of this execution, `upstreamBudget` the budget at
          // this moment: a replay would repeat them unchanged.
          if (contextValue.stats.reportsAge || contextValue.stats.readsBudget) return;
          // Kept as a compact copy: graphql-js builds results as prototype-less objects whose
          // properties live out of line, several times the heap of the same result copied through
          // JSON (BENCHMARKS.md). Responses here are JSON by nature (the Date scalar serializes to a string).
          lru.set(key, JSON.stringify(result), until, until - now(), [...contextValue.served]);
        },
      };
    },
  };
}
