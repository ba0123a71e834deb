import http from 'node:http';
import https from 'node:https';
import { AxiosError, type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';

/**
 * An axios adapter for the one kind of exchange this service has with Kore.ai: a small request
 * (no body or a JSON string) on a keep-alive socket, answered with a small text body.
 *
 * Why: axios's own node adapter is general (proxies looked up in the environment on every call,
 * redirects, decompression, transform streams, upload progress), and that generality was a large
 * share of an uncached operation's CPU (BENCHMARKS.md, "What profiling changed"). Everything else
 * stays axios: instance defaults, header handling, transforms, validateStatus and AxiosError codes,
 * so the client code and its error mapping do not change.
 *
 * Behaviour, as axios's adapter with this service's settings:
 * - `timeout` bounds the whole exchange, slow bodies included (axios: idle socket) → ECONNABORTED;
 * - `signal` aborts → ERR_CANCELED; socket errors keep their code (ECONNREFUSED, ECONNRESET, …);
 * - a body over `maxContentLength` → ERR_BAD_RESPONSE "maxContentLength size of N exceeded";
 * - redirects are never followed (maxRedirects 0); the response body is the text, undecoded;
 * - no proxy: with a proxy variable set, the client uses axios's own adapter (usesProxy, config/proxy.ts).
 */

export interface Agents {
  readonly http: http.Agent;
  readonly https: https.Agent;
}

const ABSOLUTE = /^[a-z][a-z\d+.-]*:\/\//i;

interface Origin {
  readonly secure: boolean;
  readonly protocol: string;
  readonly hostname: string;
  readonly port: string;
  /** The base URL's path, without a trailing slash. */
  readonly path: string;
}

function originOf(url: URL): Origin {
  return {
    secure: url.protocol === 'https:',
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port,
    path: url.pathname.replace(/\/+$/, ''),
  };
}

export function createHttpAdapter(agents: Agents): AxiosAdapter {
  // The base URL is the same on every call (one Kore.ai host per client): parsed once.
  const bases = new Map<string, Origin>();
  const target = (config: InternalAxiosRequestConfig): { origin: Origin; path: string } => {
    const url = config.url ?? '';
    if (ABSOLUTE.test(url)) {
      const parsed = new URL(url);
      return { origin: originOf(parsed), path: parsed.pathname + parsed.search };
    }
    const base = config.baseURL ?? '';
    let origin = bases.get(base);
    if (!origin) bases.set(base, (origin = originOf(new URL(base))));
    return { origin, path: `${origin.path}/${url.replace(/^\/+/, '')}` };
  };

  return (config: InternalAxiosRequestConfig) =>
    new Promise<AxiosResponse>((resolve, reject) => {
      const { origin, path } = target(config);
      const body = config.data;
      if (body !== undefined && body !== null && typeof body !== 'string' && !Buffer.isBuffer(body)) {
        reject(new AxiosError('This adapter sends string or Buffer bodies only', AxiosError.ERR_BAD_REQUEST, config));
        return;
      }
      const headers = config.headers.toJSON(true) as Record<string, string>;
      if (body != null) headers['content-length'] = String(Buffer.byteLength(body));
      if (!config.headers.has('user-agent')) headers['user-agent'] = 'engagement-graph';

      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (error: AxiosError | undefined, response?: AxiosResponse) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        config.signal?.removeEventListener?.('abort', onAbort);
        if (error) reject(error);
        else resolve(response as AxiosResponse);
      };
      const fail = (message: string, code: string) => {
        finish(new AxiosError(message, code, config, req));
        req.destroy();
      };
      const onAbort = () => fail('canceled', AxiosError.ERR_CANCELED);

      const req = (origin.secure ? https : http).request(
        {
          protocol: origin.protocol,
          hostname: origin.hostname,
          port: origin.port,
          path,
          method: (config.method ?? 'get').toUpperCase(),
          headers,
          agent: origin.secure ? agents.https : agents.http,
        },
        (res) => {
          const limit = config.maxContentLength ?? -1;
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (limit > -1 && size > limit) fail(`maxContentLength size of ${limit} exceeded`, AxiosError.ERR_BAD_RESPONSE);
            else chunks.push(chunk);
          });
          res.on('aborted', () => fail('stream has been aborted', AxiosError.ERR_BAD_RESPONSE));
          res.on('error', (error: NodeJS.ErrnoException) => finish(AxiosError.from(error, error.code, config, req)));
          res.on('end', () => {
            const response: AxiosResponse = {
              data: chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8'),
              status: res.statusCode ?? 0,
              statusText: res.statusMessage ?? '',
              headers: res.headers as AxiosResponse['headers'],
              config,
              request: req,
            };
            const valid = !response.status || !config.validateStatus || config.validateStatus(response.status);
            const code = response.status >= 400 && response.status < 500 ? AxiosError.ERR_BAD_REQUEST : AxiosError.ERR_BAD_RESPONSE;
            finish(
              valid ? undefined : new AxiosError(`Request failed with status code ${response.status}`, code, config, req, response),
              response,
            );
          });
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => finish(AxiosError.from(error, error.code, config, req)));
      if (config.timeout)
        timer = setTimeout(() => fail(`timeout of ${config.timeout}ms exceeded`, AxiosError.ECONNABORTED), config.timeout);
      if (config.signal) {
        if (config.signal.aborted) return onAbort();
        config.signal.addEventListener?.('abort', onAbort);
      }
      req.end(body ?? undefined);
    });
}
