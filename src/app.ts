import type http from 'node:http';
import type Redis from 'ioredis';
import { allCredentials, type Config } from './config';
import { startEmulator, type Emulator, type EmulatorOptions } from './emulator/emulator.server';
import { DEMO_BOTS } from './emulator/world';
import type { Logger } from './observability/logger';
import { createMetrics, type Metrics } from './observability/metrics';
import { createTracing, type Tracing } from './observability/tracing';
import { createServer, type EngagementServer, type ServerDeps } from './server/server';
import { createUpstream } from './upstream';
import type { KoreClient } from './upstream/kore';
import { connectRedis, redisReady } from './upstream/redis';
import type { ResponseCache } from './upstream/response-cache';

/**
 * The composition root: the one place the application is wired, used by the process (index.ts)
 * and by the test stack (test/helpers/stack.ts), so that tests exercise the wiring production runs.
 * It builds but does not listen: the caller picks the port and owns the process (signals, exit).
 */

/** Only what differs between the process and the tests; everything else comes from `config`. */
export interface AppDeps {
  readonly log: Logger;
  /** The clock of the server, the upstream chain and the built-in upstream (tests pin it). */
  readonly now?: () => number;
  /** A response cache shared with other apps (replicas, tenants in tests); by default a fresh one. */
  readonly cache?: ResponseCache;
  /**
   * Send credentials without a host here instead of starting the built-in upstream (a recording
   * fake, or an emulator a test shares between apps).
   */
  readonly upstreamUrl?: string;
  /** Overrides for the built-in upstream when it is started (bots, rate limits, faults). */
  readonly emulator?: Partial<EmulatorOptions>;
  /** Readiness conditions besides the ones the configuration implies (Redis when REDIS_URL is set). */
  readonly readinessChecks?: ServerDeps['readinessChecks'];
  /** Tests turn the process-wide default metrics off (they would be collected once per app). */
  readonly metrics?: { readonly defaultMetrics?: boolean };
}

export interface App {
  readonly config: Config;
  readonly server: EngagementServer;
  readonly httpServer: http.Server;
  /** The built-in upstream, when some credential has no host and no `upstreamUrl` was given. */
  readonly emulator: Emulator | undefined;
  readonly client: KoreClient;
  readonly redis: Redis | undefined;
  readonly metrics: Metrics;
  readonly tracing: Tracing;
  /**
   * Shuts everything down in dependency order: the server first (it finishes in-flight operations
   * for up to `graceMs`, which still need the client, Redis and the built-in upstream), then the
   * client, Redis, the span exporter (which flushes the spans of those last operations), and the
   * built-in upstream last. The first failure stops the sequence and rejects.
   */
  stop(graceMs?: number): Promise<void>;
}

export async function createApp(config: Config, deps: AppDeps): Promise<App> {
  const { log } = deps;
  let emulator: Emulator | undefined;
  let builtinHost = deps.upstreamUrl;
  const builtinApps = allCredentials(config.credentials).filter((c) => c.host === undefined);
  if (!builtinHost && builtinApps.length) {
    emulator = await startEmulator(
      {
        apps: builtinApps.map((c) => ({ clientId: c.clientId, clientSecret: c.clientSecret.reveal(), bots: '*' as const })),
        v1TimeZone: config.kore.v1TimeZone,
        faults: config.emulatorFaults,
        now: deps.now,
        ...deps.emulator,
      },
      config.emulatorPort,
    );
    builtinHost = emulator.url;
  }

  const redis = config.redisUrl ? connectRedis(config.redisUrl, { commandTimeoutMs: config.redisCommandTimeoutMs }) : undefined;
  redis?.on('error', (error: Error) => log.warn({ err: { message: error.message } }, 'redis error'));
  const metrics = createMetrics({ botLabels: config.metricsBotLabels, defaultMetrics: deps.metrics?.defaultMetrics });
  const tracing = createTracing(config.otlpTracesEndpoint, config.serviceName);
  const client = createUpstream(
    config,
    { builtinHost, now: deps.now, cache: deps.cache, redis, metrics, tracer: tracing.tracer },
    log.child({ component: 'upstream' }),
  );
  const readinessChecks = [...(redis ? [{ name: 'redis', check: () => redisReady(redis) }] : []), ...(deps.readinessChecks ?? [])];
  const explorerBots = emulator ? DEMO_BOTS.map((b) => ({ id: b.id, name: b.name })) : [];

  // Everything after this point must not stop; a server that fails to build leaves nothing running.
  const release = async () => {
    client.close();
    await redis?.quit();
    await tracing.shutdown();
    await emulator?.close();
  };
  let server: EngagementServer;
  try {
    server = await createServer({
      config,
      client,
      budgetUsage: client.budgetUsage,
      log,
      now: deps.now,
      readinessChecks,
      metrics,
      tracer: tracing.tracer,
      explorerBots,
    });
  } catch (error) {
    await release().catch(() => undefined);
    throw error;
  }

  return {
    config,
    server,
    httpServer: server.httpServer,
    emulator,
    client,
    redis,
    metrics,
    tracing,
    async stop(graceMs) {
      await server.stop(graceMs);
      await release();
    },
  };
}
