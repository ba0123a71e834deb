import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';

/**
 * One fresh token per upstream call (and per retry): Kore may enforce `jti` replay protection, so
 * a token is never reused; `exp` stays well under Kore's one-hour cap for `jti` tokens.
 * Signing is one HMAC, far cheaper than the round trip it authorizes.
 */
export function mintUpstreamToken(clientId: string, clientSecret: string, ttlSeconds: number): string {
  return jwt.sign({ sub: 'engagement-graph', appId: clientId }, clientSecret, {
    algorithm: 'HS256',
    expiresIn: ttlSeconds,
    jwtid: randomUUID(),
  });
}
