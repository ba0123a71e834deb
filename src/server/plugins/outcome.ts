import type { GraphQLResponse } from '@apollo/server';

/** How an operation ended: no errors, data with errors, or no data (the metrics label and the span status). */
export function outcomeOf(response: GraphQLResponse, errors: readonly unknown[] | undefined): 'ok' | 'partial' | 'error' {
  const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
  const failed = (body?.errors?.length ?? 0) > 0 || (errors?.length ?? 0) > 0;
  return !failed ? 'ok' : body?.data ? 'partial' : 'error';
}
