import { dirname, resolve } from 'node:path';
import { canonicalTimeZone } from '../time/zones';
import { ConfigError, int, oneOf, parsed, raw, readConfigFile, readerFor, secret, text, type Env, type Reader } from './env';
import type { Config, CredentialsConfig, KoreConfig, KoreCredential } from './schema';
import { Secret } from './secret';

/**
 * Which Kore.ai app answers for which bot: the KORE_* variables (one app for every bot), the
 * KORE_CREDENTIALS_FILE format (an app per bot), and the lookups the rest of the service uses.
 */

/** Credentials of the built-in upstream's demo app: public on purpose, useless anywhere else. */
export const DEMO_CLIENT_ID = 'cs-engagement-graph-demo';
export const DEMO_CLIENT_SECRET = 'demo-secret-for-the-built-in-upstream-only';

/** The Kore.ai app that answers for a bot: its own entry, else the default; undefined = not configured. */
/** Every distinct credential in the configuration (the built-in upstream needs to know the apps it serves). */
export function allCredentials(credentials: CredentialsConfig): KoreCredential[] {
  return [...new Set([...credentials.byBot.values(), ...(credentials.fallback ? [credentials.fallback] : [])])];
}

export function credentialFor(credentials: CredentialsConfig, botId: string): KoreCredential | undefined {
  return credentials.byBot.get(botId) ?? credentials.fallback;
}

