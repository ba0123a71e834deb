import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { loadConfig } from '../../src/config';
import { AuthError, botsFromClaim, createAuthenticator, mayRead, type AuthFailure } from '../../src/security/auth';
import { AUDIENCE, CALLER_SECRET, callerToken, ISSUER, JWT_ENV, rsaKeys, unsignedToken } from '../helpers/caller-tokens';

const authenticate = createAuthenticator(loadConfig({ ...JWT_ENV }).auth);
const failure = (fn: () => unknown): AuthFailure | 'accepted' => {
  try {
    fn();
    return 'accepted';
  } catch (error) {
    if (error instanceof AuthError) return error.reason;
    throw error;
  }
};
const withBearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('caller authentication', () => {
  it('accepts a valid token and reads the subject and bots', () => {
    const principal = authenticate(withBearer(callerToken({ bots: ['st-a', 'st-b'] })));
    expect(principal.subject).toBe('dashboard-1');
    expect(mayRead(principal, 'st-a') && mayRead(principal, 'st-b')).toBe(true);
    expect(mayRead(principal, 'st-c')).toBe(false);
  });

  it.each<[string, unknown, string[], string]>([
    ['an array', ['st-a', 'st-b'], ['st-a', 'st-b'], 'st-c'],
    ['a space separated string', 'st-a st-b', ['st-a', 'st-b'], 'st-c'],
    ['a comma separated string', 'st-a,st-b', ['st-a', 'st-b'], 'st-c'],
    ['non-strings mixed in', ['st-a', 7, null], ['st-a'], '7'],
    ['nothing', undefined, [], 'st-a'],
  ])('reads a bots claim given as %s', (_name, claim, allowed, refused) => {
    const bots = botsFromClaim(claim);
    const principal = { subject: undefined, bots };
    for (const id of allowed) expect(mayRead(principal, id)).toBe(true);
    expect(mayRead(principal, refused)).toBe(false);
  });

  it('reads "*" (alone or in a list) as every bot', () => {
    expect(botsFromClaim('*')).toBe('*');
    expect(botsFromClaim(['st-a', '*'])).toBe('*');
  });

  const now = Math.floor(Date.now() / 1000);
  it.each<[string, Record<string, string> | undefined, AuthFailure | 'accepted']>([
    ['no header', undefined, 'missing'],
    ['a Basic header', { authorization: 'Basic dXNlcjpwYXNz' }, 'malformed'],
    ['lower-case "bearer"', { authorization: `bearer ${callerToken()}` }, 'accepted'],
    ['two tokens', { authorization: `Bearer ${callerToken()} ${callerToken()}` }, 'malformed'],
    ['a non-JWT', withBearer('abc.def'), 'malformed'],
    ['expired an hour ago', withBearer(callerToken({}, { expiresIn: -3600 })), 'expired'],
    ['expired 10 s ago (within the 30 s tolerance)', withBearer(callerToken({ exp: now - 10 }, { expiresIn: undefined })), 'accepted'],
    ['expired 60 s ago (past the tolerance)', withBearer(callerToken({ exp: now - 60 }, { expiresIn: undefined })), 'expired'],
    ['not valid for an hour', withBearer(callerToken({}, { notBefore: 3600 })), 'not-yet-valid'],
    ['another audience', withBearer(callerToken({}, { audience: 'x' })), 'wrong-audience'],
    ['another issuer', withBearer(callerToken({}, { issuer: 'https://evil/' })), 'wrong-issuer'],
    ['another secret', withBearer(callerToken({}, {}, 'x'.repeat(40))), 'bad-signature'],
    ['alg none', withBearer(unsignedToken()), 'wrong-algorithm'],
    ['HS512', withBearer(callerToken({}, { algorithm: 'HS512' })), 'wrong-algorithm'],
    ['RS256', withBearer(callerToken({}, { algorithm: 'RS256' }, rsaKeys().privateKey)), 'wrong-algorithm'],
    ['no exp', withBearer(jwt.sign({ bots: '*' }, CALLER_SECRET, { issuer: ISSUER, audience: AUDIENCE })), 'no-expiry'],
  ])('%s → %s', (_name, headers, expected) => {
    expect(failure(() => authenticate(headers ?? {}))).toBe(expected);
  });

  it('refuses a payload that is not a JSON object', () => {
    const plain = createAuthenticator(loadConfig({ AUTH_MODE: 'jwt', AUTH_JWT_SECRET: CALLER_SECRET }).auth);
    expect(failure(() => plain(withBearer(jwt.sign('just a string', CALLER_SECRET))))).toBe('malformed');
  });

  it('verifies RS256 with a public key and refuses HS256 signed with that public key (algorithm confusion)', () => {
    const { publicKey, privateKey } = rsaKeys();
    const rs = createAuthenticator(loadConfig({ AUTH_MODE: 'jwt', AUTH_JWT_PUBLIC_KEY: publicKey }).auth);
    expect(failure(() => rs(withBearer(jwt.sign({ bots: '*' }, privateKey, { algorithm: 'RS256', expiresIn: 60 }))))).toBe('accepted');
    expect(failure(() => rs(withBearer(jwt.sign({ bots: '*' }, publicKey, { algorithm: 'HS256', expiresIn: 60 }))))).toBe(
      'wrong-algorithm',
    );
  });

  it('verifies ES256 with an EC public key', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const es = createAuthenticator(loadConfig({ AUTH_MODE: 'jwt', AUTH_JWT_PUBLIC_KEY: publicKey }).auth);
    expect(failure(() => es(withBearer(jwt.sign({ bots: '*' }, privateKey, { algorithm: 'ES256', expiresIn: 60 }))))).toBe('accepted');
  });

  it('reads the token from a configured header and the bots from a configured claim', () => {
    const custom = createAuthenticator(
      loadConfig({ ...JWT_ENV, AUTH_TOKEN_HEADER: 'X-Caller-Token', AUTH_BOTS_CLAIM: 'https://example.com/bots' }).auth,
    );
    const token = callerToken({ bots: undefined, 'https://example.com/bots': ['st-x'] });
    expect(failure(() => custom(withBearer(token)))).toBe('missing');
    expect(mayRead(custom({ 'x-caller-token': `Bearer ${token}` }), 'st-x')).toBe(true);
  });

  it('checks the router secret before anything else, in constant time', () => {
    const routed = createAuthenticator(loadConfig({ ...JWT_ENV, ROUTER_SECRET: 'router-secret-0123456789' }).auth);
    const good = withBearer(callerToken());
    expect(failure(() => routed(good))).toBe('router-secret');
    expect(failure(() => routed({ ...good, 'x-router-secret': 'router-secret-012345678' }))).toBe('router-secret');
    expect(failure(() => routed({ 'x-router-secret': 'router-secret-0123456789' }))).toBe('missing');
    expect(failure(() => routed({ ...good, 'x-router-secret': 'router-secret-0123456789' }))).toBe('accepted');
    const open = createAuthenticator(loadConfig({ ROUTER_SECRET: 'router-secret-0123456789' }).auth);
    expect(failure(() => open({}))).toBe('router-secret');
    expect(open({ 'x-router-secret': 'router-secret-0123456789' }).bots).toBe('*');
  });
});
