import { generateKeyPairSync } from 'node:crypto';
import jwt, { type SignOptions } from 'jsonwebtoken';

/** Caller tokens for AUTH_MODE=jwt tests: a test identity provider's secret, issuer and audience. */

export const CALLER_SECRET = 'caller-token-secret-for-tests-only-0123456789';
export const ISSUER = 'https://idp.example.test/';
export const AUDIENCE = 'engagement-graph';

export const JWT_ENV = {
  AUTH_MODE: 'jwt',
  AUTH_JWT_SECRET: CALLER_SECRET,
  AUTH_JWT_ISSUER: ISSUER,
  AUTH_JWT_AUDIENCE: AUDIENCE,
} as const;

/** A valid token for `sub` dashboard-1 reading st-demo-retail, unless told otherwise (an `exp` claim replaces expiresIn). */
export function callerToken(claims: Record<string, unknown> = {}, options: SignOptions = {}, key: string | Buffer = CALLER_SECRET): string {
  const merged: SignOptions = {
    algorithm: 'HS256',
    ...('exp' in claims ? {} : { expiresIn: 300 }),
    issuer: ISSUER,
    audience: AUDIENCE,
    ...options,
  };
  for (const k of Object.keys(merged) as Array<keyof SignOptions>) if (merged[k] === undefined) delete merged[k];
  return jwt.sign({ sub: 'dashboard-1', bots: ['st-demo-retail'], ...claims }, key, merged);
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned token (`alg: none`) with otherwise valid claims. */
export function unsignedToken(claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'dashboard-1', bots: '*', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 300, ...claims })}.`;
}

let rsa: { privateKey: string; publicKey: string } | undefined;
/** A lazily generated RSA key pair (PEM) for RS256 tests. */
export function rsaKeys(): { privateKey: string; publicKey: string } {
  rsa ??= generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return rsa;
}
