import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt, { type JwtPayload } from 'jsonwebtoken';
import { koreError, type Answer } from './answer';
import type { EmulatorApp } from './emulator.server';
import type { World } from './world';

/**
 * Kore.ai's JWT check on the trend endpoints: HS256 only, `appId` naming a known app, its signature
 * and expiry; a token with a `jti` is single use and may live at most an hour. Then the bot must
 * exist and be in the app's scope. Returns the refusal, or undefined to let the call through.
 */
export function createAuthenticator(apps: readonly EmulatorApp[], world: World, now: () => number) {
  const usedJti = new Map<string, number>(); // jti → exp (ms), pruned as they expire
  // Keys made once: jsonwebtoken given a string secret re-parses it (failing as PEM first) per call.
  const keys = new Map(apps.map((a) => [a, createSecretKey(Buffer.from(a.clientSecret, 'utf8'))]));

  return function authenticate(token: string | undefined, botId: string): Answer | undefined {
    const decoded = token ? jwt.decode(token, { complete: true }) : null;
    if (!decoded || typeof decoded.payload !== 'object' || decoded.header.alg !== 'HS256') return koreError(401, 'Invalid JWT token', 4002);
    const app = apps.find((a) => a.clientId === (decoded.payload as JwtPayload).appId);
    if (!app) return koreError(401, 'Invalid SDK credentials', 4002);
    let payload: JwtPayload;
    try {
      payload = jwt.verify(token as string, keys.get(app) as KeyObject, {
        algorithms: ['HS256'],
        clockTimestamp: Math.floor(now() / 1000),
      }) as JwtPayload;
    } catch {
      return koreError(401, 'Invalid JWT token', 4002);
    }
    if (payload.jti !== undefined) {
      if (payload.exp === undefined || payload.iat === undefined || payload.exp - payload.iat > 3600)
        return koreError(401, 'Invalid JWT token', 4002);
      // Insertion order is close to expiry order: drop expired ids from the front, not a full scan per call.
      for (const [id, exp] of usedJti) {
        if (exp >= now()) break;
        usedJti.delete(id);
      }
      if (usedJti.has(payload.jti)) return koreError(401, 'error verifying the jwt: possibly a replay');
      usedJti.set(payload.jti, payload.exp * 1000);
    }
    if (!world.has(botId)) return koreError(400, 'Invalid StreamId');
    if (app.bots !== '*' && !app.bots.includes(botId)) return koreError(401, 'Permission denied. Scope is incorrect!', 4002);
    return undefined;
  };
}
