import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { AuthConfig } from '../../config';
import type { Context } from '../../context';

/**
 * `Cache-Control` on every GraphQL response, from the upstream answers the operation used, so that
 * Apollo Router's response cache (root fields and each `_entities` Bot), Hive Gateway's response
 * cache and a CDN in front of persisted-query GETs keep an answer exactly as long as it holds.
 *
 * - `max-age`: the least remaining freshness of the answers used (`ctx.freshness.until`, stamped by
 *   the resilient client on its clock, or by the operation cache for a replay), in whole seconds
 *   rounded down, so no cache keeps an answer past the moment this server would fetch it again.
 * - `public` only when the API is open (AUTH_MODE=none): every caller gets the same answer.
 *   `private` with AUTH_MODE=jwt, whatever the token grants: which bots an answer may show is the
 *   caller's own, and a shared copy would skip the per-bot check (README, "Caching by routers and
 *   CDNs").
 * - `no-store` when nothing says how long the answer holds: errors (a refusal or an upstream
 *   failure must be asked again), answers served stale (already past their freshness), a budget
 *   read (`upstreamBudget`: true only at this moment, and not made true later by an `Age`), and
 *   operations that used no upstream answer at all (introspection, `__typename`, `_service`: they
 *   change with a deploy, which no max-age can predict). It carries `max-age=0` as well because
 *   Hive Gateway's response cache reads only `max-age`/`s-maxage` from a subgraph and would
 *   otherwise keep the answer for its default TTL.
 *
 * `Vary` names the header a shared cache must key on: the caller token with AUTH_MODE=jwt (for a
 * browser's private cache), else the router secret's header when one is set, so that a shared cache
 * never hands an answer to a request that would have been refused for lacking it.
 */

export const NO_STORE = 'no-store, max-age=0';

export interface CacheFacts {
  /** The response carries errors, or is not a single complete result. */
  readonly failed: boolean;
  /** Some answer in it was served stale. */
  readonly stale: boolean;
  /** It reads something true only now (`upstreamBudget`), which no max-age can keep. */
  readonly momentary?: boolean;
  /** When its first answer stops being fresh (Infinity: it used none). */
  readonly freshUntil: number;
  readonly now: number;
  /** Every caller would get the same answer (AUTH_MODE=none). */
  readonly shared: boolean;
}

/** The `Cache-Control` value for one response (pure: tests and the plugin alike). */
export function cacheControlFor(facts: CacheFacts): string {
  if (facts.failed || facts.stale || facts.momentary || !Number.isFinite(facts.freshUntil)) return NO_STORE;
  const maxAge = Math.max(0, Math.floor((facts.freshUntil - facts.now) / 1000));
  return `${facts.shared ? 'public' : 'private'}, max-age=${maxAge}`;
}

/** The request header a cache must key on under this policy, if any (lower case). */
export function varyOn(auth: Pick<AuthConfig, 'mode' | 'tokenHeader' | 'routerSecret' | 'routerSecretHeader'>): string | undefined {
  if (auth.mode === 'jwt') return auth.tokenHeader.toLowerCase();
  return auth.routerSecret ? auth.routerSecretHeader.toLowerCase() : undefined;
}

/**
 * Reads the body's errors, `ctx.stale` and `ctx.freshness` and writes only HTTP headers, so its
 * place among the willSendResponse hooks does not matter (plugins/index.ts).
 */
export const cacheControlPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, contextValue }) {
        const body = response.body;
        const failed = body.kind !== 'single' || (body.singleResult.errors?.length ?? 0) > 0;
        const auth = contextValue.config.auth;
        const headers = response.http.headers;
        const cacheControl = cacheControlFor({
          failed,
          stale: contextValue.stale.length > 0,
          momentary: contextValue.stats.readsBudget === true,
          freshUntil: contextValue.freshness.until,
          now: contextValue.now(),
          shared: auth.mode === 'none',
        });
        headers.set('cache-control', cacheControl);
        if (cacheControl === NO_STORE) return;
        // What a shared cache must key a kept response on: the media type follows `Accept`
        // (application/json or application/graphql-response+json), and the caller or secret header.
        const vary = ['accept', varyOn(auth)].filter((h): h is string => h !== undefined);
        const current = headers.get('vary');
        headers.set('vary', [current, ...vary].filter(Boolean).join(', '));
      },
    };
  },
};

/** A strong validator for a complete body: any byte of difference is a different representation. */
export const strongEtag = (body: string): string => `"${createHash('sha256').update(body).digest('base64url')}"`;

/**
 * Whether `If-None-Match` names this entity tag (RFC 9110 13.1.2: a list, `*`, weak comparison,
 * so a `W/` prefix a proxy added still matches).
 */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => opaque(tag) === opaque(etag));
}

/** Only a successful GET the response allows storing gets a validator (POSTs are not conditional). */
export const wantsEtag = (method: string | undefined, status: number, cacheControl: string | undefined): boolean =>
  method === 'GET' && status === 200 && cacheControl !== undefined && !cacheControl.includes('no-store');
