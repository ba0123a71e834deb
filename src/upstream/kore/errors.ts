import { ErrorCode, UpstreamError } from '../../errors';
import { readErrorBody } from './wire';

/**
 * The one place upstream failures become client errors. Codes come from the table below; messages
 * are ours. The upstream body is read only to classify (rate-limit wording, Kore's numeric code)
 * and is never copied into the error or a log.
 */
export type UpstreamFailure =
  | { kind: 'response'; status: number; body: string; retryAfter: string | undefined }
  | { kind: 'timeout'; timeoutMs: number }
  | { kind: 'network'; code: string | undefined }
  | { kind: 'malformed'; status: number };

const RATE_LIMIT_TEXT = /rate[ -]?limit/i;

/** `Retry-After` as whole seconds (delta-seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** Kore's `{"errors":[{"msg","code"}]}`: first entry, or nothing if the body is anything else. */
function koreError(body: string): { msg: string; code: number | undefined } | undefined {
  const first = readErrorBody(body)?.errors[0];
  if (!first) return undefined;
  return { msg: typeof first.msg === 'string' ? first.msg : '', code: typeof first.code === 'number' ? first.code : undefined };
}

export function upstreamErrorFrom(failure: UpstreamFailure, botId: string): UpstreamError {
  switch (failure.kind) {
    case 'timeout':
      return new UpstreamError(ErrorCode.UPSTREAM_TIMEOUT, `Kore.ai did not answer within ${failure.timeoutMs} ms.`, undefined);
    case 'network':
      return new UpstreamError(ErrorCode.UPSTREAM_UNAVAILABLE, 'Kore.ai could not be reached.', undefined, {
        reason: failure.code ?? 'network',
      });
    case 'malformed':
      return new UpstreamError(ErrorCode.UPSTREAM_BAD_RESPONSE, 'Kore.ai answered with data this API cannot read.', failure.status);
    case 'response':
      return fromResponse(failure, botId);
  }
}

function fromResponse(f: Extract<UpstreamFailure, { kind: 'response' }>, botId: string): UpstreamError {
  const { status } = f;
  const kore = koreError(f.body);
  const text = kore?.msg ?? (f.body.length < 2048 ? f.body : '');
  if (status === 429 || RATE_LIMIT_TEXT.test(text)) {
    const retryAfter = parseRetryAfter(f.retryAfter);
    return new UpstreamError(
      ErrorCode.RATE_LIMITED,
      `Kore.ai's analytics rate limit for bot ${botId} is reached; try again ${retryAfter !== undefined ? `in ${retryAfter} s` : 'later'}.`,
      status,
      retryAfter !== undefined ? { retryAfter } : {},
    );
  }
  if (status === 401 || status === 403 || kore?.code === 4002) {
    const why = /scope/i.test(text)
      ? `the Kore.ai app is not granted the User Engagement Trend scope for bot ${botId}`
      : /replay/i.test(text)
        ? 'Kore.ai took the token for a replay'
        : 'Kore.ai refused the configured app credentials';
    return new UpstreamError(ErrorCode.UPSTREAM_UNAUTHENTICATED, `Upstream authentication failed: ${why}.`, status);
  }
  if (status >= 500) {
    return new UpstreamError(ErrorCode.UPSTREAM_UNAVAILABLE, `Kore.ai failed to answer (HTTP ${status}).`, status);
  }
  if (status >= 400) {
    const why = /invalid stream ?id/i.test(text) ? `Kore.ai does not know bot ${botId}` : `Kore.ai rejected the request (HTTP ${status})`;
    return new UpstreamError(ErrorCode.UPSTREAM_REJECTED, `${why}.`, status);
  }
  // 1xx/3xx: a redirect is never followed (it would carry the token elsewhere).
  return new UpstreamError(ErrorCode.UPSTREAM_BAD_RESPONSE, `Kore.ai answered with an unexpected HTTP ${status}.`, status);
}
