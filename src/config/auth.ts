import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import type { Algorithm } from 'jsonwebtoken';
import { bool, ConfigError, header, int, isSet, list, oneOf, readerFor, secret, text, type Env } from './env';
import type { AuthConfig, Config } from './schema';
import { Secret } from './secret';

/**
 * Who may call: caller tokens (AUTH_*) and the router's shared secret. The key policy is here:
 * which algorithms a key may verify, so that a public key can never be used as an HMAC secret
 * (algorithm confusion) and `none` is never accepted.
 */

export const AUTH_VARIABLES = {
  /** Required in production: an open API must be chosen, not defaulted to. */
  AUTH_MODE: oneOf(['none', 'jwt']),
  AUTH_JWT_SECRET: secret(),
  AUTH_JWT_PUBLIC_KEY: secret(),
  AUTH_JWT_ALGORITHMS: list(),
  AUTH_JWT_ISSUER: text(),
  AUTH_JWT_AUDIENCE: list(),
  AUTH_JWT_CLOCK_TOLERANCE_SECONDS: int(0, 600, 30),
  AUTH_JWT_REQUIRE_EXP: bool(true),
  AUTH_BOTS_CLAIM: text('bots'),
  AUTH_TOKEN_HEADER: header('authorization'),
  ROUTER_SECRET: secret(),
  ROUTER_SECRET_HEADER: header('x-router-secret'),
} as const;

/** Settings that only mean something with AUTH_MODE=jwt: setting one with `none` is a mistake. */
const JWT_ONLY = ['AUTH_JWT_SECRET', 'AUTH_JWT_PUBLIC_KEY', 'AUTH_JWT_ISSUER', 'AUTH_JWT_AUDIENCE', 'AUTH_JWT_ALGORITHMS'] as const;

const HMAC: readonly Algorithm[] = ['HS256', 'HS384', 'HS512'];
/** The algorithms each kind of key may verify. */
const BY_KEY_TYPE: Readonly<Record<string, readonly Algorithm[]>> = {
  secret: HMAC,
  rsa: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'],
  'rsa-pss': ['PS256', 'PS384', 'PS512'],
  ec: ['ES256', 'ES384', 'ES512'],
};

export function authFrom(env: Env, nodeEnv: Config['env']): AuthConfig {
  const read = readerFor(env, AUTH_VARIABLES);
  const chosen = read('AUTH_MODE');
  if (chosen === undefined && nodeEnv === 'production') {
    throw new ConfigError(
      'AUTH_MODE must be set in production: jwt (callers send a Bearer token) or none (the API is open to anyone who can reach it)',
    );
  }
  const mode = chosen ?? 'none';
  const hmacSecret = read('AUTH_JWT_SECRET');
  const publicKey = read('AUTH_JWT_PUBLIC_KEY');
  const routerSecret = read('ROUTER_SECRET');
  const common = {
    mode,
    botsClaim: read('AUTH_BOTS_CLAIM'),
    tokenHeader: read('AUTH_TOKEN_HEADER'),
    routerSecret: routerSecret === undefined ? undefined : new Secret(routerSecret),
    routerSecretHeader: read('ROUTER_SECRET_HEADER'),
  };
  if (routerSecret !== undefined && routerSecret.length < 16) throw new ConfigError('ROUTER_SECRET must be at least 16 characters');
  if (mode === 'none') {
    const stray = JWT_ONLY.filter((name) => isSet(env, AUTH_VARIABLES, name));
    if (stray.length)
      throw new ConfigError(`${stray.join(', ')} set but AUTH_MODE is none: set AUTH_MODE=jwt to check caller tokens, or unset them`);
    return {
      ...common,
      key: undefined,
      algorithms: [],
      issuer: undefined,
      audience: undefined,
      clockToleranceSeconds: 0,
      requireExpiry: true,
    };
  }
  if ((hmacSecret === undefined) === (publicKey === undefined)) {
    throw new ConfigError(
      'AUTH_MODE=jwt needs exactly one of AUTH_JWT_SECRET (HS256) and AUTH_JWT_PUBLIC_KEY (RS256/ES256 PEM), or their _FILE variants',
    );
  }
  let key: KeyObject;
  if (hmacSecret !== undefined) {
    if (Buffer.byteLength(hmacSecret) < 32) throw new ConfigError('AUTH_JWT_SECRET must be at least 32 bytes (256 bits) for HS256');
    key = createSecretKey(Buffer.from(hmacSecret, 'utf8'));
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
  const listed = read('AUTH_JWT_ALGORITHMS');
  const algorithms = (listed ?? [keyType === 'secret' ? 'HS256' : keyType === 'ec' ? 'ES256' : usable[0]]) as Algorithm[];
  const wrong = algorithms.filter((a) => !usable.includes(a));
  if (wrong.length) {
    const keyName = keyType === 'secret' ? 'AUTH_JWT_SECRET' : `this ${keyType} key`;
    throw new ConfigError(`AUTH_JWT_ALGORITHMS ${wrong.join(', ')} cannot be used with ${keyName} (usable: ${usable.join(', ')})`);
  }
  return {
    ...common,
    key,
    algorithms,
    issuer: read('AUTH_JWT_ISSUER'),
    audience: read('AUTH_JWT_AUDIENCE'),
    clockToleranceSeconds: read('AUTH_JWT_CLOCK_TOLERANCE_SECONDS'),
    requireExpiry: read('AUTH_JWT_REQUIRE_EXP'),
  };
}
