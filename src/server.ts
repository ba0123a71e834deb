import http from 'node:http';
import { ApolloServer, type ApolloServerPlugin, type GraphQLResponse } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginInlineTrace } from '@apollo/server/plugin/inlineTrace';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import { Kind, type GraphQLSchema, type SelectionSetNode } from 'graphql';
import { cacheShares, type Config } from './config';
import { explorerRoutes } from './explorer/explorer.route';
import { createContext, requestBindings, requestIdOf, type Context } from './context';
import { createFormatError, isTokenLimitError, REQUEST_ID } from './errors';
import { createHttpHandler, sendJson } from './http';
import type { Logger } from './logger';
import { recordLater, type Metrics } from './metrics';
import type { Tracer } from '@opentelemetry/api';
import { endSpan, startOperationSpan } from './tracing';
import { buildEngagementSchema } from './schema';
import { createDocumentCaches } from './document-store';
import { operationCachePlugin } from './operation-cache';
import { createAuthenticator } from './security/auth';
import { costLimitPlugin, operationLimits } from './security/limits';
import type { KoreClient } from './upstream/kore';

export interface ServerDeps {
  readonly config: Config;
  readonly client: KoreClient;
  readonly log: Logger;
  readonly now?: () => number;
  /** Extra readiness conditions (Redis reachable when configured); the schema being built is implied. */
  readonly readinessChecks?: ReadonlyArray<{ readonly name: string; check(): Promise<boolean> }>;
  /** Served on GET /metrics; the same object the upstream chain reports to. */
  readonly metrics?: Metrics;
  /** Set when tracing is on (tracing.ts). */
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

/** How an operation ended: no errors, data with errors, or no data. */
function outcomeOf(response: GraphQLResponse, errors: readonly unknown[] | undefined): 'ok' | 'partial' | 'error' {
  const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
  const failed = (body?.errors?.length ?? 0) > 0 || (errors?.length ?? 0) > 0;
  return !failed ? 'ok' : body?.data ? 'partial' : 'error';
}

/** Names of an operation's top-level fields (inline fragments included, as `_entities` uses them). */
function topLevelFields(set: SelectionSetNode): Set<string> {
  const names = new Set<string>();
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) names.add(s.name.value);
    else if (s.kind === Kind.INLINE_FRAGMENT) for (const n of topLevelFields(s.selectionSet)) names.add(n);
  }
  return names;
}

/** Operation and top-level field metrics. */
function metricsPlugin(metrics: Metrics): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        // Execution time per top-level field of the operation, without instrumenting every field
        // (a willResolveField hook makes Apollo wrap every resolver: measurable on cached answers).
        async executionDidStart({ operation }) {
          // Typed as set, but undefined when operationName names no operation (graphql-js then refuses it).
          if (!operation) return;
          const fieldStarted = process.hrtime.bigint();
          return {
            async executionDidEnd() {
              const seconds = Number(process.hrtime.bigint() - fieldStarted) / 1e9;
              recordLater(() => {
                for (const name of topLevelFields(operation.selectionSet)) metrics.field(name, seconds);
              });
            },
          };
        },
        async didEncounterErrors({ errors }) {
          for (const error of errors) {
            const code = error.extensions?.code;
            const original = error.originalError as { extensions?: Record<string, unknown> } | undefined;
            if (code === 'FORBIDDEN') metrics.refusal('forbidden');
            else if (code === 'COST_LIMIT_EXCEEDED') metrics.refusal('cost');
            else if (original?.extensions?.code === 'OPERATION_LIMIT_EXCEEDED') metrics.refusal(`limit:${String(original.extensions.limit)}`);
            else if (code === 'GRAPHQL_PARSE_FAILED' && isTokenLimitError(error.message)) metrics.refusal('limit:tokens');
          }
        },
        async willSendResponse({ operationName, response, errors, contextValue }) {
          const cached = contextValue.stats.responseCached;
          const outcome = outcomeOf(response, errors);
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          recordLater(() => {
            if (cached) metrics.cache('operation_hit');
            metrics.operation(operationName, outcome, seconds);
          });
        },
      };
    },
  };
}

