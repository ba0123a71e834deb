import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type HTTPGraphQLResponse } from '@apollo/server';
import type { Context } from '../context';
import { AuthError, type Authenticate, type Principal } from '../security/auth';
import { isAbortedBody, requestJsonTooDeep } from '../security/body';
import { CSRF_MESSAGE, isUnprovenSimpleRequest } from '../security/csrf';
import { ErrorCode, OperationLimitError, PersistedDocumentError } from '../errors';
import type { DocumentGate } from './persisted-documents';
import { ifNoneMatchHits, NO_STORE, strongEtag, wantsEtag } from './plugins/cache-control';

/**
 * A small node:http integration for Apollo Server 5: routing, a capped body reader and the
 * hand-off to `executeHTTPGraphQLRequest`. No web framework: every request walks only this file.
 */

export interface HttpDeps {
  readonly apollo: ApolloServer<Context>;
  readonly maxBodyBytes: number;
  /** MAX_JSON_DEPTH: deepest nesting of the body's JSON (and a GET's variables and extensions), checked before parsing. */
  readonly maxJsonDepth: number;
  readonly requestIdOf: (req: IncomingMessage) => string;
  /** Router secret and caller token, checked before the body is read; throws AuthError. */
  readonly authenticate: Authenticate;
  /** PERSISTED_DOCUMENTS allow|require: swaps a manifest id for its document, or refuses the request before parsing. */
  readonly trustedDocuments?: DocumentGate;
  readonly contextFor: (req: IncomingMessage, requestId: string, principal: Principal) => Promise<Context>;
  /** Told of every request refused before Apollo (no secret or token in the arguments). */
  readonly onRefused: (requestId: string, reason: string, status: number) => void;
  /** Extra GET/HEAD routes by path (health, readiness, metrics). */
  readonly routes: Readonly<Record<string, (req: IncomingMessage, res: ServerResponse) => void | Promise<void>>>;
  readonly onError: (error: unknown) => void;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(new BodyTooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Answers outside GraphQL (refusals, probes, 404) describe one moment: no cache may keep them. */
function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  const fixed = { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': NO_STORE };
  res.writeHead(status, { ...fixed, ...headers });
  res.end(text);
}

const errorBody = (message: string, code: ErrorCode, extra: Record<string, unknown> = {}) => ({
  errors: [{ message, extensions: { code, ...extra } }],
});

/** A browser opening /graphql for Apollo Sandbox: the page runs nothing by itself, so it needs no token. */
const isLandingPageRequest = (req: IncomingMessage, url: URL) =>
  req.method === 'GET' && !url.searchParams.has('query') && /\btext\/html\b/.test(req.headers.accept ?? '');

/** RFC 6750: no error attribute when no token was sent; invalid_token otherwise. */
function challenge(error: AuthError): string {
  if (error.reason === 'missing' || error.reason === 'router-secret') return 'Bearer realm="engagement-graph"';
  return `Bearer realm="engagement-graph", error="invalid_token", error_description="${error.message.replace(/"/g, "'")}"`;
}

async function writeGraphQLResponse(
  req: IncomingMessage,
  res: ServerResponse,
  response: HTTPGraphQLResponse,
  requestId: string,
): Promise<void> {
  const headers: Record<string, string> = { 'x-request-id': requestId };
  for (const [key, value] of response.headers) headers[key] = value;
  // Apollo answers some requests without running plugins (CSRF refusal, a malformed GET): never stored.
  headers['cache-control'] ??= NO_STORE;
  if (response.body.kind === 'complete') {
    // Persisted-query GETs a CDN keeps are revalidated with If-None-Match: a 304 has no body.
    if (wantsEtag(req.method, response.status ?? 200, headers['cache-control'])) {
      headers.etag = strongEtag(response.body.string);
      if (ifNoneMatchHits(req.headers['if-none-match'], headers.etag)) {
        const { 'content-type': _type, ...kept } = headers;
        res.writeHead(304, kept);
        res.end();
        return;
      }
    }
    headers['content-length'] = String(Buffer.byteLength(response.body.string));
    res.writeHead(response.status ?? 200, headers);
    res.end(response.body.string);
    return;
  }
  res.writeHead(response.status ?? 200, headers);
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

export function createHttpHandler(deps: HttpDeps) {
  async function graphql(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const requestId = deps.requestIdOf(req);
    let principal: Principal;
    try {
      principal = deps.authenticate(req.headers);
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      if (error.reason !== 'router-secret' && isLandingPageRequest(req, url)) principal = { subject: undefined, bots: new Set() };
      else {
        deps.onRefused(requestId, `unauthenticated:${error.reason}`, 401);
        req.resume(); // never read a refused body
        sendJson(res, 401, errorBody(error.message, ErrorCode.UNAUTHENTICATED, { reason: error.reason }), {
          'x-request-id': requestId,
          'www-authenticate': challenge(error),
        });
        return;
      }
    }
    // CSRF (security/csrf.ts), after the token check (a simple request carries none: 401 above) and
    // before the body is read. A GET with no parameters runs nothing (the landing page or a 400).
    if ((req.method !== 'GET' || url.search !== '') && isUnprovenSimpleRequest(req.method ?? 'GET', req.headers)) {
      deps.onRefused(requestId, 'csrf', 400);
      req.resume();
      sendJson(res, 400, errorBody(CSRF_MESSAGE, ErrorCode.BAD_REQUEST), { 'x-request-id': requestId });
      return;
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    /** Refuses JSON nested deeper than the limit before anything parses or walks it (security/body.ts). */
    const refusedAsTooDeep = (text: string | undefined): boolean => {
      if (!requestJsonTooDeep(text, url.searchParams, deps.maxJsonDepth)) return false;
      const error = new OperationLimitError('json-depth', deps.maxJsonDepth, undefined);
      deps.onRefused(requestId, 'limit:json-depth', 400);
      sendJson(res, 400, errorBody(error.message, error.code, { limit: error.limit, max: deps.maxJsonDepth }), {
        'x-request-id': requestId,
      });
      return true;
    };
    let body: unknown;
    if (req.method !== 'POST' && refusedAsTooDeep(undefined)) return;
    if (req.method === 'POST') {
      let text: string;
      try {
        text = await readBody(req, deps.maxBodyBytes);
      } catch (error) {
        if (error instanceof BodyTooLarge) {
          deps.onRefused(requestId, 'body-too-large', 413);
          sendJson(res, 413, errorBody(`Request body is larger than ${deps.maxBodyBytes} bytes.`, ErrorCode.PAYLOAD_TOO_LARGE), {
            'x-request-id': requestId,
            connection: 'close',
          });
          return;
        }
        if (isAbortedBody(error)) return deps.onRefused(requestId, 'body-aborted', 499); // nothing to answer
        throw error;
      }
      const type = headers.get('content-type') ?? '';
      if (/^application\/(graphql-response\+)?json\b|^application\/[\w.+-]*\+json\b/i.test(type) && text !== '') {
        if (refusedAsTooDeep(text)) return;
        try {
          body = JSON.parse(text);
        } catch {
          sendJson(res, 400, errorBody('The request body is not valid JSON.', ErrorCode.BAD_REQUEST), { 'x-request-id': requestId });
          return;
        }
      } else body = text;
    }
    const method = req.method?.toUpperCase() ?? 'GET';
    const trusted = deps.trustedDocuments?.(method, body, url) ?? { body, search: url.search };
    if (trusted instanceof PersistedDocumentError) {
      deps.onRefused(requestId, `persisted-document:${trusted.refusal}`, trusted.status);
      // no-store: an id unknown now may be in the next deployment's manifest; no cache may keep the 404.
      sendJson(res, trusted.status, errorBody(trusted.message, trusted.code), { 'x-request-id': requestId });
      return;
    }
    const response = await deps.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method, headers, search: trusted.search, body: trusted.body },
      context: () => deps.contextFor(req, requestId, principal),
    });
    await writeGraphQLResponse(req, res, response, requestId);
  }

  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const handle = async () => {
      if (url.pathname === '/graphql') return graphql(req, res, url);
      const route = deps.routes[url.pathname];
      if (route && (req.method === 'GET' || req.method === 'HEAD')) return route(req, res);
      sendJson(res, 404, { error: 'not found', graphql: '/graphql' });
    };
    handle().catch((error: unknown) => {
      deps.onError(error);
      if (!res.headersSent) sendJson(res, 500, errorBody('Internal server error', ErrorCode.INTERNAL_SERVER_ERROR));
      else res.destroy();
    });
  };
}

export { sendJson };
