import type http from 'node:http';
import { ApolloServer } from '@apollo/server';
import type { Tracer } from '@opentelemetry/api';
import type { GraphQLSchema } from 'graphql';
import { cacheShares, type Config } from '../config';
import { createContext, requestIdOf, type BudgetUsageReader, type Context } from '../context';
import { createFormatError } from '../errors';
import { explorerRoutes } from '../explorer/explorer.route';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { buildEngagementSchema } from '../schema';
import { createAuthenticator } from '../security/auth';
import { operationLimits } from '../security/limits';
import type { KoreClient } from '../upstream/kore';
import { createDocumentCaches } from './document-store';
import { createHttpHandler } from './http';
import { createHttpServer } from './lifecycle';
import { checkAgainstSchema, createDocumentGate, EXPLORER_DOCUMENT_ID } from './persisted-documents';
import { plugins } from './plugins';
import { probeRoutes, type ReadinessCheck } from './probes';

export interface ServerDeps {
  readonly config: Config;
  readonly client: KoreClient;
  /** Bot.upstreamBudget's reader (the upstream chain's budget). */
  readonly budgetUsage?: BudgetUsageReader;
  readonly log: Logger;
  readonly now?: () => number;
  /** Extra readiness conditions (Redis reachable when configured); the schema being built is implied. */
  readonly readinessChecks?: ReadonlyArray<ReadinessCheck>;
  /** Served on GET /metrics; the same object the upstream chain reports to. */
  readonly metrics?: Metrics;
  /** Set when tracing is on (observability/tracing.ts). */
  readonly tracer?: Tracer;
  /** Bots the explorer page offers as choices (the built-in upstream's demo bots). */
  readonly explorerBots?: ReadonlyArray<{ readonly id: string; readonly name: string }>;
}

export interface EngagementServer {
  readonly httpServer: http.Server;
  readonly apollo: ApolloServer<Context>;
  readonly schema: GraphQLSchema;
  /**
   * Graceful stop: refuse new connections and report not-ready, let in-flight operations finish
   * for up to `graceMs` (SHUTDOWN_GRACE_MS), then close what is left and stop Apollo. Each
   * connection is closed as soon as it is idle (at once, or once its response is written), so it
   * resolves when the last in-flight response is out, not when keep-alive clients let go.
   */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Builds the schema, Apollo Server (with the plugin list of plugins/index.ts) and the HTTP server
 * with its routes. Never listens: the caller (app.ts's callers: index.ts, tests) does.
 */
export async function createServer(deps: ServerDeps): Promise<EngagementServer> {
  const { config, log } = deps;
  const now = deps.now ?? Date.now;
  const schema = await buildEngagementSchema();
  checkAgainstSchema(schema, config.persistedDocuments.operations);
  const trusted = config.persistedDocuments.mode !== 'off';
  // Stack traces only where a developer reads them: never in test or production.
  const development = config.env === 'development';
  const limits = operationLimits(config.limits);
  // Parsed documents and APQ texts inside CACHE_MAX_BYTES (Apollo's own stores are outside it).
  const documents = createDocumentCaches(cacheShares(config.resilience.cacheMaxBytes).documents);
  const apollo = new ApolloServer<Context>({
    schema,
    documentStore: documents.documentStore,
    // APQ off with trusted documents (Router safelisting and Hive persisted documents require it too):
    // otherwise any client could register a document under its hash and run it by id.
    persistedQueries: trusted ? false : { cache: documents.persistedQueries },
    formatError: createFormatError(log, development),
    includeStacktraceInErrorResponses: development,
    introspection: config.introspection,
    hideSchemaDetailsFromClientErrors: config.hideSchemaDetails,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    // Our own rule replaces Apollo's: security/csrf.ts, applied in http.ts before the body is read. It
    // is Apollo's rule plus GETs that ask for a GraphQL media type (urql's default); README "Security".
    csrfPrevention: false,
    allowBatchedHttpRequests: false,
    // index.ts owns shutdown (drain, grace period, exit 0). Apollo's own handler would stop and
    // re-raise the signal, killing in-flight operations.
    stopOnTerminationSignals: false,
    logger: log,
    plugins: plugins({ config, log, now, metrics: deps.metrics, tracer: deps.tracer }),
  });
  await apollo.start();

  const handler = createHttpHandler({
    apollo,
    maxBodyBytes: config.maxBodyBytes,
    maxJsonDepth: config.limits.maxJsonDepth,
    requestIdOf,
    authenticate: createAuthenticator(config.auth),
    trustedDocuments: createDocumentGate(config.persistedDocuments),
    contextFor: async (_req, requestId, principal) =>
      createContext({ config, client: deps.client, log, now, budgetUsage: deps.budgetUsage }, requestId, principal),
    onRefused(requestId, reason, status) {
      deps.metrics?.refusal(reason);
      log.info({ requestId, reason, status }, 'request refused before GraphQL');
    },
    routes: {
      ...(config.explorer
        ? explorerRoutes(
            {
              demoBots: deps.explorerBots ?? [],
              maxRangeDaysHourly: config.maxRangeDaysHourly,
              authRequired: config.auth.mode === 'jwt',
              documentId: trusted ? EXPLORER_DOCUMENT_ID : undefined,
            },
            log,
          )
        : {}),
      ...probeRoutes({ readinessChecks: deps.readinessChecks ?? [], metrics: deps.metrics, stopping: () => lifecycle.stopping() }),
    },
    onError: (error) => log.error({ err: error }, 'request failed outside GraphQL'),
  });
  const lifecycle = createHttpServer(
    {
      headersTimeoutMs: config.headersTimeoutMs,
      requestTimeoutMs: config.requestTimeoutMs,
      maxConnections: config.maxConnections,
      onDrop: () => deps.metrics?.refusal('connection-cap'),
      log,
    },
    handler,
  );

  return {
    httpServer: lifecycle.httpServer,
    apollo,
    schema,
    async stop(graceMs = config.shutdownGraceMs) {
      await lifecycle.drain(graceMs);
      await apollo.stop();
    },
  };
}
