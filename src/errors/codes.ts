/**
 * Every `extensions.code` this API sends, in one place: GraphQL errors and the JSON error bodies
 * refused before GraphQL runs (server/http.ts). Clients switch on these: never rename one. Every place that
 * sends a code uses this table (test/unit/error-table.test.ts checks it, and that README.md's error
 * table lists exactly these).
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UPSTREAM_UNSUPPORTED: 'UPSTREAM_UNSUPPORTED',
  UPSTREAM_UNAUTHENTICATED: 'UPSTREAM_UNAUTHENTICATED',
  UPSTREAM_REJECTED: 'UPSTREAM_REJECTED',
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  UPSTREAM_TIMEOUT: 'UPSTREAM_TIMEOUT',
  UPSTREAM_BAD_RESPONSE: 'UPSTREAM_BAD_RESPONSE',
  RATE_LIMITED: 'RATE_LIMITED',
  /** No caller token, or one that does not verify (HTTP 401, before anything runs). */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** The caller's token does not list this bot: the field is null, the rest of the operation resolves. */
  FORBIDDEN: 'FORBIDDEN',
  /** No Kore.ai app is configured for this bot (KORE_CREDENTIALS_FILE has no entry and no "*"). */
  BOT_NOT_CONFIGURED: 'BOT_NOT_CONFIGURED',
  /** Too deep, too many aliases, directives or tokens, or JSON nested too deep (HTTP 400, nothing runs). */
  OPERATION_LIMIT_EXCEEDED: 'OPERATION_LIMIT_EXCEEDED',
  /** The operation could cause more distinct Kore.ai calls than MAX_UPSTREAM_CALLS (HTTP 400, nothing runs). */
  COST_LIMIT_EXCEEDED: 'COST_LIMIT_EXCEEDED',
  /** The request body is larger than MAX_BODY_BYTES (HTTP 413, before anything reads it). */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  /**
   * Apollo Server's code for a malformed request (HTTP 400/405), also ours for a body that is not
   * JSON and for request errors graphql-js and Apollo send without a code (see formatError).
   */
  BAD_REQUEST: 'BAD_REQUEST',
  // Apollo Server's own codes (ApolloServerErrorCode), passed through as Apollo sends them.
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  /** `operationName` names no operation in the document, or several operations and no name. */
  OPERATION_RESOLUTION_FAILURE: 'OPERATION_RESOLUTION_FAILURE',
  /** Automatic persisted queries are on: a hash this server has not stored yet (the client then sends the query). */
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  // Trusted documents (PERSISTED_DOCUMENTS=allow|require), refused before parsing with Apollo Router's
  // safelisting codes and statuses, so clients written for a router behave the same against this API.
  /** The request's `extensions.persistedQuery.sha256Hash` names no operation in the manifest (HTTP 404). */
  PERSISTED_QUERY_NOT_IN_LIST: 'PERSISTED_QUERY_NOT_IN_LIST',
  /** PERSISTED_DOCUMENTS=require and the request carries a document's text instead of a manifest id (HTTP 400). */
  PERSISTED_QUERY_ID_REQUIRED: 'PERSISTED_QUERY_ID_REQUIRED',
  /** A manifest id and a document's text in one request: nothing may register a document while trusted documents are on (HTTP 400). */
  CANNOT_SEND_PQ_ID_AND_BODY: 'CANNOT_SEND_PQ_ID_AND_BODY',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export type UpstreamErrorCode = Extract<
  ErrorCode,
  'UPSTREAM_UNAUTHENTICATED' | 'UPSTREAM_REJECTED' | 'UPSTREAM_UNAVAILABLE' | 'UPSTREAM_TIMEOUT' | 'UPSTREAM_BAD_RESPONSE' | 'RATE_LIMITED'
>;
