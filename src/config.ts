import { createPublicKey, createSecretKey, KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Algorithm } from 'jsonwebtoken';
import { canonicalTimeZone } from './time/zones';
import { parseFaults, type Faults } from './emulator/faults';
import { Secret } from './secret';
import { MAX_VALUE_DEPTH } from './security/body';

/**
 * The only reader of process.env. Everything is validated eagerly at start-up and the result is
 * frozen; a bad value throws a ConfigError that names the variable and the value (never a secret's value).
 */

export type ApiVersion = 'v1' | 'v2';

/** One Kore.ai app: where to call and as whom, for the bots mapped to it. */
export interface KoreCredential {
  /** Origin with scheme, no trailing slash. Undefined = use the built-in upstream. */
  readonly host: string | undefined;
  readonly clientId: string;
  readonly clientSecret: Secret;
  readonly apiVersion: ApiVersion;
  /** The zone v1 aggregates in (v1 takes no time zone parameter). Other zones are refused on v1. */
  readonly v1TimeZone: string;
}

export interface KoreConfig extends KoreCredential {
  readonly timeoutMs: number;
  /** Lifetime of each minted upstream JWT. Kore refuses `jti` tokens living over an hour. */
  readonly tokenTtlSeconds: number;
}

/** Which Kore.ai app answers for which bot (KORE_CREDENTIALS_FILE, else the KORE_* variables for every bot). */
export interface CredentialsConfig {
  readonly byBot: ReadonlyMap<string, KoreCredential>;
  /** For bots not listed: the file's `*` entry or the KORE_* variables; undefined = such bots are refused. */
  readonly fallback: KoreCredential | undefined;
}

export interface AuthConfig {
  readonly mode: 'none' | 'jwt';
  /** An HS256-family shared secret or an RS/ES/PS public key; set when mode is jwt. */
  readonly key: KeyObject | undefined;
  readonly algorithms: readonly Algorithm[];
  readonly issuer: string | undefined;
  readonly audience: readonly string[] | undefined;
  readonly clockToleranceSeconds: number;
  /** Refuse tokens without `exp` (a token that never expires is a password). */
  readonly requireExpiry: boolean;
  /** The claim listing the bot ids a caller may read (an array, a space/comma separated string, or `*`). */
  readonly botsClaim: string;
  /** Lower-case name of the header carrying `Bearer <token>`. */
  readonly tokenHeader: string;
  /** When set, every /graphql request must carry it in `routerSecretHeader` (behind Apollo Router). */
  readonly routerSecret: Secret | undefined;
  readonly routerSecretHeader: string;
}

/** Operation limits, checked before anything runs. */
export interface LimitsConfig {
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxDirectives: number;
  readonly maxTokens: number;
  /** Most distinct Kore.ai calls one operation may cause (the cost limit). */
  readonly maxUpstreamCalls: number;
  /** Deepest nesting of a request's JSON (body, GET variables and extensions), refused before parsing. */
  readonly maxJsonDepth: number;
}

export interface ResilienceConfig {
  readonly budgetPerMinute: number;
  readonly budgetPerHour: number;
  readonly budgetMaxWaitMs: number;
  /** Most of a bot's budget one caller may hold while other callers are active (0–1]. */
  readonly budgetCallerShare: number;
  /** Share of a bot's budget a lone caller leaves free for the next caller [0–1). */
  readonly budgetReserveShare: number;
  /** After Redis lost the budget, how long no slot is granted while replicas write theirs back. */
  readonly budgetRecoveryMs: number;
  readonly retryMaxAttempts: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxTotalMs: number;
  readonly breakerThreshold: number;
  readonly breakerCooldownMs: number;
  readonly cacheMaxBytes: number;
  readonly cacheTtlSettledSeconds: number;
  readonly cacheTtlRecentSeconds: number;
  readonly cacheStaleSeconds: number;
  /** Cross-replica single flight: how long a leader's claim lives unless it renews it (a dead leader is noticed after about this). */
  readonly flightLeaseMs: number;
}

