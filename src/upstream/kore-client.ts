import http from 'node:http';
import https from 'node:https';
import type { Span } from '@opentelemetry/api';
import axios, { type AxiosInstance, type AxiosRequestConfig, isAxiosError } from 'axios';
import { isoDate } from '../time/calendar';
import { MalformedBodyError, mapTrend } from '../engagement/engagement.mapper';
import type { TrendData, UpstreamRequest } from '../engagement/model';
import { UpstreamError } from '../errors';
import type { Secret } from '../secret';
import { createHttpAdapter, usesProxy } from './http-adapter';
import { createUpstreamSigner } from './jwt';
import { upstreamErrorFrom, type UpstreamFailure } from './errors';

export interface KoreClientOptions {
  readonly host: string;
  readonly clientId: string;
  readonly clientSecret: Secret;
  readonly timeoutMs: number;
  readonly tokenTtlSeconds: number;
  /** Largest body read from Kore; a 31-day hourly v2 answer is ~60 KB. */
  readonly maxBodyBytes?: number;
}

export interface UpstreamLog {
  debug(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

/** What the rest of the service needs from Kore.ai: one engagement question, answered and normalized. */
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
}

export interface KoreClient {
  fetchTrend(req: UpstreamRequest, trace?: CallTrace): Promise<TrendData>;
  /** Drop pooled keep-alive sockets (at shutdown). */
  close(): void;
}

const CONVERSATION_TYPE = { ALL: 'All', INTERACTIVE: 'Interactive', NON_INTERACTIVE: 'Non Interactive' } as const;
const CONVERSATION_STATUS = { ALL: 'All', ACTIVE: 'Active', CLOSED: 'Closed' } as const;

/** Path for a request; the bot id is validated upstream of here and encoded again regardless. */
export function trendPath(req: UpstreamRequest): string {
  const bot = encodeURIComponent(req.botId);
  return req.version === 'v2' ? `/api/public/bot/${bot}/v2/userEngagementTrend` : `/api/public/bot/${bot}/userEngagementTrend`;
}

/** Query string in Kore's spellings (v1 capitalizes aggregation types; v2 takes filters and a zone). */
export function trendQuery(req: UpstreamRequest): string {
  const params: Array<[string, string]> =
    req.version === 'v2'
      ? [
          ['aggregation_type', req.granularity],
          ['start_date', isoDate(req.startDay)],
          ['end_date', isoDate(req.endDay)],
          ['conversationType', CONVERSATION_TYPE[req.conversationType]],
          ['conversationStatus', CONVERSATION_STATUS[req.conversationStatus]],
          ['timeZoneOffset', req.timeZone],
        ]
      : [
          ['aggregation_type', req.granularity === 'daily' ? 'Daily' : 'Hourly'],
          ['start_date', isoDate(req.startDay)],
          ['end_date', isoDate(req.endDay)],
        ];
  if (req.channel) params.push(['channels', req.channel]);
  // encodeURIComponent, not URLSearchParams: spaces go as %20 ("Non%20Interactive"), `/` as %2F.
  return params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
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
    if (req.version === 'v1') call.data = '{}';
    // Our adapter's `timeout` bounds the whole exchange, slow bodies included; axios's own is an
    // idle timer, so behind a proxy a signal bounds the exchange instead.
    if (proxied) call.signal = AbortSignal.timeout(options.timeoutMs);
    const res = await api.request<string>(call);
    const retryAfter = res.headers['retry-after'];
    return { status: res.status, body: typeof res.data === 'string' ? res.data : '', retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined };
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
            log.debug({ botId: req.botId, version: req.version, granularity: req.granularity, status: res.status, ms: Date.now() - started }, 'upstream call');
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
        { botId: req.botId, version: req.version, granularity: req.granularity, code: mapped.code, status: mapped.status, ms: Date.now() - started },
        'upstream call failed',
      );
      throw mapped;
    },
  };
}
