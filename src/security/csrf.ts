import type { IncomingHttpHeaders } from 'node:http';

/**
 * Cross-site request forgery: which requests a browser could send from another site without asking
 * first (a CORS "simple request": no preflight), and which of those this API still answers.
 *
 * Apollo Server's own rule (kept here for POST and for every request that names no GraphQL media
 * type): a request is answered when its Content-Type is one a simple request cannot carry, or when
 * it sends `apollo-require-preflight` or `x-apollo-operation-name`. Added for GET: a request whose
 * `Accept` header prefers a GraphQL media type (`application/graphql-response+json`, or the older
 * `application/graphql+json`), as urql and Apollo Client send by default, is answered too unless
 * the browser marks it as sent by another site (`Sec-Fetch-Site: cross-site` or `same-site`).
 * - No browser sends such an `Accept` on its own (`<img>`, `<script>`, `<link>`, `<iframe>`,
 *   forms, navigations and CSS all send fixed values): markup alone cannot pass.
 * - Script on another site can set it, but every current browser then adds `Sec-Fetch-Site`,
 *   which no script can set or remove: refused. Browsers from before fetch metadata still send
 *   `Origin` on a script's cross-origin request: one naming another host is refused too.
 * - This API sends no CORS headers, so the one legitimate browser caller is a same-origin page.
 * README "Security" has the whole argument: no cookie is read, tokens come only in the
 * Authorization header, and a query's only effect is spending upstream budget.
 */

/** The Content-Types a simple request may carry (Fetch standard, "CORS-safelisted request-header"). */
const SIMPLE_CONTENT_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);
/** Headers a simple request cannot carry; Apollo Server's `recommendedCsrfPreventionRequestHeaders`. */
export const PREFLIGHT_HEADERS: ReadonlyArray<string> = ['x-apollo-operation-name', 'apollo-require-preflight'];
/** `Sec-Fetch-Site` values that say another site's page made the browser send the request. */
const OTHER_SITES = new Set(['cross-site', 'same-site']);
/** The GraphQL-over-HTTP media types; no browser puts one in `Accept` by itself. */
const GRAPHQL_MEDIA_TYPES = new Set(['application/graphql-response+json', 'application/graphql+json']);

const MEDIA_TYPE = /^[!#$%&'*+.^_`|~0-9a-z-]+\/[!#$%&'*+.^_`|~0-9a-z-]+$/;

const single = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value.join(', ') : value);

/** The media types an `Accept` header ranks first (the highest `q`, ties kept), lower-cased. */
export function preferredMediaTypes(accept: string | undefined): string[] {
  const ranges = (accept ?? '')
    .split(',')
    .map((part) => {
      const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const q = params.find((p) => /^q=/.test(p));
      const weight = q === undefined ? 1 : Number(q.slice(2));
      return { type, weight: Number.isFinite(weight) ? weight : 0 };
    })
    .filter((r) => MEDIA_TYPE.test(r.type) && r.weight > 0);
  const best = Math.max(...ranges.map((r) => r.weight));
  return ranges.filter((r) => r.weight === best).map((r) => r.type);
}

/**
 * Browsers from before fetch metadata send no `Sec-Fetch-Site`, but a script's cross-origin request
 * still carries `Origin`: one naming another host than the request's `Host` is another site's page.
 * (Same-origin GETs usually carry no `Origin`; one that does names this host.)
 */
function fromAnotherOrigin(headers: IncomingHttpHeaders): boolean {
  const origin = single(headers.origin)?.trim();
  if (origin === undefined || origin === '') return false;
  try {
    return new URL(origin).host.toLowerCase() !== (single(headers.host) ?? '').trim().toLowerCase();
  } catch {
    return true; // `null` (an opaque origin: sandboxed frames, file pages) or garbage: not this origin
  }
}

/**
 * True when the request could be a cross-site simple request and shows nothing only a chosen
 * client sends: refuse it. Invariant: whatever this accepts, a browser had to preflight, or a
 * script had to set an `Accept` header on a GET that the browser did not mark as another site's.
 */
export function isUnprovenSimpleRequest(method: string, headers: IncomingHttpHeaders): boolean {
  const contentType = single(headers['content-type']);
  if (contentType !== undefined) {
    const essence = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
    // A browser preflights any other type; an unparsable one is not "simple" either (Apollo's reading).
    if (!MEDIA_TYPE.test(essence) || !SIMPLE_CONTENT_TYPES.has(essence)) return false;
  }
  if (PREFLIGHT_HEADERS.some((name) => (single(headers[name]) ?? '') !== '')) return false;
  if (method !== 'GET' || OTHER_SITES.has(single(headers['sec-fetch-site'])?.trim().toLowerCase() ?? '')) return true;
  if (fromAnotherOrigin(headers)) return true;
  return !preferredMediaTypes(single(headers.accept)).some((type) => GRAPHQL_MEDIA_TYPES.has(type));
}

/** The refusal's wording, Apollo Server's own plus the GET rule, so clients see one message for one rule. */
export const CSRF_MESSAGE =
  "This operation has been blocked as a potential Cross-Site Request Forgery (CSRF). Please either specify a 'content-type' " +
  'header (with a type that is not one of application/x-www-form-urlencoded, multipart/form-data, text/plain), provide a ' +
  `non-empty value for one of the following headers: ${PREFLIGHT_HEADERS.join(', ')}, or, for a GET from this origin or ` +
  "outside a browser, an 'accept' header preferring application/graphql-response+json.";
