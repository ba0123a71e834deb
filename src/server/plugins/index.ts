import type { ApolloServerPlugin } from '@apollo/server';
import type { Tracer } from '@opentelemetry/api';
import { cacheShares, type Config } from '../../config';
import type { Context } from '../../context';
import type { Logger } from '../../observability/logger';
import type { Metrics } from '../../observability/metrics';
import { cacheControlPlugin } from './cache-control';
import { costLimitPlugin } from './cost-limit';
import { cacheControlDisabled, inlineTrace, landingPage } from './landing-page';
import { metricsPlugin } from './metrics';
import { operationCachePlugin } from './operation-cache';
import { operationLog } from './operation-log';
import { requestIdOnErrors } from './request-id';
import { staleExtension } from './stale-extension';
import { tracingPlugin } from './tracing';

export interface PluginDeps {
  readonly config: Pick<Config, 'limits' | 'resilience' | 'landingPage' | 'inlineTracing'>;
  readonly log: Logger;
  /** The operation cache's clock (freshness of what it stores). */
  readonly now: () => number;
  readonly metrics?: Metrics;
  readonly tracer?: Tracer;
}

/**
 * Every Apollo plugin of the server, in the one order they run in.
 *
 * Apollo calls each hook of every plugin in this list's order. Hooks of one kind are started in
 * order and awaited together (Promise.all), so the order is also the order of effects only because
 * every hook here reads and writes before its first await: keep it so.
 *
 * By phase (the phases themselves are ordered by Apollo, not by this list):
 * - didEncounterErrors: requestIdOnErrors tags errors with the request id, metricsPlugin counts
 *   refusals by code. Independent: metrics reads the code, not the tag. formatError (the only
 *   reader of the tag) runs after all of them.
 * - didResolveOperation: costLimitPlugin sets `stats.estimatedCalls` and refuses over the limit.
 *   Apollo runs every didResolveOperation before any responseForOperation, so the cost check also
 *   holds for operations the operation cache answers.
 * - responseForOperation: only the operation cache answers whole operations (the first non-null
 *   answer in list order wins, should another plugin ever answer too).
 * - willSendResponse, in this order:
 *   1. operationCachePlugin reads the body's errors, `ctx.stale` and `ctx.freshness`, and stores a
 *      JSON copy of the body. It comes before every hook that writes into the body, so the stored
 *      copy is exactly what execution produced. Forced for Apollo's inline trace (last below): a
 *      stored `ftv1` would replay one execution's timings (and Apollo refuses to add `ftv1` to a
 *      body that has one). staleExtension only writes when `ctx.stale` is not empty, which the
 *      cache never stores: independent of it by the cache's own rule, not by this order.
 *   2. staleExtension writes `extensions.engagementGraph` from `ctx.stale`.
 *   3. operationLog, 4. metricsPlugin, 5. tracingPlugin only read: the body's errors, the HTTP
 *      status and `ctx.stats` (`responseCached` is set in responseForOperation, `estimatedCalls`
 *      in didResolveOperation, both earlier phases), never what another willSendResponse writes.
 *      Independent of each other and of 1 and 2.
 *   6. Apollo's inline trace (INLINE_TRACING) writes `extensions.ftv1`: after the cache (see 1).
 *   cacheControlPlugin reads the body's errors, `ctx.stale` and `ctx.freshness` (a replay's is set
 *   by the operation cache in responseForOperation) and writes only the `Cache-Control` and `Vary`
 *   headers, which no other hook reads or writes: independent of every other hook, anywhere.
 * - The landing page answers renderLandingPage (only one plugin may) and Apollo's own cache control
 *   (field hints) is off: neither takes part in a request, so their place does not matter.
 */
export function plugins(deps: PluginDeps): ApolloServerPlugin<Context>[] {
  const { config } = deps;
  return [
    requestIdOnErrors,
    costLimitPlugin(config.limits.maxUpstreamCalls),
    ...(config.resilience.cacheMaxBytes > 0
      ? [operationCachePlugin(cacheShares(config.resilience.cacheMaxBytes).operations, deps.now)]
      : []),
    staleExtension,
    cacheControlPlugin,
    operationLog(deps.log),
    ...(deps.metrics ? [metricsPlugin(deps.metrics)] : []),
    ...(deps.tracer ? [tracingPlugin(deps.tracer)] : []),
    landingPage(config.landingPage),
    inlineTrace(config.inlineTracing),
    cacheControlDisabled(),
  ];
}