/** `where` names the setting in messages: a variable, or a credentials file entry's field. */
function parseOrigin(value: string, where: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${where} must be an origin such as https://platform.kore.ai: ${JSON.stringify(value)}`);
  }
  if (!/^https?:$/.test(url.protocol) || url.username || url.password || url.search || url.hash) {
    throw new ConfigError(`${where} must be an http(s) origin without credentials, query or fragment: ${JSON.stringify(url.origin)}`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function timeZoneSetting(value: string, where: string): string {
  const zone = canonicalTimeZone(value);
  if (!zone) throw new ConfigError(`${where} must be an IANA time zone name: ${JSON.stringify(value)}`);
  return zone;
}

const timeZone = (fallback: string): Reader<string> => ({ read: (env, name) => timeZoneSetting(env[name]?.trim() || fallback, name) });

export const KORE_VARIABLES = {
  /** Unset = the built-in upstream. */
  KORE_HOST: parsed(parseOrigin),
  KORE_CLIENT_ID: text(),
  KORE_CLIENT_SECRET: secret(),
  KORE_CREDENTIALS_FILE: text(),
  KORE_V1_TIME_ZONE: timeZone('UTC'),
  KORE_API_VERSION: oneOf(['v2', 'v1'], 'v2'),
  // Under a minute: the budget counts a call until it ends, and its minute window needs every
  // call to end before the next minute's slots are handed out (budget.ts).
  KORE_TIMEOUT_MS: int(100, 50_000, 10_000),
  // Kore refuses `jti` tokens living over an hour.
  KORE_TOKEN_TTL_SECONDS: int(30, 3600, 300),
  /** In production, serving the demo upstream must be asked for with exactly `true`. */
  USE_BUILTIN_UPSTREAM: raw(),
} as const;

const BOT_KEY = /^[A-Za-z0-9_-]{1,64}$/;
const CREDENTIAL_FIELDS = new Set(['host', 'clientId', 'clientSecret', 'clientSecretFile', 'apiVersion', 'v1TimeZone']);

/**
 * KORE_CREDENTIALS_FILE: a JSON object from bot id (or `*`) to `{ host?, clientId, clientSecret |
 * clientSecretFile, apiVersion?, v1TimeZone? }`. Missing fields default to the KORE_* variables;
 * a relative clientSecretFile is relative to the credentials file. Errors never quote a secret.
 */
function credentialsFile(path: string, defaults: Omit<KoreCredential, 'clientId' | 'clientSecret'>): Map<string, KoreCredential> {
  const contents = readConfigFile(path, 'KORE_CREDENTIALS_FILE');
  let json: unknown;
  try {
    json = JSON.parse(contents);
  } catch {
    // JSON.parse's own message quotes the text around the mistake, which may be a secret.
    throw new ConfigError(`KORE_CREDENTIALS_FILE is not valid JSON: ${JSON.stringify(path)}`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new ConfigError('KORE_CREDENTIALS_FILE must hold a JSON object from bot id (or "*") to credentials');
  }
  const out = new Map<string, KoreCredential>();
  for (const [bot, value] of Object.entries(json as Record<string, unknown>)) {
    const where = `KORE_CREDENTIALS_FILE entry ${JSON.stringify(bot)}`;
    if (bot !== '*' && !BOT_KEY.test(bot))
      throw new ConfigError(`${where}: the key must be a bot id (1–64 letters, digits, "-" or "_") or "*"`);
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`${where} must be an object`);
    const entry = value as Record<string, unknown>;
    const unknown = Object.keys(entry).filter((k) => !CREDENTIAL_FIELDS.has(k));
    if (unknown.length)
      throw new ConfigError(`${where} has unknown fields: ${unknown.join(', ')} (allowed: ${[...CREDENTIAL_FIELDS].join(', ')})`);
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
    if ((inline === undefined) === (file === undefined))
      throw new ConfigError(`${where}: set exactly one of clientSecret and clientSecretFile`);
    const clientSecret =
      inline ?? readConfigFile(resolve(dirname(path), file as string), `${where}: clientSecretFile`).replace(/\r?\n$/, '');
    if (!clientSecret) throw new ConfigError(`${where}: the client secret is empty`);
    const host = str('host')?.trim();
    const apiVersion = str('apiVersion');
    if (apiVersion !== undefined && apiVersion !== 'v1' && apiVersion !== 'v2')
      throw new ConfigError(`${where}: apiVersion must be v1 or v2`);
    const zone = str('v1TimeZone');
    out.set(bot, {
      host: host === undefined ? defaults.host : parseOrigin(host, where),
      clientId,
      clientSecret: new Secret(clientSecret),
      apiVersion: apiVersion ?? defaults.apiVersion,
      v1TimeZone: zone === undefined ? defaults.v1TimeZone : timeZoneSetting(zone, `${where}: v1TimeZone`),
    });
  }
  return out;
}

/** The default Kore.ai app and the per-bot map; the rules across the KORE_* variables live here. */
export function credentialsFrom(env: Env, nodeEnv: Config['env']): { defaultCredential: KoreCredential; credentials: CredentialsConfig } {
  const read = readerFor(env, KORE_VARIABLES);
  const host = read('KORE_HOST');
  const clientId = read('KORE_CLIENT_ID');
  const clientSecret = read('KORE_CLIENT_SECRET');
  const credentialsPath = read('KORE_CREDENTIALS_FILE');
  if (!clientId !== !clientSecret)
    throw new ConfigError('set both KORE_CLIENT_ID and KORE_CLIENT_SECRET (or KORE_CLIENT_SECRET_FILE), or neither');
  if (host && !clientId && !credentialsPath) {
    throw new ConfigError('KORE_HOST is set, so KORE_CLIENT_ID and KORE_CLIENT_SECRET must be set too (or KORE_CREDENTIALS_FILE)');
  }
  if (!host && clientId) {
    throw new ConfigError(
      'KORE_CLIENT_ID/KORE_CLIENT_SECRET are set but KORE_HOST is not: set KORE_HOST, or unset both to use the built-in upstream',
    );
  }
  const v1TimeZone = read('KORE_V1_TIME_ZONE');
  const apiVersion = read('KORE_API_VERSION');
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
  if (builtinUsed && nodeEnv === 'production' && read('USE_BUILTIN_UPSTREAM') !== 'true') {
    throw new ConfigError(
      'KORE_HOST is not set in production: set KORE_HOST, KORE_CLIENT_ID and KORE_CLIENT_SECRET, or USE_BUILTIN_UPSTREAM=true to serve demo data on purpose',
    );
  }
  return { defaultCredential, credentials: { byBot, fallback } };
}

/** HTTP settings shared by every Kore.ai app. */
export function koreCallsFrom(env: Env): Pick<KoreConfig, 'timeoutMs' | 'tokenTtlSeconds'> {
  const read = readerFor(env, KORE_VARIABLES);
  return { timeoutMs: read('KORE_TIMEOUT_MS'), tokenTtlSeconds: read('KORE_TOKEN_TTL_SECONDS') };
}
