import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../../context';
import { fragmentsOf, topLevelFieldNames } from '../../engagement/plan';
import { ErrorCode, isTokenLimitError, OperationLimitError } from '../../errors';
import { recordLater, type Metrics } from '../../observability/metrics';
import { outcomeOf } from './outcome';

/** Operation and top-level field metrics, and refusals made inside GraphQL (authorization, limits, cost). */
export function metricsPlugin(metrics: Metrics): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        // Execution time per top-level field of the operation, without instrumenting every field
        // (a willResolveField hook makes Apollo wrap every resolver: measurable on cached answers).
        async executionDidStart({ operation, document, request }) {
          // Typed as set, but undefined when operationName names no operation (graphql-js then refuses it).
          if (!operation) return;
          const fieldStarted = process.hrtime.bigint();
          return {
            async executionDidEnd() {
              const seconds = Number(process.hrtime.bigint() - fieldStarted) / 1e9;
              recordLater(() => {
                // The planner's walker: fragments expanded, @skip/@include honoured, as execution sees them.
                for (const name of topLevelFieldNames(operation, fragmentsOf(document), request.variables ?? {}))
                  metrics.field(name, seconds);
              });
            },
          };
        },
        async didEncounterErrors({ errors }) {
          for (const error of errors) {
            const code = error.extensions?.code;
            if (code === ErrorCode.FORBIDDEN) metrics.refusal('forbidden');
            else if (code === ErrorCode.COST_LIMIT_EXCEEDED) metrics.refusal('cost');
            else if (error.originalError instanceof OperationLimitError) metrics.refusal(`limit:${error.originalError.limit}`);
            else if (code === ErrorCode.GRAPHQL_PARSE_FAILED && isTokenLimitError(error.message)) metrics.refusal('limit:tokens');
          }
        },
        async willSendResponse({ operationName, response, errors, contextValue }) {
          const cached = contextValue.stats.responseCached;
          const outcome = outcomeOf(response, errors);
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          recordLater(() => {
            if (cached) metrics.cache('operation_hit');
            metrics.operation(operationName, outcome, seconds);
          });
        },
      };
    },
  };
}
