import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

/**
 * One fresh token per upstream call (and per retry): Kore may enforce `jti` replay protection, so
 * a token is never reused; `exp` stays well under Kore's one-hour cap for `jti` tokens.
 *
 * The secret becomes a KeyObject once. Given a string, jsonwebtoken first tries (and fails) to read
 * it as a PEM private key on every call: that failed parse measured ~300 µs per token against
 * ~5 µs for the HMAC itself, the largest single cost of an uncached request.
 */
export function createUpstreamSigner(clientId: string, clientSecret: string, ttlSeconds: number): () => string {
  const key = createSecretKey(Buffer.from(clientSecret, 'utf8'));
  return () => signWith(key, clientId, ttlSeconds);
}

/** One token, for a one-off call (tests, scripts); the service keeps a signer per Kore.ai app. */
export function mintUpstreamToken(clientId: string, clientSecret: string, ttlSeconds: number): string {
  return createUpstreamSigner(clientId, clientSecret, ttlSeconds)();
}

function signWith(key: KeyObject, clientId: string, ttlSeconds: number): string {
  return jwt.sign({ sub: 'engagement-graph', appId: clientId }, key, { algorithm: 'HS256', expiresIn: ttlSeconds, jwtid: randomUUID() });
}