/**
 * CACHE_MAX_BYTES bounds everything the process keeps per distinct request, in heap bytes measured
 * after a full collection: a fifth for whole operation answers, a tenth for the parsed documents and
 * persisted query texts Apollo keeps, the rest (seven tenths) for upstream answers. With Redis
 * holding upstream answers, only the operation and document shares are in process.
 */
export function cacheShares(cacheMaxBytes: number): { readonly answers: number; readonly operations: number; readonly documents: number } {
  const operations = Math.floor(cacheMaxBytes / 5);
  const documents = Math.floor(cacheMaxBytes / 10);
  return { answers: cacheMaxBytes - operations - documents, operations, documents };
}

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string | undefined;
  /** The default Kore.ai app (KORE_* variables, or the built-in upstream's demo app) and HTTP settings for all. */
  readonly kore: KoreConfig;
  readonly credentials: CredentialsConfig;
  readonly auth: AuthConfig;
  readonly limits: LimitsConfig;
  /** Hide "Did you mean …?" and other schema hints in error messages. */
  readonly hideSchemaDetails: boolean;
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
  /** Longest a client may take to send a request's headers (from its connection or its request's first byte). */
  readonly headersTimeoutMs: number;
  /** Longest a client may take to send a whole request, body included (not the time to answer it). */
  readonly requestTimeoutMs: number;
  /** Most open client connections; connections over it are closed as soon as they are accepted. */
  readonly maxConnections: number;
  /** Longest one Redis command may take before it fails (fail closed) on a Redis that accepts but hangs. */
  readonly redisCommandTimeoutMs: number;
  /** `pretty` for people at a terminal in development; JSON otherwise (and always when piped). */
  readonly logFormat: 'json' | 'pretty';
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** What a browser opening /graphql sees: Apollo Sandbox, Apollo's production page, or nothing. */
  readonly landingPage: 'sandbox' | 'production' | 'off';
  /** GET /explore, the engagement explorer page: on by default except in production (EXPLORER=on|off). */
  readonly explorer: boolean;
  readonly introspection: boolean;
  /** Federated inline traces (ftv1) for routers reporting to GraphOS; off saves per-field timing work. */
  readonly inlineTracing: boolean;
  /** Initial fault switches of the built-in upstream (EMULATOR_FAULTS, JSON). */
  readonly emulatorFaults: Partial<Faults>;
  /** Port for the built-in upstream when KORE_HOST is unset (0 = any free loopback port). */
  readonly emulatorPort: number;
}

