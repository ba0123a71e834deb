import type { ApolloServerPlugin } from '@apollo/server';
import type { Tracer } from '@opentelemetry/api';
import type { Context } from '../../context';
import { endSpan, startOperationSpan } from '../../observability/tracing';
import { outcomeOf } from './outcome';

/**
 * A span per operation, parent of its upstream call spans: it is put on the context when the
 * request starts, before anything executes, so every upstream call of the operation finds it.
 */
export function tracingPlugin(tracer: Tracer): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      const span = startOperationSpan(tracer);
      contextValue.trace.span = span;
      return {
        async willSendResponse({ operationName, response, errors }) {
          const failed = outcomeOf(response, errors) !== 'ok';
          endSpan(span, { 'graphql.operation.name': operationName ?? '', 'engagement_graph.request_id': contextValue.requestId }, failed);
        },
      };
    },
  };
}
