import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { BadUserInputError, EngagementError, InvalidDateError, OperationLimitError } from './classes';
import { ErrorCode } from './codes';

// graphql-js 16 writes "more that"; accept the corrected spelling too.
const TOKEN_LIMIT = /^Syntax Error: Document contains more tha[nt] (\d+) tokens/;

/** graphql-js's own token limit (MAX_TOKENS), which formatError reports as OPERATION_LIMIT_EXCEEDED. */
export const isTokenLimitError = (message: string) => TOKEN_LIMIT.test(message);

/** @apollo/subgraph's and graphql-js's errors for a representation whose __typename names no entity type. */
const UNKNOWN_ENTITY =
  /^The _entities resolver tried to load an entity for type ".*", but no object or interface type|^Runtime Object type ".*" is not a possible type for "_Entity"/s;

export interface ErrorLogger {
  error(obj: Record<string, unknown>, msg: string): void;
}

/**
 * Apollo Server's formatError: keep deliberate errors, mask everything unexpected as
 * INTERNAL_SERVER_ERROR (logging the original with the request id the client is told), never send
 * stack traces. Variable-coercion and Date-literal errors become BAD_USER_INPUT with the argument.
 */
export function createFormatError(log: ErrorLogger, exposeStack: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const { stacktrace, ...extensions } = formatted.extensions ?? {};
    const withExtensions = (ext: Record<string, unknown>): GraphQLFormattedError => ({
      ...formatted,
      extensions: exposeStack && stacktrace ? { ...ext, stacktrace } : ext,
    });

    if (original instanceof EngagementError) return withExtensions(extensions);
    const limit = findCause(original, OperationLimitError);
    if (limit) return withExtensions({ ...extensions, ...limit.extensions });
    const tokens = TOKEN_LIMIT.exec(formatted.message);
    if (tokens && extensions.code === ErrorCode.GRAPHQL_PARSE_FAILED) {
      const error = new OperationLimitError('tokens', Number(tokens[1]), undefined);
      return { message: error.message, extensions: { ...error.extensions } };
    }
    if (findCause(original, InvalidDateError)) {
      // graphql-js names the place: `Variable "$range" got invalid value … at "range.start"`, or the literal's location.
      const at = /^Variable "\$([\w]+)" got invalid value .*? at "([\w.[\]]+)"/.exec(formatted.message);
      const argument = at ? at[2] : /^Variable "\$(\w+)"/.exec(formatted.message)?.[1];
      return withExtensions({ ...extensions, code: ErrorCode.BAD_USER_INPUT, ...(argument ? { argument } : {}) });
    }
    if (formatted.path?.[0] === '_entities' && original instanceof Error && UNKNOWN_ENTITY.test(original.message)) {
      // A representation whose __typename is not an entity type: @apollo/subgraph throws a plain
      // Error (no type of that name) and graphql-js a codeless one (a type that is no entity). A bad
      // argument either way, not a crash (and no stack trace at error level for it).
      const at = typeof formatted.path?.[1] === 'number' ? `representations[${formatted.path[1]}].__typename` : 'representations';
      const bad = new BadUserInputError(at, 'not an entity type of this subgraph (Bot is)');
      return { message: bad.message, locations: formatted.locations, path: formatted.path, extensions: { ...bad.extensions } };
    }
    if (original instanceof GraphQLError && !original.originalError) {
      // graphql-js's and Apollo Server's own request errors that carry no code ("Schema is not
      // configured to execute mutation operation.", "provided sha does not match query", …) are the
      // client's doing, not ours: Apollo's default INTERNAL_SERVER_ERROR would say the opposite.
      if (extensions.code === ErrorCode.INTERNAL_SERVER_ERROR) return withExtensions({ ...extensions, code: ErrorCode.BAD_REQUEST });
      return withExtensions(extensions); // parse/validation
    }
    if (typeof extensions.code === 'string' && extensions.code !== ErrorCode.INTERNAL_SERVER_ERROR && !isResolverCrash(error)) {
      return withExtensions(extensions); // Apollo Server's own request errors (BAD_REQUEST, PERSISTED_QUERY_*, …)
    }
    const requestId = currentRequestId(error);
    log.error({ err: original, requestId, path: formatted.path }, 'unexpected error masked');
    return {
      message: 'Internal server error' + (requestId ? ` (request id ${requestId})` : ''),
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...(requestId ? { requestId } : {}) },
    };
  };
}

function findCause<T>(error: unknown, type: abstract new (...args: never[]) => T): T | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if (e instanceof type) return e;
    e = (e as { originalError?: unknown }).originalError;
  }
  return undefined;
}

function isResolverCrash(error: unknown): boolean {
  return error instanceof GraphQLError && error.originalError !== undefined && !(error.originalError instanceof GraphQLError);
}

/** The request id is attached to resolver errors by the error-tagging plugin, server/plugins/request-id.ts. */
export const REQUEST_ID = Symbol('engagementGraph.requestId');

function currentRequestId(error: unknown): string | undefined {
  const tagged = (error as { [REQUEST_ID]?: string } | null)?.[REQUEST_ID];
  return typeof tagged === 'string' ? tagged : undefined;
}
