import http from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginInlineTrace } from '@apollo/server/plugin/inlineTrace';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import type { GraphQLSchema } from 'graphql';
import type { Config } from './config';
import { createContext, requestIdOf, type Context } from './context';
import { createFormatError, REQUEST_ID } from './errors';
import { createHttpHandler, sendJson } from './http';
import type { Logger } from './logger';
import { buildEngagementSchema } from './schema';
import type { KoreClient } from './upstream/kore-client';

export interface ServerDeps {
  readonly config: Config;
  readonly client: KoreClient;
  readonly log: Logger;
  readonly now?: () => number;
}

export interface EngagementServer {
  readonly httpServer: http.Server;
  readonly apollo: ApolloServer<Context>;
  readonly schema: GraphQLSchema;
  /** Stop Apollo and close the HTTP server (and its idle keep-alive sockets). */
  stop(): Promise<void>;
}

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

/** Builds the schema, Apollo Server and HTTP handler. Never listens: the caller (index.ts, tests) does. */
export async function createServer(deps: ServerDeps): Promise<EngagementServer> {
  const { config, log } = deps;
  const now = deps.now ?? Date.now;
  const schema = await buildEngagementSchema();
  const development = config.env !== 'production';
  const apollo = new ApolloServer<Context>({
    schema,
    formatError: createFormatError(log, development),
    includeStacktraceInErrorResponses: development,
    introspection: config.introspection,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    logger: log,
    plugins: [
      requestIdOnErrors,
      staleExtension,
      landingPage(config.landingPage),
      config.inlineTracing ? ApolloServerPluginInlineTrace() : ApolloServerPluginInlineTraceDisabled(),
    ],
  });
  await apollo.start();

  const handler = createHttpHandler({
    apollo,
    maxBodyBytes: config.maxBodyBytes,
    requestIdOf,
    contextFor: async (_req, requestId) => createContext({ config, client: deps.client, log, now }, requestId),
    routes: {
      '/healthz': (_req, res) => sendJson(res, 200, { status: 'ok' }),
    },
    onError: (error) => log.error({ err: error }, 'request failed outside GraphQL'),
  });
  const httpServer = http.createServer(handler);
  httpServer.keepAliveTimeout = 65_000; // outlive typical load-balancer idle timeouts

  return {
    httpServer,
    apollo,
    schema,
    async stop() {
      await apollo.stop();
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeIdleConnections();
      });
    },
  };
}
