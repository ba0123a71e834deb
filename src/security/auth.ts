import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import jwt, { JsonWebTokenError, NotBeforeError, TokenExpiredError, type JwtPayload } from 'jsonwebtoken';
import type { AuthConfig } from '../config';

/**
 * Who is calling and which bots they may read. Checked at the HTTP edge, before the body is read
 * and before Apollo sees the request: a caller without a valid token never reaches a resolver.
 */

export interface Principal {
  /** The token's `sub`, for logs; undefined when AUTH_MODE=none. */
  readonly subject: string | undefined;
  /** `*`, or the bot ids the caller may read. */
  readonly bots: '*' | ReadonlySet<string>;
}

export const OPEN_PRINCIPAL: Principal = Object.freeze({ subject: undefined, bots: '*' as const });

export function mayRead(principal: Principal, botId: string): boolean {
  return principal.bots === '*' || principal.bots.has(botId);
}

/** Why a request was refused; `reason` is sent to the caller (it names no secret and no token). */
export type AuthFailure =
  | 'router-secret'
  | 'missing'
  | 'malformed'
  | 'expired'
  | 'not-yet-valid'
  | 'bad-signature'
  | 'wrong-algorithm'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'no-expiry'
  | 'invalid';

export class AuthError extends Error {
  constructor(
    readonly reason: AuthFailure,
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

/** Tokens larger than this are refused unread (Node's whole header limit is 16 KB). */
const MAX_TOKEN_BYTES = 8192;
const BEARER = /^Bearer +([A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]*\.[A-Za-z0-9_+/=-]*)\s*$/i;

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

function failureOf(error: unknown): AuthError {
  if (error instanceof TokenExpiredError) return new AuthError('expired', 'The token has expired.');
  if (error instanceof NotBeforeError) return new AuthError('not-yet-valid', 'The token is not valid yet (nbf).');
  if (error instanceof JsonWebTokenError) {
    const m = error.message;
    if (/invalid algorithm|signature is required|must be a(n)? (a)?symmetric key/.test(m)) {
      return new AuthError('wrong-algorithm', 'The token is signed with an algorithm this API does not accept.');
    }
    if (m.startsWith('invalid signature')) return new AuthError('bad-signature', 'The token signature does not verify.');
    if (m.startsWith('jwt issuer invalid'))
      return new AuthError('wrong-issuer', 'The token was issued by an issuer this API does not accept.');
    if (m.startsWith('jwt audience invalid')) return new AuthError('wrong-audience', 'The token is meant for another audience.');
    if (/malformed|invalid token|Unexpected token|unexpected end/i.test(m))
      return new AuthError('malformed', 'The token is not a well-formed JWT.');
  }
  return new AuthError('invalid', 'The token is not valid.');
}

/** The bots a verified token lists: an array of ids, a space or comma separated string, or `*`. */
export function botsFromClaim(value: unknown): Principal['bots'] {
  const ids = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  const strings = ids.filter((v): v is string => typeof v === 'string' && v !== '');
  return strings.includes('*') ? '*' : new Set(strings);
}

export type Authenticate = (headers: IncomingHttpHeaders) => Principal;

export function createAuthenticator(auth: AuthConfig): Authenticate {
  // Compared as SHA-256 digests in constant time (hashing evens out the lengths); the expected one once.
  const expected = auth.routerSecret ? digest(auth.routerSecret.reveal()) : undefined;
  const checkRouter = (headers: IncomingHttpHeaders) => {
    if (!expected) return;
    const presented = headerValue(headers, auth.routerSecretHeader);
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      throw new AuthError('router-secret', 'This API only accepts requests through its router.');
    }
  };

  if (auth.mode === 'none') {
    return (headers) => {
      checkRouter(headers);
      return OPEN_PRINCIPAL;
    };
  }

  const key = auth.key;
  if (!key) throw new Error('AUTH_MODE=jwt without a key'); // config/auth.ts refuses this; kept for the type
  const options: jwt.VerifyOptions & { complete: false } = {
    algorithms: [...auth.algorithms],
    issuer: auth.issuer,
    audience: auth.audience ? ([...auth.audience] as [string, ...string[]]) : undefined,
    clockTolerance: auth.clockToleranceSeconds,
    complete: false,
  };
  return (headers) => {
    checkRouter(headers);
    const header = headerValue(headers, auth.tokenHeader);
    if (header === undefined || header.trim() === '') {
      throw new AuthError('missing', `This API needs a caller token: send the ${auth.tokenHeader} header as "Bearer <JWT>".`);
    }
    if (header.length > MAX_TOKEN_BYTES) throw new AuthError('malformed', 'The token is too large.');
    const token = BEARER.exec(header)?.[1];
    if (!token) throw new AuthError('malformed', `The ${auth.tokenHeader} header must be "Bearer <JWT>".`);
    let payload: string | JwtPayload;
    try {
      payload = jwt.verify(token, key, options);
    } catch (error) {
      throw failureOf(error);
    }
    if (typeof payload === 'string') throw new AuthError('malformed', 'The token payload is not a JSON object.');
    if (auth.requireExpiry && typeof payload.exp !== 'number') throw new AuthError('no-expiry', 'The token has no expiry (exp).');
    return Object.freeze({
      subject: typeof payload.sub === 'string' ? payload.sub : undefined,
      bots: botsFromClaim(payload[auth.botsClaim]),
    });
  };
}