/** A span per operation, parent of its upstream call spans. */
function tracingPlugin(tracer: Tracer): ApolloServerPlugin<Context> {
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

/** One log line per operation: who, what, how long, how it ended. */
const operationLog = (log: Logger): ApolloServerPlugin<Context> => ({
  async requestDidStart() {
    const started = performance.now();
    return {
      // On every request, cached ones included: fields are added only when they say something
      // (pino serializes every key it is given, and this line was ~10% of a cached request).
      async willSendResponse({ operationName, response, errors, contextValue: ctx }) {
        const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
        const failed = body?.errors ?? errors;
        const { stats } = ctx;
        const line: Record<string, unknown> = Object.assign(requestBindings(ctx.requestId, ctx.principal), {
          operationName: operationName ?? null,
          durationMs: performance.now() - started,
          status: response.http.status ?? 200,
          upstreamCalls: stats.upstreamCalls,
          cacheHits: stats.cacheHits,
        });
        if (failed?.length) line.errorCodes = [...new Set(failed.map((e) => String(e.extensions?.code ?? 'UNKNOWN')))];
        if (stats.estimatedCalls !== undefined) line.estimatedCalls = stats.estimatedCalls;
        if (stats.responseCached) line.responseCached = true;
        if (ctx.stale.length) line.staleAnswers = ctx.stale.length;
        recordLater(() => log.info(line, 'graphql operation'));
      },
    };
  },
});

/** Tags every error of a request with its request id, so a masked error names the id to look up in the log. */
const requestIdOnErrors: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ contextValue, errors }) {
        for (const error of errors) Object.assign(error, { [REQUEST_ID]: contextValue?.requestId });
      },
    };
  },
};

function landingPage(choice: Config['landingPage']): ApolloServerPlugin<Context> {
  switch (choice) {
    case 'sandbox': // embedded Apollo Sandbox pointed at this server (its scripts come from Apollo's CDN)
      return ApolloServerPluginLandingPageLocalDefault({ embed: true, footer: false, includeCookies: false });
    case 'production':
      return ApolloServerPluginLandingPageProductionDefault({ footer: false });
    case 'off':
      return ApolloServerPluginLandingPageDisabled();
  }
}

/** Says so when any answer was served stale: `extensions.engagementGraph = { stale: true, staleAnswers }`. */
const staleExtension: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, response }) {
        if (!contextValue.stale.length || response.body.kind !== 'single') return;
        const body = response.body.singleResult;
        body.extensions = { ...body.extensions, engagementGraph: { stale: true, staleAnswers: contextValue.stale } };
      },
    };
  },
};

/**
 * A readiness check's answer, false when it fails or takes longer than READINESS_CHECK_TIMEOUT_MS:
 * a probe must answer well inside the orchestrator's probe timeout, and a dependency too slow to
 * answer a probe is not ready either.
 */
