import { GraphQLError } from 'graphql';
import { ErrorCode } from './codes';

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
    const what = {
      depth: 'is nested deeper than',
      aliases: 'has more aliases than',
      directives: 'has more directives than',
      tokens: 'has more tokens than',
      'json-depth': 'carries JSON (body, variables or extensions) nested deeper than',
    }[limit];
    super(
      ErrorCode.OPERATION_LIMIT_EXCEEDED,
      `The operation ${what} the limit of ${max}${found === undefined ? '' : ` (found ${found})`}.`,
      {
        limit,
        max,
        ...(found === undefined ? {} : { found }),
        // Validation errors are HTTP 400 anyway; this one can also be thrown from a plugin hook, where Apollo's default is 500.
        ...(limit === 'json-depth' ? { http: { status: 400 } } : {}),
      },
    );
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

/** Why a request was refused by the trusted-document check (server/persisted-documents.ts). */
export type PersistedDocumentRefusal = 'not-in-list' | 'id-required' | 'id-and-body';

/**
 * A request refused before parsing because it is not a trusted document. Codes and HTTP statuses
 * are Apollo Router's (persisted query safelisting): an unknown id is 404, the rest 400.
 */
export class PersistedDocumentError extends EngagementError {
  readonly status: number;
  constructor(
    readonly refusal: PersistedDocumentRefusal,
    id?: string,
  ) {
    const { code, status, message } = {
      'not-in-list': {
        code: ErrorCode.PERSISTED_QUERY_NOT_IN_LIST,
        status: 404,
        // The id is the client's own string: quoted, and cut short so a long one is not echoed whole.
        message: `Persisted query ${JSON.stringify((id ?? '').slice(0, 80))} is not in this server's persisted document manifest.`,
      },
      'id-required': {
        code: ErrorCode.PERSISTED_QUERY_ID_REQUIRED,
        status: 400,
        message:
          'This endpoint only runs trusted documents: send the operation by id in extensions.persistedQuery.sha256Hash, without `query`.',
      },
      'id-and-body': {
        code: ErrorCode.CANNOT_SEND_PQ_ID_AND_BODY,
        status: 400,
        message: 'Send a persisted document id or a query, not both: this server does not register new documents.',
      },
    }[refusal];
    super(code, message);
    this.status = status;
    this.name = 'PersistedDocumentError';
  }
}
