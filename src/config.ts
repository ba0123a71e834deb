import { canonicalTimeZone } from './dates';
import { parseFaults, type Faults } from './emulator/faults';

/**
 * The only reader of process.env. Everything is validated eagerly at start-up and the result is
 * frozen; a bad value throws a ConfigError that names the variable and the value (never a secret's value).
 */

export type ApiVersion = 'v1' | 'v2';

export interface KoreConfig {
  /** Origin with scheme, no trailing slash. Undefined = use the built-in upstream. */
  readonly host: string | undefined;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly apiVersion: ApiVersion;
  readonly timeoutMs: number;
  /** Lifetime of each minted upstream JWT. Kore refuses `jti` tokens living over an hour. */
  readonly tokenTtlSeconds: number;
  /** The zone v1 aggregates in (v1 takes no time zone parameter). Other zones are refused on v1. */
  readonly v1TimeZone: string;
}

export interface ResilienceConfig {
  readonly budgetPerMinute: number;
  readonly budgetPerHour: number;
  readonly budgetMaxWaitMs: number;
  readonly retryMaxAttempts: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxTotalMs: number;
  readonly breakerThreshold: number;
  readonly breakerCooldownMs: number;
  readonly cacheMaxBytes: number;
  readonly cacheTtlSettledSeconds: number;
  readonly cacheTtlRecentSeconds: number;
  readonly cacheStaleSeconds: number;
}

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string | undefined;
  readonly kore: KoreConfig;
  /** Shared cache, single flight and budget across replicas; unset = in process. */
  readonly redisUrl: string | undefined;
  readonly resilience: ResilienceConfig;
  readonly maxRangeDaysDaily: number;
  readonly maxRangeDaysHourly: number;
  readonly maxBodyBytes: number;
  /** Most upstream calls one GraphQL request has in flight at once. */
  readonly upstreamConcurrency: number;
  /** OTLP/HTTP traces URL; unset = tracing off. */
  readonly otlpTracesEndpoint: string | undefined;
  readonly serviceName: string;
  /** Label upstream budget metrics by bot id (cardinality grows with bots). */
  readonly metricsBotLabels: boolean;
  /** How long in-flight operations may run on after SIGTERM/SIGINT. */
  readonly shutdownGraceMs: number;
  /** `pretty` for people at a terminal in development; JSON otherwise (and always when piped). */
  readonly logFormat: 'json' | 'pretty';
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** What a browser opening /graphql sees: Apollo Sandbox, Apollo's production page, or nothing. */
  readonly landingPage: 'sandbox' | 'production' | 'off';
  readonly introspection: boolean;
  /** Federated inline traces (ftv1) for routers reporting to GraphOS; off saves per-field timing work. */
  readonly inlineTracing: boolean;
  /** Initial fault switches of the built-in upstream (EMULATOR_FAULTS, JSON). */
  readonly emulatorFaults: Partial<Faults>;
  /** Port for the built-in upstream when KORE_HOST is unset (0 = any free loopback port). */
  readonly emulatorPort: number;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Credentials of the built-in upstream's demo app: public on purpose, useless anywhere else. */
export const DEMO_CLIENT_ID = 'cs-engagement-graph-demo';
export const DEMO_CLIENT_SECRET = 'demo-secret-for-the-built-in-upstream-only';

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!/^\s*-?\d+\s*$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}: ${JSON.stringify(raw)}`);
  }
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw.trim())) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}: ${JSON.stringify(raw)}`);
  }
  return raw.trim() as T;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false: ${JSON.stringify(env[name])}`);
}

/** The standard OpenTelemetry variables: a full traces URL, or a base endpoint + /v1/traces. */
function tracesEndpoint(env: Env): string | undefined {
  const full = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const url = full || (base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined);
  if (!url) return undefined;
  try {
    if (!/^https?:$/.test(new URL(url).protocol)) throw new Error();
  } catch {
    throw new ConfigError(`${full ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT'} must be an http(s) URL`);
  }
  return url;
}

function redisUrl(env: Env): string | undefined {
  const raw = env.REDIS_URL?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('REDIS_URL must be a redis:// or rediss:// URL');
  }
  // Never echo the URL: it may carry a password.
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new ConfigError(`REDIS_URL must use redis:// or rediss://, not ${url.protocol}`);
  return raw;
}

