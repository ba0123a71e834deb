import { KeyObject } from 'node:crypto';
import { AUTH_VARIABLES, authFrom } from './auth';
import { credentialsFrom, KORE_VARIABLES, koreCallsFrom } from './credentials';
import { builtinUpstreamFrom, EMULATOR_VARIABLES } from './emulator';
import { ConfigError, readerFor, variableNames, type Env } from './env';
import { PROXY_VARIABLES } from './proxy';
import type { Config } from './schema';
import { SETTINGS_VARIABLES, tracesEndpoint } from './settings';
import { loadPersistedDocuments } from '../server/persisted-documents';

/**
 * Configuration. config/ is the only reader of process.env: everything is validated eagerly at
 * start-up and the result is frozen; a bad value throws a ConfigError that names the variable and
 * the value (never a secret's value). Where each variable is declared:
 *   env.ts          how one variable is read (int, oneOf, secret with _FILE, …)
 *   settings.ts     the plain settings (HTTP, limits, budget, cache, logs, serving)
 *   credentials.ts  KORE_* and the KORE_CREDENTIALS_FILE format; credentialFor, allCredentials
 *   auth.ts         AUTH_* and ROUTER_SECRET; the JWT key policy
 *   emulator.ts     EMULATOR_* and the fault switches; loadEmulatorConfig for `npm run emulator`
 *   proxy.ts        HTTP(S)_PROXY: whether the Kore client goes through axios's own adapter
 *   schema.ts       the Config types
 */

