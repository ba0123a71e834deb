import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

/**
 * One fresh token per upstream call (and per retry): Kore may enforce `jti` replay protection, so
 * a token is never reused; `exp` stays well under Kore's one-hour cap for `jti` tokens.
 *
 * The secret becomes a KeyObject once. Given a string, jsonwebtoken first tries (and fails) to read
 * it as a PEM private key on every call, which costs far more than the HMAC itself.
 *
 * Signing is still on the path of every uncached request, so the signer keeps one spare token,
 * signed right after the previous one was handed out (setImmediate, once the request in hand has
 * gone out). A spare is handed out once, and only while young (a tenth of the TTL, at most 30 s);
 * otherwise a token is signed on the spot. Measurements: BENCHMARKS.md.
 */
export function createUpstreamSigner(
  clientId: string,
  clientSecret: string,
  ttlSeconds: number,
  now: () => number = Date.now,
): () => string {
  const key = createSecretKey(Buffer.from(clientSecret, 'utf8'));
  const maxSpareAgeMs = Math.min(30_000, ttlSeconds * 100);
  let spare: { readonly token: string; readonly signedAt: number } | undefined;
  let refill: NodeJS.Immediate | undefined;
  return () => {
    const taken = spare;
    spare = undefined;
    refill ??= setImmediate(() => {
      refill = undefined;
      spare = { token: signWith(key, clientId, ttlSeconds), signedAt: now() };
    }).unref();
    return taken && now() - taken.signedAt < maxSpareAgeMs ? taken.token : signWith(key, clientId, ttlSeconds);
  };
}

/** One token, for a one-off call (tests, scripts); the service keeps a signer per Kore.ai app. */
export function mintUpstreamToken(clientId: string, clientSecret: string, ttlSeconds: number): string {
  return createUpstreamSigner(clientId, clientSecret, ttlSeconds)();
}

function signWith(key: KeyObject, clientId: string, ttlSeconds: number): string {
  return jwt.sign({ sub: 'engagement-graph', appId: clientId }, key, { algorithm: 'HS256', expiresIn: ttlSeconds, jwtid: randomUUID() });
}
