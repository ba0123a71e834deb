import { MAX_VALUE_DEPTH } from '../security/body';
import { bool, ConfigError, fraction, int, oneOf, parsed, text } from './env';

/**
 * The plain settings: one variable, one value, no rule across variables except those loadConfig
 * (index.ts) checks. Kore.ai apps are in credentials.ts, caller auth in auth.ts, the built-in
 * upstream in emulator.ts.
 */

function redisUrl(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be a redis:// or rediss:// URL`);
  }
  // Never echo the URL: it may carry a password.
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new ConfigError(`${name} must use redis:// or rediss://, not ${url.protocol}`);
  return value;
}

export const SETTINGS_VARIABLES = {
  NODE_ENV: oneOf(['development', 'production', 'test'], 'development'),
  PORT: int(0, 65535, 4000),
  HOST: text(),

  MAX_DEPTH: int(2, 100, 8),
  MAX_ALIASES: int(0, 10_000, 30),
  MAX_DIRECTIVES: int(0, 10_000, 30),
  MAX_TOKENS: int(200, 1_000_000, 1000),
  MAX_UPSTREAM_CALLS: int(1, 10_000, 20),
  MAX_JSON_DEPTH: int(8, MAX_VALUE_DEPTH, 64),
  /** Default: on in production. */
  HIDE_SCHEMA_DETAILS: bool(),

  REDIS_URL: parsed(redisUrl),
  // Kore allows 60/min and 1,800/h per bot, shared with other clients: stay a little under.
  BUDGET_PER_MINUTE: int(1, 100_000, 50),
  BUDGET_PER_HOUR: int(1, 1_000_000, 1500),
  BUDGET_MAX_WAIT_MS: int(0, 120_000, 5000),
  BUDGET_CALLER_SHARE: fraction(0.01, 1, 0.5),
  /** Default by AUTH_MODE: with `none` every caller is one, so nothing is kept back for another. */
  BUDGET_RESERVE_SHARE: fraction(0, 0.5),
  // At least the client's reconnect backoff cap (2 s) plus one heartbeat (1 s): every live replica
  // must have written its slots back before grants resume.
  BUDGET_RECOVERY_MS: int(3000, 60_000, 5000),
  RETRY_MAX_ATTEMPTS: int(1, 10, 3),
  RETRY_BASE_DELAY_MS: int(1, 60_000, 200),
  RETRY_MAX_TOTAL_MS: int(100, 300_000, 20_000),
  BREAKER_THRESHOLD: int(1, 1000, 5),
  BREAKER_COOLDOWN_MS: int(100, 600_000, 15_000),
  CACHE_MAX_BYTES: int(0, 8_000_000_000, 50_000_000),
  CACHE_TTL_SETTLED_SECONDS: int(0, 30 * 86400, 6 * 3600),
  CACHE_TTL_RECENT_SECONDS: int(0, 86400, 60),
  CACHE_STALE_SECONDS: int(0, 30 * 86400, 86400),
  /**
   * What `cache: DEFAULT` means. `stale-while-revalidate` since the real-time dashboard-wall
   * benchmark (BENCHMARKS.md): the same upstream calls as `wait`, but warm views never wait for
   * Kore.ai. `wait` is the behaviour before issue 18 (wait for a fresh answer, stale only when the
   * upstream fails).
   */
  CACHE_POLICY: oneOf(['wait', 'stale-while-revalidate', 'must-revalidate'], 'stale-while-revalidate'),
  FLIGHT_LEASE_MS: int(300, 60_000, 3000),
  // On by default: a refresh only ever takes slots no interactive caller waits for (the budget's
  // background class), for questions asked again within their freshness, so viewers of a busy
  // dashboard get cache hits instead of waiting when a short-lived answer expires.
  REFRESH: oneOf(['on', 'off'], 'on'),
  REFRESH_MAX_SHARE: fraction(0.01, 1, 0.2),

  MAX_RANGE_DAYS_DAILY: int(1, 3660, 90),
  MAX_RANGE_DAYS_HOURLY: int(1, 366, 31),
  MAX_BODY_BYTES: int(1024, 10_485_760, 102_400),
  UPSTREAM_CONCURRENCY: int(1, 64, 4),
  METRICS_BOT_LABELS: bool(false),
  /** The standard OpenTelemetry variables: a full traces URL, or a base endpoint + /v1/traces. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: text(),
  OTEL_EXPORTER_OTLP_ENDPOINT: text(),
  OTEL_SERVICE_NAME: text('engagement-graph'),
  SHUTDOWN_GRACE_MS: int(0, 600_000, 25_000),
  // A real client sends its headers in milliseconds; seconds are generous, and slow sockets then
  // hold a connection for seconds, not node's default minute. The whole request (body at most
  // MAX_BODY_BYTES) gets longer, for slow mobile links.
  HEADERS_TIMEOUT_MS: int(500, 300_000, 10_000),
  REQUEST_TIMEOUT_MS: int(500, 600_000, 30_000),
  // A replica behind a load balancer sees the balancer's pooled connections (tens to hundreds);
  // the cap only has to stop a flood of sockets from exhausting memory and file descriptors.
  MAX_CONNECTIONS: int(1, 1_000_000, 2000),
  // A healthy Redis answers these small commands in about a millisecond; this only bounds a hung one.
  REDIS_COMMAND_TIMEOUT_MS: int(100, 60_000, 500),
  /** Default: pretty in development at a terminal, JSON otherwise. */
  LOG_FORMAT: oneOf(['json', 'pretty']),
  /** Default: silent in test, info otherwise. */
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  /** Defaults for the next three: off in production, on otherwise. */
  LANDING_PAGE: oneOf(['sandbox', 'production', 'off']),
  EXPLORER: oneOf(['on', 'off']),
  INTROSPECTION: bool(),
  INLINE_TRACING: bool(false),
  /** Trusted documents: off (any document, APQ on), allow (manifest ids too, APQ off) or require (manifest ids only). */
  PERSISTED_DOCUMENTS: oneOf(['off', 'allow', 'require'], 'off'),
  /** An apollo-persisted-query-manifest file of the operations trusted besides the explorer's own. */
  PERSISTED_DOCUMENTS_MANIFEST: text(),
} as const;

/** The OTLP/HTTP traces URL from either OpenTelemetry variable; undefined = tracing off. */
export function tracesEndpoint(full: string | undefined, base: string | undefined): string | undefined {
  const url = full || (base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined);
  if (!url) return undefined;
  try {
    if (!/^https?:$/.test(new URL(url).protocol)) throw new Error();
  } catch {
    throw new ConfigError(`${full ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT'} must be an http(s) URL`);
  }
  return url;
}

/**
 * CACHE_MAX_BYTES bounds everything the process keeps per distinct request, in heap bytes measured
 * after a full collection: a fifth for whole operation answers, a tenth for the parsed documents and
 * persisted query texts Apollo keeps, a twentieth for the questions background refresh tracks, the
 * rest (thirteen twentieths) for upstream answers. With Redis holding upstream answers, only the
 * operation, document and refresh shares are in process.
 */
export function cacheShares(cacheMaxBytes: number): {
  readonly answers: number;
  readonly operations: number;
  readonly documents: number;
  readonly refresh: number;
} {
  const operations = Math.floor(cacheMaxBytes / 5);
  const documents = Math.floor(cacheMaxBytes / 10);
  const refresh = Math.floor(cacheMaxBytes / 20);
  return { answers: cacheMaxBytes - operations - documents - refresh, operations, documents, refresh };
}