function faultsFrom(env: Env): Partial<Faults> {
  const raw = env.EMULATOR_FAULTS?.trim();
  if (!raw) return {};
  try {
    return parseFaults(JSON.parse(raw));
  } catch (error) {
    throw new ConfigError(`EMULATOR_FAULTS must be a JSON object of fault switches: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function origin(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be an origin such as https://platform.kore.ai: ${JSON.stringify(raw)}`);
  }
  if (!/^https?:$/.test(url.protocol) || url.username || url.password || url.search || url.hash) {
    throw new ConfigError(`${name} must be an http(s) origin without credentials, query or fragment: ${JSON.stringify(url.origin)}`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'], 'development');
  const host = origin(env, 'KORE_HOST');
  const clientId = env.KORE_CLIENT_ID?.trim() || undefined;
  const clientSecret = env.KORE_CLIENT_SECRET || undefined;
  if (host && (!clientId || !clientSecret)) {
    throw new ConfigError('KORE_HOST is set, so KORE_CLIENT_ID and KORE_CLIENT_SECRET must be set too');
  }
  if (!host && (clientId || clientSecret)) {
    throw new ConfigError('KORE_CLIENT_ID/KORE_CLIENT_SECRET are set but KORE_HOST is not: set KORE_HOST, or unset both to use the built-in upstream');
  }
  if (!host && nodeEnv === 'production' && env.USE_BUILTIN_UPSTREAM !== 'true') {
    throw new ConfigError('KORE_HOST is not set in production: set KORE_HOST, KORE_CLIENT_ID and KORE_CLIENT_SECRET, or USE_BUILTIN_UPSTREAM=true to serve demo data on purpose');
  }
  const v1TimeZoneRaw = env.KORE_V1_TIME_ZONE?.trim() || 'UTC';
  const v1TimeZone = canonicalTimeZone(v1TimeZoneRaw);
  if (!v1TimeZone) throw new ConfigError(`KORE_V1_TIME_ZONE must be an IANA time zone name: ${JSON.stringify(v1TimeZoneRaw)}`);
  const config: Config = {
    env: nodeEnv,
    port: int(env, 'PORT', 4000, 0, 65535),
    host: env.HOST?.trim() || undefined,
    kore: {
      host,
      clientId: clientId ?? DEMO_CLIENT_ID,
      clientSecret: clientSecret ?? DEMO_CLIENT_SECRET,
      apiVersion: oneOf(env, 'KORE_API_VERSION', ['v2', 'v1'], 'v2'),
      timeoutMs: int(env, 'KORE_TIMEOUT_MS', 10_000, 100, 120_000),
      tokenTtlSeconds: int(env, 'KORE_TOKEN_TTL_SECONDS', 300, 30, 3600),
      v1TimeZone,
    },
    redisUrl: redisUrl(env),
    resilience: {
      // Kore allows 60/min and 1,800/h per bot, shared with other clients: stay a little under.
      budgetPerMinute: int(env, 'BUDGET_PER_MINUTE', 50, 1, 100_000),
      budgetPerHour: int(env, 'BUDGET_PER_HOUR', 1500, 1, 1_000_000),
      budgetMaxWaitMs: int(env, 'BUDGET_MAX_WAIT_MS', 5000, 0, 120_000),
      retryMaxAttempts: int(env, 'RETRY_MAX_ATTEMPTS', 3, 1, 10),
      retryBaseDelayMs: int(env, 'RETRY_BASE_DELAY_MS', 200, 1, 60_000),
      retryMaxTotalMs: int(env, 'RETRY_MAX_TOTAL_MS', 20_000, 100, 300_000),
      breakerThreshold: int(env, 'BREAKER_THRESHOLD', 5, 1, 1000),
      breakerCooldownMs: int(env, 'BREAKER_COOLDOWN_MS', 15_000, 100, 600_000),
      cacheMaxBytes: int(env, 'CACHE_MAX_BYTES', 50_000_000, 0, 8_000_000_000),
      cacheTtlSettledSeconds: int(env, 'CACHE_TTL_SETTLED_SECONDS', 6 * 3600, 0, 30 * 86400),
      cacheTtlRecentSeconds: int(env, 'CACHE_TTL_RECENT_SECONDS', 60, 0, 86400),
      cacheStaleSeconds: int(env, 'CACHE_STALE_SECONDS', 86400, 0, 30 * 86400),
    },
    maxRangeDaysDaily: int(env, 'MAX_RANGE_DAYS_DAILY', 90, 1, 3660),
    maxRangeDaysHourly: int(env, 'MAX_RANGE_DAYS_HOURLY', 31, 1, 366),
    maxBodyBytes: int(env, 'MAX_BODY_BYTES', 102_400, 1024, 10_485_760),
    upstreamConcurrency: int(env, 'UPSTREAM_CONCURRENCY', 4, 1, 64),
    metricsBotLabels: bool(env, 'METRICS_BOT_LABELS', false),
    otlpTracesEndpoint: tracesEndpoint(env),
    serviceName: env.OTEL_SERVICE_NAME?.trim() || 'engagement-graph',
    shutdownGraceMs: int(env, 'SHUTDOWN_GRACE_MS', 25_000, 0, 600_000),
    logFormat: oneOf(env, 'LOG_FORMAT', ['json', 'pretty'], nodeEnv === 'development' && process.stdout.isTTY ? 'pretty' : 'json'),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], nodeEnv === 'test' ? 'silent' : 'info'),
    emulatorPort: int(env, 'EMULATOR_PORT', 0, 0, 65535),
    emulatorFaults: faultsFrom(env),
    landingPage: oneOf(env, 'LANDING_PAGE', ['sandbox', 'production', 'off'], nodeEnv === 'production' ? 'off' : 'sandbox'),
    introspection: bool(env, 'INTROSPECTION', nodeEnv !== 'production'),
    inlineTracing: bool(env, 'INLINE_TRACING', false),
  };
  if (config.maxRangeDaysHourly > config.maxRangeDaysDaily) {
    throw new ConfigError(`MAX_RANGE_DAYS_HOURLY (${config.maxRangeDaysHourly}) must not exceed MAX_RANGE_DAYS_DAILY (${config.maxRangeDaysDaily})`);
  }
  return deepFreeze(config);
}

function deepFreeze<T extends object>(value: T): T {
  for (const v of Object.values(value)) if (v && typeof v === 'object') deepFreeze(v);
  return Object.freeze(value);
}
