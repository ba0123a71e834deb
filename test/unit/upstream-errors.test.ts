import { parseRetryAfter, upstreamErrorFrom, type UpstreamFailure } from '../../src/upstream/kore/errors';

const response = (status: number, body: unknown, retryAfter?: string): UpstreamFailure => ({
  kind: 'response',
  status,
  body: typeof body === 'string' ? body : JSON.stringify(body),
  retryAfter,
});
const kore = (msg: string, code: number) => ({ errors: [{ msg, code }] });

describe('upstream error mapping', () => {
  it.each<[string, UpstreamFailure, string]>([
    ['401 invalid token', response(401, kore('Invalid JWT token', 4002)), 'UPSTREAM_UNAUTHENTICATED'],
    ['401 bad scope', response(401, kore('Permission denied. Scope is incorrect!', 4002)), 'UPSTREAM_UNAUTHENTICATED'],
    ['401 replay', response(401, kore('error verifying the jwt: possibly a replay', 401)), 'UPSTREAM_UNAUTHENTICATED'],
    ['403', response(403, ''), 'UPSTREAM_UNAUTHENTICATED'],
    ['200-shaped 4002 code on a 400', response(400, kore('Invalid SDK credentials', 4002)), 'UPSTREAM_UNAUTHENTICATED'],
    ['429', response(429, ''), 'RATE_LIMITED'],
    [
      'a rate-limit message on another status',
      response(400, kore("You've exceeded the per-minute rate limit for this API.", 400)),
      'RATE_LIMITED',
    ],
    ['the older rate-limit wording', response(403, kore('Rate limit for this API has been reached', 403)), 'RATE_LIMITED'],
    ['400 invalid stream id', response(400, kore('Invalid StreamId', 400)), 'UPSTREAM_REJECTED'],
    ['412', response(412, kore('Validation errors/ Invalid arguments', 412)), 'UPSTREAM_REJECTED'],
    ['405', response(405, kore('Method Not Allowed', 405)), 'UPSTREAM_REJECTED'],
    ['404 HTML from a proxy', response(404, '<html><body>nginx</body></html>'), 'UPSTREAM_REJECTED'],
    ['500', response(500, kore('Internal Server Error', 500)), 'UPSTREAM_UNAVAILABLE'],
    ['502 HTML', response(502, '<html>Bad Gateway</html>'), 'UPSTREAM_UNAVAILABLE'],
    ['a redirect', response(302, ''), 'UPSTREAM_BAD_RESPONSE'],
    ['a timeout', { kind: 'timeout', timeoutMs: 100 }, 'UPSTREAM_TIMEOUT'],
    ['a refused connection', { kind: 'network', code: 'ECONNREFUSED' }, 'UPSTREAM_UNAVAILABLE'],
    ['a reset', { kind: 'network', code: 'ECONNRESET' }, 'UPSTREAM_UNAVAILABLE'],
    ['an unreadable body', { kind: 'malformed', status: 200 }, 'UPSTREAM_BAD_RESPONSE'],
  ])('%s → %s', (_name, failure, code) => {
    expect(upstreamErrorFrom(failure, 'st-1').extensions.code).toBe(code);
  });

  it('never copies the upstream body into the message', () => {
    const secretish = 'internal-trace-id-XYZ at /srv/kore/handler.js:12 token=abc';
    for (const status of [400, 401, 429, 500, 502]) {
      const error = upstreamErrorFrom(response(status, kore(secretish, status)), 'st-1');
      expect(error.message).not.toContain('XYZ');
      expect(JSON.stringify(error.extensions)).not.toContain('XYZ');
    }
  });

  it('carries Retry-After as whole seconds on RATE_LIMITED', () => {
    expect(upstreamErrorFrom(response(429, '', '7'), 'st-1').extensions.retryAfter).toBe(7);
    expect(upstreamErrorFrom(response(429, ''), 'st-1').extensions.retryAfter).toBeUndefined();
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2025-12-01T10:00:00Z');
    expect(parseRetryAfter('30', now)).toBe(30);
    expect(parseRetryAfter('Mon, 01 Dec 2025 10:00:42 GMT', now)).toBe(42);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
