import http from 'node:http';
import https from 'node:https';
import type { Span } from '@opentelemetry/api';
import axios, { type AxiosInstance, type AxiosRequestConfig, isAxiosError } from 'axios';
import type { FetchOptions, TrendData, UpstreamRequest } from '../../engagement/model';
import { UpstreamError } from '../../errors';
import { usesProxy, type Secret } from '../../config';
import { createHttpAdapter } from '../http-adapter';
import { createUpstreamSigner } from '../jwt';
import { upstreamErrorFrom, type UpstreamFailure } from './errors';
import { MalformedBodyError, mapTrend } from './mapper';
import { trendBody, trendPath, trendQuery } from './request';

/**
 * The Kore.ai HTTP client: one keep-alive pool, a fresh token per call, the body read as text and
 * handed to the mapper, every failure mapped once (errors.ts). Spellings are request.ts's.
 */

export interface KoreClientOptions {
  readonly host: string;
  readonly clientId: string;
  readonly clientSecret: Secret;
  readonly timeoutMs: number;
  readonly tokenTtlSeconds: number;
  /** Largest body read from Kore (the default leaves room for a month of hourly v2 answers many times over). */
  readonly maxBodyBytes?: number;
}

export interface UpstreamLog {
  debug(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

/** Per-request counters a caller may pass along (for the operation's log line). */
export interface CallTrace {
  /** One HTTP request sent to Kore.ai (retries count again). */
  upstreamCall(): void;
  /** Answered from the shared cache. */
  cacheHit(): void;
  /** Who asks (the caller token's `sub`), for the budget's per-caller shares; one caller when unset. */
  readonly caller?: string;
  /** The operation's span, parent of upstream call spans (tracing on only). */
  readonly span?: Span;
  /** Until when the answer just returned is fresh (the operation's response cache uses the earliest). */
  fresh?(until: number): void;
  /**
   * Told of each answer served fresh (with the background refresher on), with a function that tells
   * the refresher again: a whole operation replayed from the operation cache calls it, so questions
   * a dashboard repeats stay "asked" although no request reaches the upstream chain.
   */
  served?(again: () => void): void;
}

/** What the rest of the service needs from Kore.ai: one engagement question, answered and normalized. */
export interface KoreClient {
  /** `options`: how an expired cached answer may be served, and who to tell where the answer came from (the resilient client's; Kore's own client ignores them). */
  fetchTrend(req: UpstreamRequest, trace?: CallTrace, options?: FetchOptions): Promise<TrendData>;
  /** Drop pooled keep-alive sockets (at shutdown). */
  close(): void;
}

export function createKoreClient(options: KoreClientOptions, log: UpstreamLog): KoreClient {
  const httpAgent = new http.Agent({ keepAlive: true });
  const httpsAgent = new https.Agent({ keepAlive: true });
  // Our lean adapter (http-adapter.ts) unless a proxy is configured, which axios's own adapter handles.
  const proxied = usesProxy();
  const api: AxiosInstance = axios.create({
    adapter: proxied ? 'http' : createHttpAdapter({ http: httpAgent, https: httpsAgent }),
    baseURL: options.host,
    timeout: options.timeoutMs,
    maxRedirects: 0, // a redirect would carry the `auth` token to another origin
    maxContentLength: options.maxBodyBytes ?? 5_000_000,
    responseType: 'text',
    transformRequest: [(data: unknown) => data], // bodies are sent as the strings built here
    transformResponse: [(data: unknown) => data], // parse ourselves: HTML and junk must not throw inside axios
    validateStatus: () => true,
    httpAgent,
    httpsAgent,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
  });

  const mintToken = createUpstreamSigner(options.clientId, options.clientSecret.reveal(), options.tokenTtlSeconds);

  async function send(req: UpstreamRequest): Promise<{ status: number; body: string; retryAfter: string | undefined }> {
    const token = mintToken();
    const call: AxiosRequestConfig = { method: 'POST', url: `${trendPath(req)}?${trendQuery(req)}`, headers: { auth: token } };
    const body = trendBody(req);
    if (body !== undefined) call.data = body;
    // Our adapter's `timeout` bounds the whole exchange, slow bodies included; axios's own is an
    // idle timer, so behind a proxy a signal bounds the exchange instead.
    if (proxied) call.signal = AbortSignal.timeout(options.timeoutMs);
    const res = await api.request<string>(call);
    const retryAfter = res.headers['retry-after'];
    return {
      status: res.status,
      body: typeof res.data === 'string' ? res.data : '',
      retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
    };
  }

  function failureOf(error: unknown): UpstreamFailure {
    if (isAxiosError(error)) {
      if (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT' || error.code === 'ERR_CANCELED') {
        return { kind: 'timeout', timeoutMs: options.timeoutMs };
      }
      if (error.code === 'ERR_BAD_RESPONSE' && /maxContentLength/.test(error.message)) return { kind: 'malformed', status: 200 };
      return { kind: 'network', code: error.code };
    }
    return { kind: 'network', code: undefined };
  }

  return {
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
    async fetchTrend(req, trace) {
      const started = Date.now();
      trace?.upstreamCall();
      let failure: UpstreamFailure;
      try {
        const res = await send(req);
        if (res.status >= 200 && res.status < 300) {
          try {
            const data = mapTrend(JSON.parse(res.body), req);
            log.debug(
              { botId: req.botId, version: req.version, granularity: req.granularity, status: res.status, ms: Date.now() - started },
              'upstream call',
            );
            return data;
          } catch (error) {
            if (!(error instanceof SyntaxError || error instanceof MalformedBodyError)) throw error;
            log.warn({ botId: req.botId, where: error instanceof MalformedBodyError ? error.where : 'JSON' }, 'upstream body unreadable');
            failure = { kind: 'malformed', status: res.status };
          }
        } else {
          failure = { kind: 'response', ...res };
        }
      } catch (error) {
        failure = failureOf(error);
      }
      const mapped: UpstreamError = upstreamErrorFrom(failure, req.botId);
      log.warn(
        {
          botId: req.botId,
          version: req.version,
          granularity: req.granularity,
          code: mapped.code,
          status: mapped.status,
          ms: Date.now() - started,
        },
        'upstream call failed',
      );
      throw mapped;
    },
  };
}
