import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig } from './config';
import { startEmulator } from './emulator/emulator.server';
import { DEMO_BOTS } from './emulator/world';
import { createLogger } from './logger';
import { createMetrics } from './metrics';
import { createTracing } from './tracing';
import { createServer } from './server';
import { allCredentials, createUpstream } from './upstream';
import { connectRedis, redisReady } from './upstream/redis';

/** Process entry: configuration, the built-in upstream when no Kore.ai host is set, the server. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`engagement-graph: configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger(config.logLevel, undefined, config.logFormat);

  let builtinHost: string | undefined;
  const builtinApps = allCredentials(config.credentials).filter((c) => c.host === undefined);
  if (builtinApps.length) {
    const emulator = await startEmulator(
      {
        apps: builtinApps.map((c) => ({ clientId: c.clientId, clientSecret: c.clientSecret.reveal(), bots: '*' as const })),
        v1TimeZone: config.kore.v1TimeZone,
        faults: config.emulatorFaults,
      },
      config.emulatorPort,
    );
    builtinHost = emulator.url;
    const host = emulator.url;
    log.info(
      { upstream: host, demoBots: DEMO_BOTS.map((b) => b.id) },
      `KORE_HOST is not set: serving the built-in Kore-compatible upstream at ${host} (demo bots: ${DEMO_BOTS.map((b) => b.id).join(', ')})`,
    );
  }

  const redis = config.redisUrl ? connectRedis(config.redisUrl, { commandTimeoutMs: config.redisCommandTimeoutMs }) : undefined;
  redis?.on('error', (error: Error) => log.warn({ err: { message: error.message } }, 'redis error'));
  log.info(redis ? 'cache, single flight and upstream budget shared through Redis' : 'cache, single flight and upstream budget in process (set REDIS_URL to share them between replicas)');
  const metrics = createMetrics({ botLabels: config.metricsBotLabels });
  const tracing = createTracing(config.otlpTracesEndpoint, config.serviceName);
  if (tracing.tracer) log.info('tracing on: exporting spans over OTLP/HTTP');
  if (config.auth.mode === 'none') {
    log.warn('AUTH_MODE=none: the API is open: anyone who can reach it can read every configured bot (set AUTH_MODE=jwt to require caller tokens)');
  } else {
    log.info({ algorithms: config.auth.algorithms, issuer: config.auth.issuer, audience: config.auth.audience, botsClaim: config.auth.botsClaim }, 'AUTH_MODE=jwt: callers must send a Bearer token');
  }
  if (config.auth.routerSecret) log.info({ header: config.auth.routerSecretHeader }, 'only requests carrying the router secret are accepted');
  const client = createUpstream(config, { builtinHost, redis, metrics, tracer: tracing.tracer }, log.child({ component: 'upstream' }));
  const readinessChecks = redis ? [{ name: 'redis', check: () => redisReady(redis) }] : [];
  const explorerBots = builtinHost ? DEMO_BOTS.map((b) => ({ id: b.id, name: b.name })) : [];
  const server = await createServer({ config, client, log, readinessChecks, metrics, tracer: tracing.tracer, explorerBots });
  await new Promise<void>((resolve) => server.httpServer.listen(config.port, config.host, resolve));
  const { port } = server.httpServer.address() as AddressInfo;
  log.info({ port, apiVersion: config.kore.apiVersion }, `Engagement Graph ready at http://localhost:${port}/graphql`);
  if (config.explorer) log.info(`engagement explorer at http://localhost:${port}/explore`);

  const shutdown = (signal: string) => {
    log.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down: finishing in-flight operations');
    server
      .stop()
      .then(client.close)
      .then(() => redis?.quit())
      .then(() => tracing.shutdown())
      .then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`engagement-graph: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