/** The Kore.ai app that answers for a bot: its own entry, else the default; undefined = not configured. */
export function credentialFor(credentials: CredentialsConfig, botId: string): KoreCredential | undefined {
  return credentials.byBot.get(botId) ?? credentials.fallback;
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

/** A whole number from the environment within [min, max], or the fallback when unset. */
export function int(env: Env, name: string, fallback: number, min: number, max: number): number {
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

/** A fraction from the environment within [min, max] (e.g. 0.5), or the fallback when unset. */
function fraction(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!/^\s*(0|1)?(\.\d+)?\s*$/.test(raw) || !Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a number from ${min} to ${max}: ${JSON.stringify(raw)}`);
  }
  return value;
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

function origin(env: Env, name: string, where = name): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${where} must be an origin such as https://platform.kore.ai: ${JSON.stringify(raw)}`);
  }
  if (!/^https?:$/.test(url.protocol) || url.username || url.password || url.search || url.hash) {
    throw new ConfigError(`${where} must be an http(s) origin without credentials, query or fragment: ${JSON.stringify(url.origin)}`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Reads a file named by configuration; errors name the path, never the contents. */
function readConfigFile(path: string, name: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`${name} names a file that cannot be read (${code}): ${JSON.stringify(path)}`);
  }
}

/**
 * A secret from `NAME` or from the file `NAME_FILE` (Docker and Kubernetes secrets), never both.
 * One trailing newline of a file is dropped: `echo secret > file` is the usual way to make one.
 */
function secretFrom(env: Env, name: string): string | undefined {
  const direct = env[name];
  const file = env[`${name}_FILE`]?.trim();
  if (direct && file) throw new ConfigError(`set ${name} or ${name}_FILE, not both`);
  if (file) {
    const text = readConfigFile(file, `${name}_FILE`).replace(/\r?\n$/, '');
    if (!text) throw new ConfigError(`${name}_FILE names an empty file: ${JSON.stringify(file)}`);
    return text;
  }
  return direct || undefined;
}

const BOT_KEY = /^[A-Za-z0-9_-]{1,64}$/;
const CREDENTIAL_FIELDS = new Set(['host', 'clientId', 'clientSecret', 'clientSecretFile', 'apiVersion', 'v1TimeZone']);

function timeZoneSetting(raw: string, name: string): string {
  const zone = canonicalTimeZone(raw);
  if (!zone) throw new ConfigError(`${name} must be an IANA time zone name: ${JSON.stringify(raw)}`);
  return zone;
}

/**
 * KORE_CREDENTIALS_FILE: a JSON object from bot id (or `*`) to `{ host?, clientId, clientSecret |
 * clientSecretFile, apiVersion?, v1TimeZone? }`. Missing fields default to the KORE_* variables;
 * a relative clientSecretFile is relative to the credentials file. Errors never quote a secret.
 */
function credentialsFile(path: string, defaults: Omit<KoreCredential, 'clientId' | 'clientSecret'>): Map<string, KoreCredential> {
  const text = readConfigFile(path, 'KORE_CREDENTIALS_FILE');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse's own message quotes the text around the mistake, which may be a secret.
    throw new ConfigError(`KORE_CREDENTIALS_FILE is not valid JSON: ${JSON.stringify(path)}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError('KORE_CREDENTIALS_FILE must hold a JSON object from bot id (or "*") to credentials');
  }
  const out = new Map<string, KoreCredential>();
  for (const [bot, value] of Object.entries(parsed as Record<string, unknown>)) {
    const where = `KORE_CREDENTIALS_FILE entry ${JSON.stringify(bot)}`;
    if (bot !== '*' && !BOT_KEY.test(bot)) throw new ConfigError(`${where}: the key must be a bot id (1–64 letters, digits, "-" or "_") or "*"`);
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`${where} must be an object`);
    const entry = value as Record<string, unknown>;
    const unknown = Object.keys(entry).filter((k) => !CREDENTIAL_FIELDS.has(k));
    if (unknown.length) throw new ConfigError(`${where} has unknown fields: ${unknown.join(', ')} (allowed: ${[...CREDENTIAL_FIELDS].join(', ')})`);
    const str = (field: string): string | undefined => {
      const v = entry[field];
      if (v === undefined) return undefined;
      if (typeof v !== 'string' || v.trim() === '') throw new ConfigError(`${where}: ${field} must be a non-empty string`);
      return v;
    };
    const clientId = str('clientId')?.trim();
    if (!clientId) throw new ConfigError(`${where}: clientId is required`);
    const inline = str('clientSecret');
    const file = str('clientSecretFile');
    if ((inline === undefined) === (file === undefined)) throw new ConfigError(`${where}: set exactly one of clientSecret and clientSecretFile`);
    const secret = inline ?? readConfigFile(resolve(dirname(path), file as string), `${where}: clientSecretFile`).replace(/\r?\n$/, '');
    if (!secret) throw new ConfigError(`${where}: the client secret is empty`);
    const host = str('host');
    const apiVersion = str('apiVersion');
    if (apiVersion !== undefined && apiVersion !== 'v1' && apiVersion !== 'v2') throw new ConfigError(`${where}: apiVersion must be v1 or v2`);
    const zone = str('v1TimeZone');
    out.set(bot, {
      host: host === undefined ? defaults.host : origin({ host }, 'host', where),
      clientId,
      clientSecret: new Secret(secret),
      apiVersion: apiVersion ?? defaults.apiVersion,
      v1TimeZone: zone === undefined ? defaults.v1TimeZone : timeZoneSetting(zone, `${where}: v1TimeZone`),
    });
  }
  return out;
}

const HMAC: readonly Algorithm[] = ['HS256', 'HS384', 'HS512'];
const BY_KEY_TYPE: Readonly<Record<string, readonly Algorithm[]>> = {
  secret: HMAC,
  rsa: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'],
  'rsa-pss': ['PS256', 'PS384', 'PS512'],
  ec: ['ES256', 'ES384', 'ES512'],
};

function authFrom(env: Env, nodeEnv: Config['env']): AuthConfig {
  const rawMode = env.AUTH_MODE?.trim();
  if (!rawMode && nodeEnv === 'production') {
    throw new ConfigError('AUTH_MODE must be set in production: jwt (callers send a Bearer token) or none (the API is open to anyone who can reach it)');
  }
  const mode = oneOf(env, 'AUTH_MODE', ['none', 'jwt'], 'none');
  const secret = secretFrom(env, 'AUTH_JWT_SECRET');
  const publicKey = secretFrom(env, 'AUTH_JWT_PUBLIC_KEY');
  const routerSecret = secretFrom(env, 'ROUTER_SECRET');
  const header = (name: string, fallback: string) => {
    const raw = env[name]?.trim().toLowerCase() || fallback;
    if (!/^[a-z0-9-]{1,64}$/.test(raw)) throw new ConfigError(`${name} must be an HTTP header name: ${JSON.stringify(env[name])}`);
    return raw;
  };
  const common = {
    mode,
    botsClaim: env.AUTH_BOTS_CLAIM?.trim() || 'bots',
    tokenHeader: header('AUTH_TOKEN_HEADER', 'authorization'),
    routerSecret: routerSecret === undefined ? undefined : new Secret(routerSecret),
    routerSecretHeader: header('ROUTER_SECRET_HEADER', 'x-router-secret'),
  };
  if (routerSecret !== undefined && routerSecret.length < 16) throw new ConfigError('ROUTER_SECRET must be at least 16 characters');
  if (mode === 'none') {
    const stray = ['AUTH_JWT_SECRET', 'AUTH_JWT_PUBLIC_KEY', 'AUTH_JWT_ISSUER', 'AUTH_JWT_AUDIENCE', 'AUTH_JWT_ALGORITHMS'].filter((n) => env[n] || env[`${n}_FILE`]);
    if (stray.length) throw new ConfigError(`${stray.join(', ')} set but AUTH_MODE is none: set AUTH_MODE=jwt to check caller tokens, or unset them`);
    return { ...common, key: undefined, algorithms: [], issuer: undefined, audience: undefined, clockToleranceSeconds: 0, requireExpiry: true };
  }
  if ((secret === undefined) === (publicKey === undefined)) {
    throw new ConfigError('AUTH_MODE=jwt needs exactly one of AUTH_JWT_SECRET (HS256) and AUTH_JWT_PUBLIC_KEY (RS256/ES256 PEM), or their _FILE variants');
  }
  let key: KeyObject;
  if (secret !== undefined) {
    if (Buffer.byteLength(secret) < 32) throw new ConfigError('AUTH_JWT_SECRET must be at least 32 bytes (256 bits) for HS256');
    key = createSecretKey(Buffer.from(secret, 'utf8'));
  } else {
    try {
      key = createPublicKey(publicKey as string);
    } catch {
      throw new ConfigError('AUTH_JWT_PUBLIC_KEY is not a PEM public key (RSA or EC)');
    }
  }
  const keyType = key.type === 'secret' ? 'secret' : (key.asymmetricKeyType ?? 'unknown');
  const usable = BY_KEY_TYPE[keyType] ?? [];
  if (!usable.length) throw new ConfigError(`AUTH_JWT_PUBLIC_KEY has an unsupported key type: ${keyType}`);
  const listed = env.AUTH_JWT_ALGORITHMS?.split(',').map((a) => a.trim()).filter(Boolean);
  const algorithms = (listed?.length ? listed : [keyType === 'secret' ? 'HS256' : keyType === 'ec' ? 'ES256' : usable[0]]) as Algorithm[];
  const wrong = algorithms.filter((a) => !usable.includes(a));
  if (wrong.length) {
    throw new ConfigError(`AUTH_JWT_ALGORITHMS ${wrong.join(', ')} cannot be used with ${keyType === 'secret' ? 'AUTH_JWT_SECRET' : `this ${keyType} key`} (usable: ${usable.join(', ')})`);
  }
  const audience = env.AUTH_JWT_AUDIENCE?.split(',').map((a) => a.trim()).filter(Boolean);
  return {
    ...common,
    key,
    algorithms,
    issuer: env.AUTH_JWT_ISSUER?.trim() || undefined,
    audience: audience?.length ? audience : undefined,
    clockToleranceSeconds: int(env, 'AUTH_JWT_CLOCK_TOLERANCE_SECONDS', 30, 0, 600),
    requireExpiry: bool(env, 'AUTH_JWT_REQUIRE_EXP', true),
  };
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'], 'development');
  const host = origin(env, 'KORE_HOST');
  const clientId = env.KORE_CLIENT_ID?.trim() || undefined;
  const clientSecret = secretFrom(env, 'KORE_CLIENT_SECRET');
  const credentialsPath = env.KORE_CREDENTIALS_FILE?.trim() || undefined;
  if (!clientId !== !clientSecret) throw new ConfigError('set both KORE_CLIENT_ID and KORE_CLIENT_SECRET (or KORE_CLIENT_SECRET_FILE), or neither');
  if (host && !clientId && !credentialsPath) {
    throw new ConfigError('KORE_HOST is set, so KORE_CLIENT_ID and KORE_CLIENT_SECRET must be set too (or KORE_CREDENTIALS_FILE)');
  }
  if (!host && clientId) {
    throw new ConfigError('KORE_CLIENT_ID/KORE_CLIENT_SECRET are set but KORE_HOST is not: set KORE_HOST, or unset both to use the built-in upstream');
  }
  const v1TimeZone = timeZoneSetting(env.KORE_V1_TIME_ZONE?.trim() || 'UTC', 'KORE_V1_TIME_ZONE');
  const apiVersion = oneOf(env, 'KORE_API_VERSION', ['v2', 'v1'], 'v2');
  const defaultCredential: KoreCredential = {
    host,
    clientId: clientId ?? DEMO_CLIENT_ID,
    clientSecret: new Secret(clientSecret ?? DEMO_CLIENT_SECRET),
    apiVersion,
    v1TimeZone,
  };
  const byBot = credentialsPath ? credentialsFile(credentialsPath, { host, apiVersion, v1TimeZone }) : new Map<string, KoreCredential>();
  const star = byBot.get('*');
  byBot.delete('*');
  if (star && clientId) throw new ConfigError('KORE_CREDENTIALS_FILE has a "*" entry and KORE_CLIENT_ID is set: keep one default');
  // Without a file, every bot uses the KORE_* app (or the demo app). With one, unlisted bots use
  // its "*" entry, else the KORE_* app when given; otherwise they are refused.
  const fallback = !credentialsPath ? defaultCredential : (star ?? (clientId ? defaultCredential : undefined));
  const builtinUsed = [...byBot.values(), ...(fallback ? [fallback] : [])].some((c) => c.host === undefined);
  if (builtinUsed && nodeEnv === 'production' && env.USE_BUILTIN_UPSTREAM !== 'true') {
    throw new ConfigError('KORE_HOST is not set in production: set KORE_HOST, KORE_CLIENT_ID and KORE_CLIENT_SECRET, or USE_BUILTIN_UPSTREAM=true to serve demo data on purpose');
  }
  const auth = authFrom(env, nodeEnv);
  const config: Config = {
    env: nodeEnv,
    port: int(env, 'PORT', 4000, 0, 65535),
    host: env.HOST?.trim() || undefined,
    kore: {
      ...defaultCredential,
      // Under a minute: the budget counts a call until it ends, and its minute window needs every
      // call to end before the next minute's slots are handed out (budget.ts).
      timeoutMs: int(env, 'KORE_TIMEOUT_MS', 10_000, 100, 50_000),
      tokenTtlSeconds: int(env, 'KORE_TOKEN_TTL_SECONDS', 300, 30, 3600),
    },
    credentials: { byBot, fallback },
    auth,
    limits: {
      maxDepth: int(env, 'MAX_DEPTH', 8, 2, 100),
      maxAliases: int(env, 'MAX_ALIASES', 30, 0, 10_000),
      maxDirectives: int(env, 'MAX_DIRECTIVES', 30, 0, 10_000),
      maxTokens: int(env, 'MAX_TOKENS', 1000, 200, 1_000_000),
      maxUpstreamCalls: int(env, 'MAX_UPSTREAM_CALLS', 20, 1, 10_000),
      maxJsonDepth: int(env, 'MAX_JSON_DEPTH', 64, 8, MAX_VALUE_DEPTH),
    },
    hideSchemaDetails: bool(env, 'HIDE_SCHEMA_DETAILS', nodeEnv === 'production'),
    redisUrl: redisUrl(env),
    resilience: {
      // Kore allows 60/min and 1,800/h per bot, shared with other clients: stay a little under.
      budgetPerMinute: int(env, 'BUDGET_PER_MINUTE', 50, 1, 100_000),
      budgetPerHour: int(env, 'BUDGET_PER_HOUR', 1500, 1, 1_000_000),
      budgetMaxWaitMs: int(env, 'BUDGET_MAX_WAIT_MS', 5000, 0, 120_000),
      budgetCallerShare: fraction(env, 'BUDGET_CALLER_SHARE', 0.5, 0.01, 1),
      // With AUTH_MODE=none every caller is one, so nothing is kept back for another.
      budgetReserveShare: fraction(env, 'BUDGET_RESERVE_SHARE', auth.mode === 'jwt' ? 0.25 : 0, 0, 0.5),
      // At least the client's reconnect backoff cap (2 s) plus one heartbeat (1 s): every live replica
      // must have written its slots back before grants resume.
      budgetRecoveryMs: int(env, 'BUDGET_RECOVERY_MS', 5000, 3000, 60_000),
      retryMaxAttempts: int(env, 'RETRY_MAX_ATTEMPTS', 3, 1, 10),
      retryBaseDelayMs: int(env, 'RETRY_BASE_DELAY_MS', 200, 1, 60_000),
      retryMaxTotalMs: int(env, 'RETRY_MAX_TOTAL_MS', 20_000, 100, 300_000),
      breakerThreshold: int(env, 'BREAKER_THRESHOLD', 5, 1, 1000),
      breakerCooldownMs: int(env, 'BREAKER_COOLDOWN_MS', 15_000, 100, 600_000),
      cacheMaxBytes: int(env, 'CACHE_MAX_BYTES', 50_000_000, 0, 8_000_000_000),
      cacheTtlSettledSeconds: int(env, 'CACHE_TTL_SETTLED_SECONDS', 6 * 3600, 0, 30 * 86400),
      cacheTtlRecentSeconds: int(env, 'CACHE_TTL_RECENT_SECONDS', 60, 0, 86400),
      cacheStaleSeconds: int(env, 'CACHE_STALE_SECONDS', 86400, 0, 30 * 86400),
      flightLeaseMs: int(env, 'FLIGHT_LEASE_MS', 3000, 300, 60_000),
    },
    maxRangeDaysDaily: int(env, 'MAX_RANGE_DAYS_DAILY', 90, 1, 3660),
    maxRangeDaysHourly: int(env, 'MAX_RANGE_DAYS_HOURLY', 31, 1, 366),
    maxBodyBytes: int(env, 'MAX_BODY_BYTES', 102_400, 1024, 10_485_760),
    upstreamConcurrency: int(env, 'UPSTREAM_CONCURRENCY', 4, 1, 64),
    metricsBotLabels: bool(env, 'METRICS_BOT_LABELS', false),
    otlpTracesEndpoint: tracesEndpoint(env),
    serviceName: env.OTEL_SERVICE_NAME?.trim() || 'engagement-graph',
    shutdownGraceMs: int(env, 'SHUTDOWN_GRACE_MS', 25_000, 0, 600_000),
    // A real client sends its headers in milliseconds; seconds are generous, and slow sockets then
    // hold a connection for seconds, not node's default minute. The whole request (body at most
    // MAX_BODY_BYTES) gets longer, for slow mobile links.
    headersTimeoutMs: int(env, 'HEADERS_TIMEOUT_MS', 10_000, 500, 300_000),
    requestTimeoutMs: int(env, 'REQUEST_TIMEOUT_MS', 30_000, 500, 600_000),
    // A replica behind a load balancer sees the balancer's pooled connections (tens to hundreds);
    // the cap only has to stop a flood of sockets from exhausting memory and file descriptors.
    maxConnections: int(env, 'MAX_CONNECTIONS', 2000, 1, 1_000_000),
    // A healthy Redis answers these small commands in about a millisecond; this only bounds a hung one.
    redisCommandTimeoutMs: int(env, 'REDIS_COMMAND_TIMEOUT_MS', 500, 100, 60_000),
    logFormat: oneOf(env, 'LOG_FORMAT', ['json', 'pretty'], nodeEnv === 'development' && process.stdout.isTTY ? 'pretty' : 'json'),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], nodeEnv === 'test' ? 'silent' : 'info'),
    emulatorPort: int(env, 'EMULATOR_PORT', 0, 0, 65535),
    emulatorFaults: faultsFrom(env),
    landingPage: oneOf(env, 'LANDING_PAGE', ['sandbox', 'production', 'off'], nodeEnv === 'production' ? 'off' : 'sandbox'),
    explorer: oneOf(env, 'EXPLORER', ['on', 'off'], nodeEnv === 'production' ? 'off' : 'on') === 'on',
    introspection: bool(env, 'INTROSPECTION', nodeEnv !== 'production'),
    inlineTracing: bool(env, 'INLINE_TRACING', false),
  };
  // node refuses a headers timeout longer than the request timeout (the headers are part of the request).
  if (config.headersTimeoutMs > config.requestTimeoutMs) {
    throw new ConfigError(`HEADERS_TIMEOUT_MS (${config.headersTimeoutMs}) must not exceed REQUEST_TIMEOUT_MS (${config.requestTimeoutMs})`);
  }
  if (config.maxRangeDaysHourly > config.maxRangeDaysDaily) {
    throw new ConfigError(`MAX_RANGE_DAYS_HOURLY (${config.maxRangeDaysHourly}) must not exceed MAX_RANGE_DAYS_DAILY (${config.maxRangeDaysDaily})`);
  }
  return deepFreeze(config);
}

function deepFreeze<T extends object>(value: T): T {
  // KeyObjects and Secrets hold their material internally; Maps are typed read-only.
  for (const v of Object.values(value)) if (v && typeof v === 'object' && !(v instanceof Map) && !(v instanceof KeyObject)) deepFreeze(v);
  return Object.freeze(value);
}
