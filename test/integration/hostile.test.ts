import jwt from 'jsonwebtoken';
import { callerToken, CALLER_SECRET, ISSUER, AUDIENCE, JWT_ENV, rsaKeys, unsignedToken } from '../helpers/caller-tokens';
import { startStack, trendCalls, type Stack } from '../helpers/stack';

/**
 * Hostile and malformed requests against a running server with caller tokens on. Each must get
 * the exact status and error code listed, and the built-in upstream must record no call at all.
 * The first test shows the same server does call upstream for a good request, so "zero calls"
 * is a real observation.
 */

const TREND = `query T($botId: ID!, $range: DateRangeInput!, $filters: EngagementFilters) {
  engagementTrend(botId: $botId, range: $range, filters: $filters) { botId summary { uniqueUsers } series { uniqueUsers { date users } } }
}`;
const RANGE = { start: '2025-12-01', end: '2025-12-07' };
const GOOD = { botId: 'st-demo-retail', range: RANGE };
const trend = (over: Record<string, unknown>) => ({ query: TREND, variables: { ...GOOD, ...over } });
const filters = (f: Record<string, unknown>) => trend({ filters: f });

interface Hostile {
  readonly query?: string;
  readonly variables?: Record<string, unknown>;
  /** Replaces the whole Authorization header; null = none. Default: a valid token for st-demo-retail. */
  readonly authorization?: string | null;
  readonly headers?: Record<string, string>;
  readonly method?: 'GET' | 'POST';
  /** Sent as is instead of JSON of { query, variables }. */
  readonly rawBody?: string;
  readonly contentType?: string;
  readonly search?: string;
}

const token = (claims: Record<string, unknown> = {}, options: jwt.SignOptions = {}) => `Bearer ${callerToken(claims, options)}`;
const aliases = (n: number, field: (i: number) => string) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field(i)}`).join(' ')} }`;
const trendOn = (start: string, end: string, select = 'summary { uniqueUsers }') =>
  `engagementTrend(botId: "st-demo-retail", range: { start: "${start}", end: "${end}" }) { ${select} }`;
