import type { ApolloServerPlugin } from '@apollo/server';
import { requestBindings, type Context } from '../../context';
import type { Logger } from '../../observability/logger';
import { recordLater } from '../../observability/metrics';

/** One log line per operation: who, what, how long, how it ended. */
export const operationLog = (log: Logger): ApolloServerPlugin<Context> => ({
  async requestDidStart() {
    const started = performance.now();
    return {
      // On every request, cached ones included: fields are added only when they say something
      // (pino serializes every key it is given, and this line is on every cached request's path: BENCHMARKS.md).
      async willSendResponse({ operationName, response, errors, contextValue: ctx }) {
        const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
        const failed = body?.errors ?? errors;
        const { stats } = ctx;
        const line: Record<string, unknown> = Object.assign(requestBindings(ctx.requestId, ctx.principal), {
          operationName: operationName ?? null,
          durationMs: performance.now() - started,
          status: response.http.status ?? 200,
          upstreamCalls: stats.upstreamCalls,
          cacheHits: stats.cacheHits,
        });
        if (failed?.length) line.errorCodes = [...new Set(failed.map((e) => String(e.extensions?.code ?? 'UNKNOWN')))];
        if (stats.estimatedCalls !== undefined) line.estimatedCalls = stats.estimatedCalls;
        if (stats.responseCached) line.responseCached = true;
        if (ctx.stale.length) line.staleAnswers = ctx.stale.length;
        recordLater(() => log.info(line, 'graphql operation'));
      },
    };
  },
});
