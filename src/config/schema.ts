import type { KeyObject } from 'node:crypto';
import type { Algorithm } from 'jsonwebtoken';
import type { ApiVersion, ServingPolicy } from '../engagement/model';
import type { Faults } from './emulator';
import type { Secret } from './secret';

/**
 * The shape of the configuration: what the rest of the service may rely on. loadConfig (index.ts)
 * builds it once at start-up, validated and deeply frozen; each part comes from one config/ file
 * (settings.ts, credentials.ts, auth.ts, emulator.ts).
 */

export type { ApiVersion } from '../engagement/model';

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
  /** How an expired answer is served when a question says `cache: DEFAULT` (or nothing). */
  readonly cachePolicy: ServingPolicy;
  /** Cross-replica single flight: how long a leader's claim lives unless it renews it (a dead leader is noticed after about this). */
  readonly flightLeaseMs: number;
  /** Background refresh of questions asked again, from spare budget only. */
  readonly refresh: boolean;
  /** Most of a bot's minute budget refreshes may hold (0–1]. */
  readonly refreshMaxShare: number;
}

/** One operation of an Apollo persisted query manifest (`apollo-persisted-query-manifest`, version 1). */
export interface ManifestOperation {
  /** What clients send as `extensions.persistedQuery.sha256Hash` (by default the SHA-256 of `body`). */
  readonly id: string;
  readonly name: string;
  readonly type: 'query' | 'mutation' | 'subscription';
  /** The document run for this id. */
  readonly body: string;
}

/** Trusted documents (PERSISTED_DOCUMENTS, PERSISTED_DOCUMENTS_MANIFEST), loaded and checked at start-up. */
export interface PersistedDocumentsConfig {
  /** off: any document, APQ on. allow: manifest ids and free text, APQ off. require: manifest ids only, APQ off. */
  readonly mode: 'off' | 'allow' | 'require';
  /** The trusted operations: the manifest file's and, with the explorer on, the explorer's shipped ones; empty when off. */
  readonly operations: readonly ManifestOperation[];
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
  readonly persistedDocuments: PersistedDocumentsConfig;
  /** Initial fault switches of the built-in upstream (EMULATOR_FAULTS, JSON). */
  readonly emulatorFaults: Partial<Faults>;
  /** Port for the built-in upstream when KORE_HOST is unset (0 = any free loopback port). */
  readonly emulatorPort: number;
}
