import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
  GraphQLString,
  Kind,
  type GraphQLFormattedError,
} from 'graphql';
import {
  BadUserInputError,
  createFormatError,
  ErrorCode,
  InvalidDateError,
  OperationLimitError,
  REQUEST_ID,
  UpstreamError,
} from '../../src/errors';

/**
 * createFormatError, branch by branch, on errors made the way they are in production: an
 * in-process Apollo Server (same formatError, same request-id tagging as server.ts) running a tiny
 * schema whose resolvers throw what each branch is about. The one branch that needs a federated
 * subgraph (unknown entity types) is fed the error graphql-js makes for it directly.
 */

const SECRET = 'hunter2-client-secret';

/** A Date-like scalar: rejects anything but YYYY-MM-DD the way src/engagement/date.scalar.ts does. */
const Day = new GraphQLScalarType({
  name: 'Day',
  parseValue(value) {
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new InvalidDateError(JSON.stringify(value));
    return value;
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING || !/^\d{4}-\d{2}-\d{2}$/.test(ast.value))
      throw new InvalidDateError(ast.kind === Kind.STRING ? ast.value : ast.kind);
    return ast.value;
  },
});

const Range = new GraphQLObjectType({ name: 'Range', fields: { start: { type: Day } } });

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      ok: { type: GraphQLString, resolve: () => 'fine' },
      deliberate: {
        type: GraphQLString,
        resolve: () => {
          throw new BadUserInputError('range.end', 'must not be before range.start');
        },
      },
      upstream: {
        type: GraphQLString,
        resolve: () => {
          throw new UpstreamError(ErrorCode.UPSTREAM_UNAVAILABLE, 'Kore.ai failed to answer (HTTP 503).', 503);
        },
      },
      crash: {
        type: GraphQLString,
        resolve: () => {
          // What an unexpected failure may carry: a URL with credentials, and a code of its own.
          throw Object.assign(new Error(`connect ECONNREFUSED https://app:${SECRET}@kore.example`), {
            extensions: { code: 'FORGED_CODE', secret: SECRET },
          });
        },
      },
      coded: {
        type: GraphQLString,
        resolve: () => {
          throw new GraphQLError('Coded elsewhere.', { extensions: { code: ErrorCode.PERSISTED_QUERY_NOT_FOUND } });
        },
      },
      limit: {
        type: GraphQLString,
        resolve: () => {
          throw new GraphQLError('wrapped', { originalError: new OperationLimitError('depth', 8, 9) });
        },
      },
      range: { type: Range, args: { start: { type: new GraphQLNonNull(Day) } }, resolve: (_root, args: { start: string }) => args },
    },
  }),
});

interface Logged {
  readonly obj: Record<string, unknown>;
  readonly msg: string;
}

/** The same tagging server.ts does: the request id rides on each error for formatError to tell. */
const tagRequestId: ApolloServerPlugin<{ requestId: string }> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ contextValue, errors }) {
        for (const error of errors) Object.assign(error, { [REQUEST_ID]: contextValue.requestId });
      },
    };
  },
};

