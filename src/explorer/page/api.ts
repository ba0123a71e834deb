import QUERY from './explorer.graphql';
import type { ExplorerTrendQuery, ExplorerTrendQueryVariables } from './generated';
import { networkError, type ApiError, type PlainError } from './messages';
import { config, type Budget, type Trend } from './page';
import { rangeInput, type ExplorerState } from './state';

/**
 * The page's one call to the API: the ExplorerTrend operation (explorer.graphql) over POST, as text,
 * or by its id in the shipped manifest when the server runs trusted documents only (`documentId`).
 * An answer with data or GraphQL errors is an outcome the view shows field by field (the trend, and
 * the bot's budget beside it); anything else (no connection, a body that is not JSON, a body with
 * neither) is a failure with a plain message.
 */

export type Outcome = { trend: Trend | null; budget: Budget | null; errors: ApiError[] } | { failure: PlainError };

export async function ask(state: ExplorerState, withHourly: boolean, token: string): Promise<Outcome> {
  const variables: ExplorerTrendQueryVariables = {
    botId: state.bot,
    range: rangeInput(state),
    filters: {
      timeZone: state.timeZone,
      conversationType: state.conversationType,
      conversationStatus: state.conversationStatus,
      ...(state.channel ? { channel: state.channel } : {}),
    },
    withHourly,
    unit: state.unit,
  };
  let res: Response;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({
        operationName: 'ExplorerTrend',
        variables,
        ...(config.documentId ? { extensions: { persistedQuery: { version: 1, sha256Hash: config.documentId } } } : { query: QUERY }),
      }),
    });
  } catch {
    return { failure: networkError(undefined) };
  }
  let body: { data?: ExplorerTrendQuery | null; errors?: ApiError[] };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    return { failure: networkError(res.status) };
  }
  if (!body.data && !body.errors?.length) return { failure: networkError(res.status) };
  return { trend: body.data?.engagementTrend ?? null, budget: body.data?.bot?.upstreamBudget ?? null, errors: body.errors ?? [] };
}
