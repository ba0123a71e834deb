import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';

/**
 * Every `extensions.code` this API sends, in one place. Clients switch on these: never rename one.
 * Apollo Server's own codes (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, BAD_REQUEST, …) pass through as they are.
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
  /** Too deep, too many aliases, directives or tokens (HTTP 400, nothing runs). */
  OPERATION_LIMIT_EXCEEDED: 'OPERATION_LIMIT_EXCEEDED',
  /** The operation could cause more distinct Kore.ai calls than MAX_UPSTREAM_CALLS (HTTP 400, nothing runs). */
  COST_LIMIT_EXCEEDED: 'COST_LIMIT_EXCEEDED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  /**
   * Apollo Server's code for a malformed request (HTTP 400/405), also ours for request errors
   * graphql-js and Apollo send without a code (see formatError).
   */
  BAD_REQUEST: 'BAD_REQUEST',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export type UpstreamErrorCode = Extract<
  ErrorCode,
  | 'UPSTREAM_UNAUTHENTICATED'
  | 'UPSTREAM_REJECTED'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_BAD_RESPONSE'
  | 'RATE_LIMITED'
>;

/** A deliberate error: its message and extensions are written for clients and are sent as they are. */
export class EngagementError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    extensions: Record<string, unknown> = {},
  ) {
    super(message, { extensions: { ...extensions, code } });
    this.name = 'EngagementError';
  }
}

/** Bad arguments. `argument` is the path of the offending argument, e.g. `range.end` or `filters.timeZone`. */
export class BadUserInputError extends EngagementError {
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(ErrorCode.BAD_USER_INPUT, `Invalid argument ${argument}: ${message}`, { argument });
    this.name = 'BadUserInputError';
  }
}

/** A `Date` scalar value that is not a real `YYYY-MM-DD` date (thrown during parsing, before any resolver). */
export class InvalidDateError extends EngagementError {
  constructor(shown: string) {
    super(ErrorCode.BAD_USER_INPUT, `Date must be a real calendar date as YYYY-MM-DD, got ${shown}`);
    this.name = 'InvalidDateError';
  }
}

export class UpstreamUnsupportedError extends EngagementError {
  constructor(what: string, version: string) {
    super(ErrorCode.UPSTREAM_UNSUPPORTED, `The configured Kore.ai API (${version}) does not provide ${what}.`, {
      apiVersion: version,
    });
    this.name = 'UpstreamUnsupportedError';
  }
}

/**
 * A failed upstream call, already mapped (see upstream/kore/errors.ts). The message is ours, never the
 * upstream's; `status` is kept for logs only and is not sent.
 */
export class UpstreamError extends EngagementError {
  constructor(
    code: UpstreamErrorCode,
    message: string,
    readonly status: number | undefined,
    extensions: Record<string, unknown> = {},
  ) {
    super(code, message, extensions);
    this.name = 'UpstreamError';
  }
}

export class ForbiddenError extends EngagementError {
  constructor(botId: string) {
    super(ErrorCode.FORBIDDEN, `Not allowed to read bot ${JSON.stringify(botId)}: the caller's token does not list it.`, { botId });
    this.name = 'ForbiddenError';
  }
}

export class BotNotConfiguredError extends EngagementError {
  constructor(botId: string) {
    super(ErrorCode.BOT_NOT_CONFIGURED, `No Kore.ai credentials are configured for bot ${JSON.stringify(botId)}.`, { botId });
    this.name = 'BotNotConfiguredError';
  }
}

/** `json-depth`: the request's JSON (body, variables, extensions) nests deeper than MAX_JSON_DEPTH. */
export type OperationLimit = 'depth' | 'aliases' | 'directives' | 'tokens' | 'json-depth';

/** A validation-time limit; Apollo re-codes validation errors, so formatError restores this code. */
export class OperationLimitError extends EngagementError {
  constructor(
    readonly limit: OperationLimit,
    max: number,
    found: number | undefined,
  ) {
    const what = { depth: 'is nested deeper than', aliases: 'has more aliases than', directives: 'has more directives than', tokens: 'has more tokens than', 'json-depth': 'carries JSON (body, variables or extensions) nested deeper than' }[limit];
    super(ErrorCode.OPERATION_LIMIT_EXCEEDED, `The operation ${what} the limit of ${max}${found === undefined ? '' : ` (found ${found})`}.`, {
      limit,
      max,
      ...(found === undefined ? {} : { found }),
      // Validation errors are HTTP 400 anyway; this one can also be thrown from a plugin hook, where Apollo's default is 500.
      ...(limit === 'json-depth' ? { http: { status: 400 } } : {}),
    });
    this.name = 'OperationLimitError';
  }
}

export class CostLimitError extends EngagementError {
  constructor(cost: number, max: number) {
    super(
      ErrorCode.COST_LIMIT_EXCEEDED,
      `The operation could cause ${cost} distinct Kore.ai calls; the limit is ${max}. Ask for fewer bots, ranges or granularities per operation.`,
      { cost, max, http: { status: 400 } },
    );
    this.name = 'CostLimitError';
  }
}

// graphql-js 16 writes "more that"; accept the corrected spelling too.
const TOKEN_LIMIT = /^Syntax Error: Document contains more tha[nt] (\d+) tokens/;

/** graphql-js's own token limit (MAX_TOKENS), which formatError reports as OPERATION_LIMIT_EXCEEDED. */
export const isTokenLimitError = (message: string) => TOKEN_LIMIT.test(message);

/** @apollo/subgraph's and graphql-js's errors for a representation whose __typename names no entity type. */
const UNKNOWN_ENTITY = /^The _entities resolver tried to load an entity for type ".*", but no object or interface type|^Runtime Object type ".*" is not a possible type for "_Entity"/s;

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
    if (tokens && extensions.code === 'GRAPHQL_PARSE_FAILED') {
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

/** The request id is attached to resolver errors by the error-tagging plugin in server.ts. */
export const REQUEST_ID = Symbol('engagementGraph.requestId');

function currentRequestId(error: unknown): string | undefined {
  const tagged = (error as { [REQUEST_ID]?: string } | null)?.[REQUEST_ID];
  return typeof tagged === 'string' ? tagged : undefined;
}