const READINESS_CHECK_TIMEOUT_MS = 300;
async function boundedCheck(check: () => Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), READINESS_CHECK_TIMEOUT_MS)));
  try {
    return await Promise.race([check().catch(() => false), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Builds the schema, Apollo Server and HTTP handler. Never listens: the caller (index.ts, tests) does. */
export async function createServer(deps: ServerDeps): Promise<EngagementServer> {
  const { config, log } = deps;
  const now = deps.now ?? Date.now;
  const schema = await buildEngagementSchema();
  // Stack traces only where a developer reads them: never in test or production.
  const development = config.env === 'development';
  const limits = operationLimits(config.limits);
  // Parsed documents and APQ texts inside CACHE_MAX_BYTES (Apollo's own stores are outside it).
  const documents = createDocumentCaches(cacheShares(config.resilience.cacheMaxBytes).documents);
  const apollo = new ApolloServer<Context>({
    schema,
    documentStore: documents.documentStore,
    persistedQueries: { cache: documents.persistedQueries },
    formatError: createFormatError(log, development),
    includeStacktraceInErrorResponses: development,
    introspection: config.introspection,
    hideSchemaDetailsFromClientErrors: config.hideSchemaDetails,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // index.ts owns shutdown (drain, grace period, exit 0). Apollo's own handler would stop and
    // re-raise the signal, killing in-flight operations.
    stopOnTerminationSignals: false,
    logger: log,
    plugins: [
      requestIdOnErrors,
      costLimitPlugin(config.limits.maxUpstreamCalls),
      ...(config.resilience.cacheMaxBytes > 0 ? [operationCachePlugin(cacheShares(config.resilience.cacheMaxBytes).operations, now)] : []),
      staleExtension,
      operationLog(log),
      ...(deps.metrics ? [metricsPlugin(deps.metrics)] : []),
      ...(deps.tracer ? [tracingPlugin(deps.tracer)] : []),
      landingPage(config.landingPage),
      config.inlineTracing ? ApolloServerPluginInlineTrace() : ApolloServerPluginInlineTraceDisabled(),
      // No cache hints here (answers are cached per upstream question, not per field), and the
      // implicit cache-control plugin would otherwise hook every field.
      ApolloServerPluginCacheControlDisabled(),
    ],
  });
  await apollo.start();

  const handler = createHttpHandler({
    apollo,
    maxBodyBytes: config.maxBodyBytes,
    maxJsonDepth: config.limits.maxJsonDepth,
    requestIdOf,
    authenticate: createAuthenticator(config.auth),
    contextFor: async (_req, requestId, principal) => createContext({ config, client: deps.client, log, now }, requestId, principal),
    onRefused(requestId, reason, status) {
      deps.metrics?.refusal(reason);
      log.info({ requestId, reason, status }, 'request refused before GraphQL');
    },
    routes: {
      ...(config.explorer
        ? explorerRoutes({ demoBots: deps.explorerBots ?? [], maxRangeDaysHourly: config.maxRangeDaysHourly, authRequired: config.auth.mode === 'jwt' }, log)
        : {}),
      // Alive: the process answers. Ready: schema built, not shutting down, Redis reachable when configured
      // (the upstream host is deliberately not a condition: a Kore.ai outage must not empty the pool).
      '/healthz': (_req, res) => sendJson(res, 200, { status: 'ok' }),
      '/metrics': async (_req, res) => {
        if (!deps.metrics) return sendJson(res, 404, { error: 'metrics are off' });
        const text = await deps.metrics.registry.metrics();
        res.writeHead(200, { 'content-type': deps.metrics.registry.contentType });
        res.end(text);
      },
      '/readyz': async (_req, res) => {
        if (stopping) return sendJson(res, 503, { status: 'shutting down' });
        const results = await Promise.all((deps.readinessChecks ?? []).map(async (c) => [c.name, await boundedCheck(c.check)] as const));
        const failed = results.filter(([, ok]) => !ok).map(([name]) => name);
        sendJson(res, failed.length ? 503 : 200, failed.length ? { status: 'not ready', failed } : { status: 'ready' });
      },
    },
    onError: (error) => log.error({ err: error }, 'request failed outside GraphQL'),
  });
  let stopping = false;
  /** Responses not yet finished, so that stop() can make each one the last on its connection. */
  const inFlight = new Set<http.ServerResponse>();
  const httpServer = http.createServer(
    {
      // Both count from a request's first byte (or the connection's start), never across an idle
      // keep-alive connection, so they do not conflict with keepAliveTimeout below.
      headersTimeout: config.headersTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      // node enforces both timeouts only when it sweeps its connections (by default every 30 s, which
      // let a slow client outlive its timeout by that much): sweep every second instead.
      connectionsCheckingInterval: 1000,
    },
    (req, res) => {
      // While stopping, every response is the last on its connection: node closes the socket once
      // it is written, so keep-alive clients (http.Agent, fetch's pool) cannot hold shutdown open.
      if (stopping) res.setHeader('connection', 'close');
      inFlight.add(res);
      res.once('close', () => {
        inFlight.delete(res);
        // A response finished while stopping may leave its connection idle (its headers were
        // already sent with keep-alive): close such connections now rather than at keepAliveTimeout.
        if (stopping) setImmediate(() => httpServer.closeIdleConnections());
      });
      handler(req, res);
    },
  );
  // Outlive typical load-balancer idle timeouts (often 60 s), so the balancer, not this server, closes
  // an idle connection and never sends a request on one this server is closing.
  httpServer.keepAliveTimeout = 65_000;
  // Over the cap, node closes a new connection as soon as it is accepted (its 'drop' event).
  httpServer.maxConnections = config.maxConnections;
  httpServer.on('drop', () => deps.metrics?.refusal('connection-cap'));

  return {
    httpServer,
    apollo,
    schema,
    async stop(graceMs = config.shutdownGraceMs) {
      stopping = true;
      // Responses still being computed go out with `Connection: close`; those already streaming
      // have their connection closed once idle (the 'close' handler above).
      for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
      const drained = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      httpServer.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)));
      if ((await Promise.race([drained, grace])) === 'timeout') {
        log.warn({ graceMs }, 'shutdown grace period over: closing remaining connections');
        httpServer.closeAllConnections();
      }
      clearTimeout(timer);
      await apollo.stop();
    },
  };
}
