import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ConfigError, credentialFor, loadConfig } from '../../src/config';
import { CALLER_SECRET, rsaKeys } from '../helpers/caller-tokens';

const dir = mkdtempSync(join(tmpdir(), 'eg-config-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('caller authentication settings', () => {
  it('is open (AUTH_MODE=none) by default outside production, and must be chosen in production', () => {
    expect(loadConfig({}).auth.mode).toBe('none');
    expect(() => loadConfig({ NODE_ENV: 'production', USE_BUILTIN_UPSTREAM: 'true' })).toThrow(/AUTH_MODE must be set in production/);
    expect(loadConfig({ NODE_ENV: 'production', USE_BUILTIN_UPSTREAM: 'true', AUTH_MODE: 'none' }).auth.mode).toBe('none');
  });

  it('takes an HS256 secret with issuer, audiences, tolerance and claim names', () => {
    const { auth } = loadConfig({
      AUTH_MODE: 'jwt',
      AUTH_JWT_SECRET: CALLER_SECRET,
      AUTH_JWT_ISSUER: 'https://idp/',
      AUTH_JWT_AUDIENCE: 'a, b',
      AUTH_JWT_CLOCK_TOLERANCE_SECONDS: '5',
      AUTH_BOTS_CLAIM: 'https://example.com/bots',
      AUTH_TOKEN_HEADER: 'X-Caller-Token',
    });
    expect(auth).toMatchObject({
      mode: 'jwt',
      algorithms: ['HS256'],
      issuer: 'https://idp/',
      audience: ['a', 'b'],
      clockToleranceSeconds: 5,
      botsClaim: 'https://example.com/bots',
      tokenHeader: 'x-caller-token',
      requireExpiry: true,
    });
    expect(auth.key?.type).toBe('secret');
  });

  it('takes an RS256 public key from a file and picks RS256', () => {
    const { auth } = loadConfig({ AUTH_MODE: 'jwt', AUTH_JWT_PUBLIC_KEY_FILE: file('rsa.pem', rsaKeys().publicKey) });
    expect(auth.algorithms).toEqual(['RS256']);
    expect(auth.key?.asymmetricKeyType).toBe('rsa');
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['jwt without a key', { AUTH_MODE: 'jwt' }, /exactly one of AUTH_JWT_SECRET/],
    [
      'both a secret and a public key',
      { AUTH_MODE: 'jwt', AUTH_JWT_SECRET: CALLER_SECRET, AUTH_JWT_PUBLIC_KEY: rsaKeys().publicKey },
      /exactly one/,
    ],
    ['a short secret', { AUTH_MODE: 'jwt', AUTH_JWT_SECRET: 'short' }, /at least 32 bytes/],
    ['a public key that is not PEM', { AUTH_MODE: 'jwt', AUTH_JWT_PUBLIC_KEY: 'not a key' }, /not a PEM public key/],
    ['a truncated PEM', { AUTH_MODE: 'jwt', AUTH_JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\nMIIB' }, /not a PEM public key/],
    ['alg none', { AUTH_MODE: 'jwt', AUTH_JWT_SECRET: CALLER_SECRET, AUTH_JWT_ALGORITHMS: 'HS256,none' }, /none cannot be used/],
    [
      'RS256 with a shared secret',
      { AUTH_MODE: 'jwt', AUTH_JWT_SECRET: CALLER_SECRET, AUTH_JWT_ALGORITHMS: 'RS256' },
      /RS256 cannot be used with AUTH_JWT_SECRET/,
    ],
    [
      'HS256 with a public key (algorithm confusion)',
      { AUTH_MODE: 'jwt', AUTH_JWT_PUBLIC_KEY: rsaKeys().publicKey, AUTH_JWT_ALGORITHMS: 'HS256' },
      /HS256 cannot be used with this rsa key/,
    ],
    ['token settings while open', { AUTH_JWT_SECRET: CALLER_SECRET }, /AUTH_JWT_SECRET set but AUTH_MODE is none/],
    [
      'a secret and its _FILE',
      { AUTH_MODE: 'jwt', AUTH_JWT_SECRET: CALLER_SECRET, AUTH_JWT_SECRET_FILE: '/x' },
      /AUTH_JWT_SECRET or AUTH_JWT_SECRET_FILE, not both/,
    ],
    ['a missing secret file', { AUTH_MODE: 'jwt', AUTH_JWT_SECRET_FILE: join(dir, 'nope') }, /cannot be read \(ENOENT\)/],
    ['a short router secret', { ROUTER_SECRET: 'abc' }, /ROUTER_SECRET must be at least 16/],
    ['an odd header name', { AUTH_TOKEN_HEADER: 'x caller' }, /AUTH_TOKEN_HEADER/],
    ['an unknown mode', { AUTH_MODE: 'basic' }, /AUTH_MODE must be one of none, jwt/],
  ])('refuses %s', (_name, env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('reads _FILE secrets without their trailing newline', () => {
    const c = loadConfig({
      ROUTER_SECRET_FILE: file('router', 'router-secret-0123456789\n'),
      KORE_HOST: 'https://k',
      KORE_CLIENT_ID: 'cs-1',
      KORE_CLIENT_SECRET_FILE: file('kore', 'kore-secret\n'),
    });
    expect(c.auth.routerSecret?.reveal()).toBe('router-secret-0123456789');
    expect(c.kore.clientSecret.reveal()).toBe('kore-secret');
  });
});

describe('operation limits and schema hints', () => {
  it('are on by default, configurable, and hide suggestions in production', () => {
    expect(loadConfig({}).limits).toEqual({
      maxDepth: 8,
      maxAliases: 30,
      maxDirectives: 30,
      maxTokens: 1000,
      maxUpstreamCalls: 20,
      maxJsonDepth: 64,
    });
    expect(loadConfig({ MAX_UPSTREAM_CALLS: '100', MAX_DEPTH: '12' }).limits).toMatchObject({ maxUpstreamCalls: 100, maxDepth: 12 });
    expect(() => loadConfig({ MAX_UPSTREAM_CALLS: '0' })).toThrow(/MAX_UPSTREAM_CALLS/);
    expect(loadConfig({ MAX_JSON_DEPTH: '200' }).limits.maxJsonDepth).toBe(200);
    // Below 8 would refuse legitimate requests; above 1000 the walkers behind it refuse anyway.
    for (const bad of ['4', '1001', 'deep']) expect(() => loadConfig({ MAX_JSON_DEPTH: bad })).toThrow(/MAX_JSON_DEPTH/);
    expect(loadConfig({}).hideSchemaDetails).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', AUTH_MODE: 'none', USE_BUILTIN_UPSTREAM: 'true' }).hideSchemaDetails).toBe(true);
  });
});

describe('Kore.ai credentials per bot (KORE_CREDENTIALS_FILE)', () => {
  file('eu.secret', 'eu-secret-from-a-file\n'); // named by st-eu's clientSecretFile, relative to the credentials file
  const credentials = file(
    'credentials.json',
    JSON.stringify({
      'st-eu': {
        host: 'https://eu-bots.kore.ai/',
        clientId: 'cs-eu',
        clientSecretFile: 'eu.secret',
        apiVersion: 'v1',
        v1TimeZone: 'Europe/Berlin',
      },
      'st-us': { host: 'https://bots.kore.ai', clientId: 'cs-us', clientSecret: 'us-inline-secret' },
      '*': { host: 'https://bots.kore.ai', clientId: 'cs-default', clientSecret: 'default-secret' },
    }),
  );

  it('maps bots to apps, with defaults from the KORE_* variables and a "*" fallback', () => {
    const c = loadConfig({ KORE_CREDENTIALS_FILE: credentials, KORE_API_VERSION: 'v2' });
    const eu = credentialFor(c.credentials, 'st-eu');
    expect(eu).toMatchObject({ host: 'https://eu-bots.kore.ai', clientId: 'cs-eu', apiVersion: 'v1', v1TimeZone: 'Europe/Berlin' });
    expect(eu?.clientSecret.reveal()).toBe('eu-secret-from-a-file');
    expect(credentialFor(c.credentials, 'st-us')).toMatchObject({ clientId: 'cs-us', apiVersion: 'v2', v1TimeZone: 'UTC' });
    expect(credentialFor(c.credentials, 'st-anything')).toMatchObject({ clientId: 'cs-default' });
  });

  it('refuses unlisted bots when there is no "*" and no KORE_CLIENT_ID', () => {
    const only = file('only.json', JSON.stringify({ 'st-eu': { host: 'https://eu', clientId: 'cs-eu', clientSecret: 's' } }));
    expect(credentialFor(loadConfig({ KORE_CREDENTIALS_FILE: only }).credentials, 'st-other')).toBeUndefined();
    const withEnv = loadConfig({ KORE_CREDENTIALS_FILE: only, KORE_HOST: 'https://k', KORE_CLIENT_ID: 'cs-env', KORE_CLIENT_SECRET: 'x' });
    expect(credentialFor(withEnv.credentials, 'st-other')).toMatchObject({ clientId: 'cs-env', host: 'https://k' });
  });

  it('never prints a secret: JSON, inspect and String show [redacted]', () => {
    const c = loadConfig({
      KORE_CREDENTIALS_FILE: credentials,
      AUTH_MODE: 'jwt',
      AUTH_JWT_SECRET: CALLER_SECRET,
      ROUTER_SECRET: 'router-secret-0123456789',
    });
    const printed = [
      JSON.stringify(c),
      inspect(c, { depth: 10 }),
      JSON.stringify([...c.credentials.byBot.values()]),
      inspect(c.credentials.byBot, { depth: 10 }),
      String(c.auth.routerSecret),
    ].join('\n');
    for (const secret of ['eu-secret-from-a-file', 'us-inline-secret', 'default-secret', CALLER_SECRET, 'router-secret-0123456789'])
      expect(printed).not.toContain(secret);
    expect(printed).toContain('[redacted]');
  });

  it.each<[string, unknown, RegExp]>([
    ['not JSON (without quoting it)', '{"st-eu": {"clientSecret": "leaky-secret"', /KORE_CREDENTIALS_FILE is not valid JSON: "/],
    ['an array', [], /must hold a JSON object/],
    ['a bad bot id key', { '../x': { clientId: 'a', clientSecret: 'b' } }, /the key must be a bot id/],
    ['an unknown field', { 'st-a': { clientId: 'a', clientSecret: 'b', clientSecrt: 'c' } }, /unknown fields: clientSecrt/],
    ['no client id', { 'st-a': { clientSecret: 'b' } }, /clientId is required/],
    [
      'both secret kinds',
      { 'st-a': { clientId: 'a', clientSecret: 'b', clientSecretFile: 'x' } },
      /exactly one of clientSecret and clientSecretFile/,
    ],
    ['a bad host', { 'st-a': { host: 'ftp://x', clientId: 'a', clientSecret: 'b' } }, /entry "st-a" must be an http\(s\) origin/],
    ['a bad api version', { 'st-a': { clientId: 'a', clientSecret: 'b', apiVersion: 'v3' } }, /apiVersion must be v1 or v2/],
  ])('refuses a credentials file with %s', (_name, content, message) => {
    const path = file(`bad-${Math.random()}.json`, typeof content === 'string' ? content : JSON.stringify(content));
    let error: unknown;
    try {
      loadConfig({ KORE_CREDENTIALS_FILE: path });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('leaky-secret');
  });

  it('refuses a "*" entry alongside KORE_CLIENT_ID, and the built-in upstream in production unless asked', () => {
    expect(() =>
      loadConfig({ KORE_CREDENTIALS_FILE: credentials, KORE_HOST: 'https://k', KORE_CLIENT_ID: 'a', KORE_CLIENT_SECRET: 'b' }),
    ).toThrow(/keep one default/);
    const hostless = file('hostless.json', JSON.stringify({ 'st-a': { clientId: 'a', clientSecret: 'b' } }));
    expect(() => loadConfig({ NODE_ENV: 'production', AUTH_MODE: 'none', KORE_CREDENTIALS_FILE: hostless })).toThrow(
      /USE_BUILTIN_UPSTREAM/,
    );
  });
});