const day = (i: number) => `2025-${String(1 + Math.floor(i / 28)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
const ENTITIES = `query E($r: [_Any!]!) { _entities(representations: $r) { ... on Bot { id engagementTrend(range: { start: "2025-12-01", end: "2025-12-07" }) { summary { uniqueUsers } } } } }`;
const tampered = (() => {
  const [h, , s] = callerToken().split('.');
  const payload = Buffer.from(JSON.stringify({ sub: 'dashboard-1', bots: '*', iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 300 })).toString('base64url');
  return `Bearer ${h}.${payload}.${s}`;
})();

const CASES: ReadonlyArray<readonly [string, number, string, Hostile]> = [
  // Caller tokens: 401 before anything runs.
  ['no Authorization header', 401, 'UNAUTHENTICATED', { ...trend({}), authorization: null }],
  ['Basic credentials instead of a token', 401, 'UNAUTHENTICATED', { ...trend({}), authorization: 'Basic dXNlcjpwYXNz' }],
  ['"Bearer" with no token', 401, 'UNAUTHENTICATED', { ...trend({}), authorization: 'Bearer ' }],
  ['a token that is not a JWT', 401, 'UNAUTHENTICATED', { ...trend({}), authorization: 'Bearer not-a-jwt' }],
  ['two tokens in one header', 401, 'UNAUTHENTICATED', { ...trend({}), authorization: `${token()} ${callerToken()}` }],
  ['an expired token', 401, 'UNAUTHENTICATED', { ...trend({}), authorization: token({}, { expiresIn: -3600 }) }],
  ['a token not valid yet (nbf)', 401, 'UNAUTHENTICATED', { ...trend({}), authorization: token({}, { notBefore: 3600 }) }],
  ['a token for another audience', 401, 'UNAUTHENTICATED', { ...trend({}), authorization: token({}, { audience: 'another-api' }) }],
  ['a token from another issuer', 401, 'UNAUTHENTICATED', { ...trend({}), authorization: token({}, { issuer: 'https://evil.example/' }) }],
  ['a token signed with another secret', 401, 'UNAUTHENTICATED', { ...trend({}), authorization: `Bearer ${callerToken({}, {}, 'another-secret-that-is-long-enough-0123')}` }],
  ['an unsigned token (alg: none)', 401, 'UNAUTHENTICATED', { ...trend({}), authorization: `Bearer ${unsignedToken()}` }],
  ['HS512 when only HS256 is accepted', 401, 'UNAUTHENTICATED', { ...trend({}), authorization: token({}, { algorithm: 'HS512' }) }],
  ['an RS256 token (algorithm confusion)', 401, 'UNAUTHENTICATED', { ...trend({}), authorization: `Bearer ${callerToken({}, { algorithm: 'RS256' }, rsaKeys().privateKey)}` }],
  ['a token without expiry', 401, 'UNAUTHENTICATED', { ...trend({}), authorization: `Bearer ${jwt.sign({ sub: 'x', bots: '*' }, CALLER_SECRET, { issuer: ISSUER, audience: AUDIENCE })}` }],
  ['a 9 KB token', 401, 'UNAUTHENTICATED', { ...trend({}), authorization: `Bearer ${'a'.repeat(9000)}.b.c` }],
  ['a token whose payload was changed to bots "*"', 401, 'UNAUTHENTICATED', { ...trend({}), authorization: tampered }],
  // Per-bot authorization: a field error, no call.
  ['a bot the token does not list', 200, 'FORBIDDEN', trend({ botId: 'st-demo-banking' })],
  ['Query.bot for a bot the token does not list', 200, 'FORBIDDEN', { query: `{ bot(id: "st-demo-banking") { engagementTrend(range: { start: "2025-12-01", end: "2025-12-07" }) { summary { uniqueUsers } } } }` }],
  ['_entities for a bot the token does not list', 200, 'FORBIDDEN', { query: ENTITIES, variables: { r: [{ __typename: 'Bot', id: 'st-demo-banking' }] } }],
  ['a token without a bots claim', 200, 'FORBIDDEN', { ...trend({}), authorization: token({ bots: undefined }) }],
  ['a bots claim that is a number', 200, 'FORBIDDEN', { ...trend({}), authorization: token({ bots: 42 }) }],
  // Arguments: refused before any call.
  ['February 30', 400, 'BAD_USER_INPUT', trend({ range: { start: '2025-02-30', end: '2025-03-01' } })],
  ['a date with slashes', 400, 'BAD_USER_INPUT', trend({ range: { start: '2025/12/01', end: '2025-12-07' } })],
  ['an inverted range', 200, 'BAD_USER_INPUT', trend({ range: { start: '2025-12-07', end: '2025-12-01' } })],
  ['a ten-year range', 200, 'BAD_USER_INPUT', trend({ range: { start: '2015-01-01', end: '2025-01-01' } })],
  ['a range in the future', 200, 'BAD_USER_INPUT', trend({ range: { start: '2099-01-01', end: '2099-01-02' } })],
  ['a range before 2000', 200, 'BAD_USER_INPUT', trend({ range: { start: '1999-12-01', end: '1999-12-31' } })],
  ['an unknown time zone', 200, 'BAD_USER_INPUT', filters({ timeZone: 'Mars/Olympus_Mons' })],
  ['a time zone carrying a query string', 200, 'BAD_USER_INPUT', filters({ timeZone: 'UTC&botId=st-demo-banking' })],
  ['a time zone that is a path', 200, 'BAD_USER_INPUT', filters({ timeZone: '../../etc/passwd' })],
  ['a 10 KB time zone', 200, 'BAD_USER_INPUT', filters({ timeZone: 'A'.repeat(10_000) })],
  ['a bot id with ../', 200, 'BAD_USER_INPUT', trend({ botId: '../st-demo-banking' })],
  ['a bot id with ?', 200, 'BAD_USER_INPUT', trend({ botId: 'st-demo-retail?x=1' })],
  ['a bot id with #', 200, 'BAD_USER_INPUT', trend({ botId: 'st-demo-retail#x' })],
  ['a bot id with %2F', 200, 'BAD_USER_INPUT', trend({ botId: 'st-demo-retail%2F..%2Fx' })],
  ['a 65-character bot id', 200, 'BAD_USER_INPUT', trend({ botId: 'a'.repeat(65) })],
  ['an empty bot id', 200, 'BAD_USER_INPUT', trend({ botId: '' })],
  ['a bot id with CR LF and a header', 200, 'BAD_USER_INPUT', trend({ botId: 'st-demo-retail\r\nX-Injected: 1' })],
  ['a channel carrying a query string', 200, 'BAD_USER_INPUT', filters({ channel: 'rtm&streamId=x' })],
  ['a 10 KB channel', 200, 'BAD_USER_INPUT', filters({ channel: 'r'.repeat(10_000) })],
  ['a range that is a string', 400, 'BAD_USER_INPUT', trend({ range: 'last week' })],
  ['a bot id that is an object', 400, 'BAD_USER_INPUT', trend({ botId: { $ne: null } })],
  ['an unknown enum value', 400, 'BAD_USER_INPUT', filters({ conversationType: 'EVERYTHING' })],
  ['a __proto__ filter field', 400, 'BAD_USER_INPUT', { rawBody: `{"query":${JSON.stringify(TREND)},"variables":{"botId":"st-demo-retail","range":{"start":"2025-12-01","end":"2025-12-07"},"filters":{"__proto__":{"timeZone":"x"}}}}` }],
  ['a literal of the wrong type', 400, 'GRAPHQL_VALIDATION_FAILED', { query: `{ engagementTrend(botId: "st-demo-retail", range: "2025") { botId } }` }],
  // Operation limits: 400 before execution.
  ['40 aliases of one question', 400, 'OPERATION_LIMIT_EXCEEDED', { query: aliases(40, () => trendOn('2025-12-01', '2025-12-07')) }],
  ['25 aliases, each a different range', 400, 'COST_LIMIT_EXCEEDED', { query: aliases(25, (i) => trendOn(day(i), day(i))) }],
  ['11 ranges asking hourly and daily', 400, 'COST_LIMIT_EXCEEDED', { query: aliases(11, (i) => trendOn(day(i), day(i), 'series { uniqueUsers { users } } hourly { hour }')) }],
  ['_entities for 30 bots', 400, 'COST_LIMIT_EXCEEDED', { query: ENTITIES, variables: { r: Array.from({ length: 30 }, (_, i) => ({ __typename: 'Bot', id: `st-bot-${i}` })) }, authorization: token({ bots: '*' }) }],
  ['a query nested 10 deep', 400, 'OPERATION_LIMIT_EXCEEDED', { query: `{ __type(name: "Query") { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } }` }],
  ['1,200 fields (token flood)', 400, 'OPERATION_LIMIT_EXCEEDED', { query: `{ ${'__typename '.repeat(1200)}}` }],
  ['40 directives', 400, 'OPERATION_LIMIT_EXCEEDED', { query: `{ __typename ${'@include(if: true) '.repeat(40)}}` }],
  // HTTP.
  ['a 200 KB body', 413, 'PAYLOAD_TOO_LARGE', { rawBody: JSON.stringify({ query: `{ __typename }`, variables: { pad: 'x'.repeat(200_000) } }) }],
  ['a body that is not JSON', 400, 'BAD_REQUEST', { rawBody: '{"query": "{ __typename }"' }],
  ['batched operations', 400, 'BAD_REQUEST', { rawBody: JSON.stringify([{ query: TREND, variables: GOOD }, { query: TREND, variables: GOOD }]) }],
  ['a mutation over GET', 405, 'BAD_REQUEST', { method: 'GET', search: `?query=${encodeURIComponent('mutation { __typename }')}`, headers: { 'apollo-require-preflight': 'true' } }],
  ['a CSRF-style text/plain POST', 400, 'BAD_REQUEST', { ...trend({}), contentType: 'text/plain' }],
  ['a CSRF-style simple GET', 400, 'BAD_REQUEST', { method: 'GET', search: `?query=${encodeURIComponent('{ __typename }')}` }],
  ['a syntax error', 400, 'GRAPHQL_PARSE_FAILED', { query: '{ engagementTrend(' }],
  ['an unknown field', 400, 'GRAPHQL_VALIDATION_FAILED', { query: '{ engagementTrends { botId } }' }],
];

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { ...JWT_ENV } });
});
afterAll(() => stack.close());

async function send(h: Hostile): Promise<{ status: number; body: { errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } }> {
  const headers: Record<string, string> = { 'content-type': h.contentType ?? 'application/json', ...h.headers };
  const authorization = h.authorization === undefined ? `Bearer ${callerToken()}` : h.authorization;
  if (authorization !== null) headers.authorization = authorization;
  const method = h.method ?? 'POST';
  if (method === 'GET') delete headers['content-type'];
  const res = await fetch(`${stack.url}/graphql${h.search ?? ''}`, {
    method,
    headers,
    body: method === 'GET' ? undefined : (h.rawBody ?? JSON.stringify({ query: h.query, variables: h.variables })),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as never };
}

describe('hostile and malformed requests', () => {
  it('(control) the same server calls upstream for a good request', async () => {
    const from = stack.emulator!.calls.length;
    const { status, body } = await send(trend({}));
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(trendCalls(stack.emulator!, from)).toHaveLength(1);
  });

  it(`has at least 40 cases (${CASES.length})`, () => expect(CASES.length).toBeGreaterThanOrEqual(40));

  it.each(CASES)('%s → %i %s, no upstream call', async (_name, status, code, hostile) => {
    const from = stack.emulator!.calls.length;
    const res = await send(hostile);
    expect({ status: res.status, code: res.body.errors?.[0]?.extensions?.code }).toEqual({ status, code });
    expect(res.body.errors?.[0]?.message).toMatch(/\w/);
    expect(JSON.stringify(res.body)).not.toMatch(/stacktrace|Syntax Error: Token limit/);
    expect(trendCalls(stack.emulator!, from)).toHaveLength(0);
  });
});
