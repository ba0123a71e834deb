import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import type { FormattedExecutionResult } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Context } from './context';
import type { Principal } from './security/auth';

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
 * What an entry costs in heap, as an upper estimate. Entries are compact copies (see below), which
 * measured ~1.6 × their JSON length; keys are one-byte strings; 200 covers the LRU's bookkeeping.
 */
const entrySize = (key: string, json: string) => 200 + key.length + 2 * json.length;

export function operationCachePlugin(maxBytes: number, now: () => number): ApolloServerPlugin<Context> {
  const lru = new LRUCache<string, { result: FormattedExecutionResult; until: number; size: number }>({
    maxSize: maxBytes,
    sizeCalculation: (e) => e.size,
  });
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
          return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: hit.result } };
        },
        async willSendResponse({ response, contextValue }) {
          if (!key || contextValue.stats.responseCached || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          const until = contextValue.freshness.until;
          if (result.errors?.length || contextValue.stale.length || !Number.isFinite(until) || until <= now()) return;
          // Kept as a compact copy: graphql-js builds results as prototype-less objects whose
          // properties live out of line (a 7-day trend measured ~5.7 KB that way, ~1.4 KB copied
          // through JSON). Responses here are JSON by nature (the Date scalar serializes to a string).
          const json = JSON.stringify(result);
          const size = entrySize(key, json);
          if (size <= maxBytes / 10) lru.set(key, { result: JSON.parse(json) as FormattedExecutionResult, until, size }, { ttl: Math.max(1, until - now()) });
        },
      };
    },
  };
}
