import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { DEMO_BOTS } from './emulator/world';
import { createLogger } from './observability/logger';

/** The process: configuration, the application (app.ts), listening, and signals. */
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
  const app = await createApp(config, { log });

  if (app.emulator) {
    const host = app.emulator.url;
    log.info(
      { upstream: host, demoBots: DEMO_BOTS.map((b) => b.id) },
      `KORE_HOST is not set: serving the built-in Kore-compatible upstream at ${host} (demo bots: ${DEMO_BOTS.map((b) => b.id).join(', ')})`,
    );
  }
  log.info(
    app.redis
      ? 'cache, single flight and upstream budget shared through Redis'
      : 'cache, single flight and upstream budget in process (set REDIS_URL to share them between replicas)',
  );
  if (app.tracing.tracer) log.info('tracing on: exporting spans over OTLP/HTTP');
  if (config.auth.mode === 'none') {
    log.warn(
      'AUTH_MODE=none: the API is open: anyone who can reach it can read every configured bot (set AUTH_MODE=jwt to require caller tokens)',
    );
  } else {
    log.info(
      { algorithms: config.auth.algorithms, issuer: config.auth.issuer, audience: config.auth.audience, botsClaim: config.auth.botsClaim },
      'AUTH_MODE=jwt: callers must send a Bearer token',
    );
  }
  if (config.auth.routerSecret)
    log.info({ header: config.auth.routerSecretHeader }, 'only requests carrying the router secret are accepted');

  await new Promise<void>((resolve) => app.httpServer.listen(config.port, config.host, resolve));
  const { port } = app.httpServer.address() as AddressInfo;
  log.info({ port, apiVersion: config.kore.apiVersion }, `Engagement Graph ready at http://localhost:${port}/graphql`);
  if (config.explorer) log.info(`engagement explorer at http://localhost:${port}/explore`);

  const shutdown = (signal: string) => {
    log.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down: finishing in-flight operations');
    app.stop().then(
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