export { AUTH_VARIABLES } from './auth';
export { allCredentials, credentialFor, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from './credentials';
export { loadEmulatorConfig, NO_FAULTS, parseFaults, type EmulatorConfig, type Faults } from './emulator';
export { ConfigError, type Env } from './env';
export { usesProxy } from './proxy';
export type {
  ApiVersion,
  AuthConfig,
  Config,
  CredentialsConfig,
  KoreConfig,
  KoreCredential,
  LimitsConfig,
  ManifestOperation,
  PersistedDocumentsConfig,
  ResilienceConfig,
} from './schema';
export { Secret } from './secret';
export { cacheShares } from './settings';

/** Every environment variable config/ reads (a secret's `_FILE` included): what the README's table documents. */
export const ENV_VARIABLES: readonly string[] = [
  SETTINGS_VARIABLES,
  KORE_VARIABLES,
  AUTH_VARIABLES,
  EMULATOR_VARIABLES,
  PROXY_VARIABLES,
].flatMap(variableNames);

export function loadConfig(env: Env = process.env): Config {
  const read = readerFor(env, SETTINGS_VARIABLES);
  const nodeEnv = read('NODE_ENV');
  const production = nodeEnv === 'production';
  const { defaultCredential, credentials } = credentialsFrom(env, nodeEnv);
  const auth = authFrom(env, nodeEnv);
  const explorer = (read('EXPLORER') ?? (production ? 'off' : 'on')) === 'on';
  const config: Config = {
    env: nodeEnv,
    port: read('PORT'),
    host: read('HOST'),
    kore: { ...defaultCredential, ...koreCallsFrom(env) },
    credentials,
    auth,
    limits: {
      maxDepth: read('MAX_DEPTH'),
      maxAliases: read('MAX_ALIASES'),
      maxDirectives: read('MAX_DIRECTIVES'),
      maxTokens: read('MAX_TOKENS'),
      maxUpstreamCalls: read('MAX_UPSTREAM_CALLS'),
      maxJsonDepth: read('MAX_JSON_DEPTH'),
    },
    hideSchemaDetails: read('HIDE_SCHEMA_DETAILS') ?? production,
    redisUrl: read('REDIS_URL'),
    resilience: {
      budgetPerMinute: read('BUDGET_PER_MINUTE'),
      budgetPerHour: read('BUDGET_PER_HOUR'),
      budgetMaxWaitMs: read('BUDGET_MAX_WAIT_MS'),
      budgetCallerShare: read('BUDGET_CALLER_SHARE'),
      budgetReserveShare: read('BUDGET_RESERVE_SHARE') ?? (auth.mode === 'jwt' ? 0.25 : 0),
      budgetRecoveryMs: read('BUDGET_RECOVERY_MS'),
      retryMaxAttempts: read('RETRY_MAX_ATTEMPTS'),
      retryBaseDelayMs: read('RETRY_BASE_DELAY_MS'),
      retryMaxTotalMs: read('RETRY_MAX_TOTAL_MS'),
      breakerThreshold: read('BREAKER_THRESHOLD'),
      breakerCooldownMs: read('BREAKER_COOLDOWN_MS'),
      cacheMaxBytes: read('CACHE_MAX_BYTES'),
      cacheTtlSettledSeconds: read('CACHE_TTL_SETTLED_SECONDS'),
      cacheTtlRecentSeconds: read('CACHE_TTL_RECENT_SECONDS'),
      cacheStaleSeconds: read('CACHE_STALE_SECONDS'),
      cachePolicy: read('CACHE_POLICY'),
      flightLeaseMs: read('FLIGHT_LEASE_MS'),
      refresh: read('REFRESH') === 'on',
      refreshMaxShare: read('REFRESH_MAX_SHARE'),
    },
    maxRangeDaysDaily: read('MAX_RANGE_DAYS_DAILY'),
    maxRangeDaysHourly: read('MAX_RANGE_DAYS_HOURLY'),
    maxBodyBytes: read('MAX_BODY_BYTES'),
    upstreamConcurrency: read('UPSTREAM_CONCURRENCY'),
    metricsBotLabels: read('METRICS_BOT_LABELS'),
    otlpTracesEndpoint: tracesEndpoint(read('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'), read('OTEL_EXPORTER_OTLP_ENDPOINT')),
    serviceName: read('OTEL_SERVICE_NAME'),
    shutdownGraceMs: read('SHUTDOWN_GRACE_MS'),
    headersTimeoutMs: read('HEADERS_TIMEOUT_MS'),
    requestTimeoutMs: read('REQUEST_TIMEOUT_MS'),
    maxConnections: read('MAX_CONNECTIONS'),
    redisCommandTimeoutMs: read('REDIS_COMMAND_TIMEOUT_MS'),
    logFormat: read('LOG_FORMAT') ?? (nodeEnv === 'development' && process.stdout.isTTY ? 'pretty' : 'json'),
    logLevel: read('LOG_LEVEL') ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    ...builtinUpstreamFrom(env),
    landingPage: read('LANDING_PAGE') ?? (production ? 'off' : 'sandbox'),
    explorer,
    introspection: read('INTROSPECTION') ?? !production,
    inlineTracing: read('INLINE_TRACING'),
    // After every other variable: its errors name a file, theirs only a value.
    persistedDocuments: loadPersistedDocuments(read('PERSISTED_DOCUMENTS'), read('PERSISTED_DOCUMENTS_MANIFEST'), explorer),
  };
  // node refuses a headers timeout longer than the request timeout (the headers are part of the request).
  if (config.headersTimeoutMs > config.requestTimeoutMs) {
    throw new ConfigError(
      `HEADERS_TIMEOUT_MS (${config.headersTimeoutMs}) must not exceed REQUEST_TIMEOUT_MS (${config.requestTimeoutMs})`,
    );
  }
  if (config.maxRangeDaysHourly > config.maxRangeDaysDaily) {
    throw new ConfigError(
      `MAX_RANGE_DAYS_HOURLY (${config.maxRangeDaysHourly}) must not exceed MAX_RANGE_DAYS_DAILY (${config.maxRangeDaysDaily})`,
    );
  }
  return deepFreeze(config);
}

function deepFreeze<T extends object>(value: T): T {
  // KeyObjects and Secrets hold their material internally; Maps are typed read-only.
  for (const v of Object.values(value)) if (v && typeof v === 'object' && !(v instanceof Map) && !(v instanceof KeyObject)) deepFreeze(v);
  return Object.freeze(value);
}
