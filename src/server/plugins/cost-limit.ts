import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../../context';
import { questionResolver } from '../../engagement/question';
import { CostLimitError } from '../../errors';
import { operationCost } from '../../security/cost';

/** Rejects an operation whose distinct upstream calls could exceed the cap, before it executes. */
export function costLimitPlugin(maxUpstreamCalls: number): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request, contextValue }) {
          if (!operation) return;
          const cost = operationCost(document, operation, request.variables ?? {}, questionResolver(contextValue));
          contextValue.stats.estimatedCalls = cost.calls;
          if (cost.limited > maxUpstreamCalls) throw new CostLimitError(cost.limited, maxUpstreamCalls);
        },
      };
    },
  };
}