async function run(query: string, options: { variables?: Record<string, unknown>; exposeStack?: boolean; maxTokens?: number } = {}) {
  const logged: Logged[] = [];
  const exposeStack = options.exposeStack ?? false;
  const server = new ApolloServer<{ requestId: string }>({
    schema,
    formatError: createFormatError({ error: (obj, msg) => void logged.push({ obj, msg }) }, exposeStack),
    includeStacktraceInErrorResponses: exposeStack,
    parseOptions: options.maxTokens ? { maxTokens: options.maxTokens } : undefined,
    plugins: [tagRequestId],
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  await server.start();
  try {
    const response = await server.executeOperation({ query, variables: options.variables }, { contextValue: { requestId: 'req-42' } });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return { status: response.http.status, errors: response.body.singleResult.errors ?? [], logged };
  } finally {
    await server.stop();
  }
}

const only = (errors: readonly GraphQLFormattedError[]) => {
  expect(errors).toHaveLength(1);
  return errors[0];
};

describe('createFormatError', () => {
  it('masks an unexpected error as INTERNAL_SERVER_ERROR with the request id, and logs the original with it', async () => {
    const { errors, logged } = await run('{ crash }');
    const error = only(errors);
    expect(error).toEqual({
      message: 'Internal server error (request id req-42)',
      locations: [{ line: 1, column: 3 }],
      path: ['crash'],
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-42' },
    });
    expect(logged).toHaveLength(1);
    expect(logged[0].msg).toBe('unexpected error masked');
    expect(logged[0].obj).toMatchObject({ requestId: 'req-42', path: ['crash'] });
    expect((logged[0].obj.err as Error).message).toMatch(/^connect ECONNREFUSED/);
  });

  it('never sends what an unexpected error carries: its message, its secrets, its own code', async () => {
    for (const exposeStack of [false, true]) {
      const json = JSON.stringify((await run('{ crash }', { exposeStack })).errors);
      expect(json).not.toContain(SECRET);
      expect(json).not.toContain('ECONNREFUSED');
      expect(json).not.toContain('FORGED_CODE');
      expect(json).not.toContain('stacktrace');
    }
  });

  it('masks without a request id when none was tagged', async () => {
    const format = createFormatError({ error: () => undefined }, false);
    const crash = new GraphQLError('boom', { originalError: new Error(`token ${SECRET}`), path: ['x'] });
    expect(format({ message: 'boom', path: ['x'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }, crash)).toEqual({
      message: 'Internal server error',
      locations: undefined,
      path: ['x'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it('sends deliberate errors as they are, and upstream ones without their status', async () => {
    const deliberate = only((await run('{ deliberate }')).errors);
    expect(deliberate).toEqual({
      message: 'Invalid argument range.end: must not be before range.start',
      locations: [{ line: 1, column: 3 }],
      path: ['deliberate'],
      extensions: { argument: 'range.end', code: 'BAD_USER_INPUT' },
    });
    const upstream = only((await run('{ upstream }')).errors);
    expect(upstream.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(JSON.stringify(upstream)).not.toMatch(/503"|status|origin/);
  });

  it('sends a stack trace only when told to (development), never in production or test', async () => {
    expect(only((await run('{ deliberate }')).errors).extensions).not.toHaveProperty('stacktrace');
    expect(only((await run('{ deliberate }', { exposeStack: true })).errors).extensions?.stacktrace).toEqual(
      expect.arrayContaining([expect.any(String)]),
    );
    const parse = only((await run('{ ok ')).errors);
    expect(parse.extensions).toEqual({ code: 'GRAPHQL_PARSE_FAILED' });
  });

  it('drops a stack trace Apollo included unless told to expose stacks', () => {
    const error = new BadUserInputError('range', 'bad');
    const formatted = {
      message: error.message,
      extensions: { ...error.extensions, stacktrace: ['BadUserInputError: bad', '    at secret/path.ts:1'] },
    };
    expect(createFormatError({ error: () => undefined }, false)(formatted, error).extensions).toEqual({
      argument: 'range',
      code: 'BAD_USER_INPUT',
    });
    expect(createFormatError({ error: () => undefined }, true)(formatted, error).extensions).toEqual(formatted.extensions);
  });

  it("reports graphql-js's token limit as OPERATION_LIMIT_EXCEEDED, without a stack even when stacks are on", async () => {
    const { status, errors } = await run('{ ok ok ok ok ok ok ok ok }', { maxTokens: 5, exposeStack: true });
    expect(status).toBe(400);
    expect(only(errors)).toEqual({
      message: 'The operation has more tokens than the limit of 5.',
      extensions: { code: 'OPERATION_LIMIT_EXCEEDED', limit: 'tokens', max: 5 },
    });
  });

  it('keeps an operation limit found anywhere in the cause chain, with its details', async () => {
    const error = only((await run('{ limit }')).errors);
    expect(error.extensions).toEqual({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'depth', max: 8, found: 9 });
  });

  it('turns a malformed date into BAD_USER_INPUT naming the argument: in a variable, in a nested variable, in a literal', async () => {
    const inVariable = only((await run('query Q($d: Day!) { range(start: $d) { start } }', { variables: { d: 'Dec 01' } })).errors);
    expect(inVariable.extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'd' });
    const inLiteral = only((await run('{ range(start: "soon") { start } }')).errors);
    expect(inLiteral.extensions?.code).toBe('BAD_USER_INPUT');
    expect(inLiteral.extensions).not.toHaveProperty('argument');

    // graphql-js names the place inside an input object: `… at "range.start"`.
    const format = createFormatError({ error: () => undefined }, false);
    const original = new GraphQLError('Variable "$range" got invalid value "x" at "range.start"; Expected type "Date".', {
      originalError: new InvalidDateError('"x"'),
    });
    expect(format({ message: original.message, extensions: { code: 'BAD_USER_INPUT' } }, original).extensions).toEqual({
      code: 'BAD_USER_INPUT',
      argument: 'range.start',
    });
  });

  it('reports a representation of no entity type as BAD_USER_INPUT on that representation, not a crash', () => {
    const logged: Logged[] = [];
    const format = createFormatError({ error: (obj, msg) => void logged.push({ obj, msg }) }, false);
    const message = 'Runtime Object type "Nope" is not a possible type for "_Entity".';
    const error = new GraphQLError(message, { path: ['_entities', 2], originalError: new Error(message) });
    expect(format({ message, path: ['_entities', 2], extensions: { code: 'INTERNAL_SERVER_ERROR' } }, error)).toEqual({
      message: 'Invalid argument representations[2].__typename: not an entity type of this subgraph (Bot is)',
      locations: undefined,
      path: ['_entities', 2],
      extensions: { code: 'BAD_USER_INPUT', argument: 'representations[2].__typename' },
    });
    expect(logged).toEqual([]);
  });

  it("makes graphql-js's and Apollo's codeless request errors BAD_REQUEST (the client's doing), keeps validation errors", async () => {
    const mutation = await run('mutation { ok }');
    expect(only(mutation.errors)).toEqual({
      message: 'Schema is not configured to execute mutation operation.',
      locations: [{ line: 1, column: 1 }],
      extensions: { code: 'BAD_REQUEST' },
    });
    expect(mutation.logged).toEqual([]);
    const validation = only((await run('{ nope }')).errors);
    expect(validation.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
  });

  it('passes a coded GraphQLError that is no crash through as it is', async () => {
    const { errors, logged } = await run('{ coded }');
    expect(only(errors)).toEqual({
      message: 'Coded elsewhere.',
      locations: [{ line: 1, column: 3 }],
      path: ['coded'],
      extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' },
    });
    expect(logged).toEqual([]);
  });
});
