import { once } from 'node:events';
import { connect } from 'node:net';
import jwt from 'jsonwebtoken';
import { callerToken, CALLER_SECRET, ISSUER, AUDIENCE, JWT_ENV, rsaKeys, unsignedToken } from '../helpers/caller-tokens';
import { startStack, trendCalls, type Stack } from '../helpers/stack';
import { until } from '../helpers/wait';

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
  readonly rawBody?: string | Buffer;
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
  const payload = Buffer.from(
    JSON.stringify({ sub: 'dashboard-1', bots: '*', iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 300 }),
  ).toString('base64url');
  return `Bearer ${h}.${payload}.${s}`;
})();

// Hostile bodies: JSON text written by hand, since JSON.stringify itself cannot build some of it.
const nested = (n: number, open = '[', close = ']') => open.repeat(n) + close.repeat(n);
const nestedObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
const GOOD_JSON = JSON.stringify(GOOD);
const withVariables = (variablesJson: string, query = TREND, rest = '') =>
  `{"query":${JSON.stringify(query)},"variables":${variablesJson}${rest}}`;
const goodPlus = (rest: string) => withVariables(GOOD_JSON, TREND, rest);
const entities = (r: string, query = ENTITIES) => withVariables(`{"r":${r}}`, query);
const preflight = { 'apollo-require-preflight': 'true' };
const get = (search: string): Hostile => ({ method: 'GET', search, headers: preflight });
const enc = encodeURIComponent;

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
  [
    'a token signed with another secret',
    401,
    'UNAUTHENTICATED',
    { ...trend({}), authorization: `Bearer ${callerToken({}, {}, 'another-secret-that-is-long-enough-0123')}` },
  ],
  ['an unsigned token (alg: none)', 401, 'UNAUTHENTICATED', { ...trend({}), authorization: `Bearer ${unsignedToken()}` }],
  ['HS512 when only HS256 is accepted', 401, 'UNAUTHENTICATED', { ...trend({}), authorization: token({}, { algorithm: 'HS512' }) }],
  [
    'an RS256 token (algorithm confusion)',
    401,
    'UNAUTHENTICATED',
    { ...trend({}), authorization: `Bearer ${callerToken({}, { algorithm: 'RS256' }, rsaKeys().privateKey)}` },
  ],
  [
    'a token without expiry',
    401,
    'UNAUTHENTICATED',
    { ...trend({}), authorization: `Bearer ${jwt.sign({ sub: 'x', bots: '*' }, CALLER_SECRET, { issuer: ISSUER, audience: AUDIENCE })}` },
  ],
  ['a 9 KB token', 401, 'UNAUTHENTICATED', { ...trend({}), authorization: `Bearer ${'a'.repeat(9000)}.b.c` }],
  ['a token whose payload was changed to bots "*"', 401, 'UNAUTHENTICATED', { ...trend({}), authorization: tampered }],
  // Per-bot authorization: a field error, no call.
  ['a bot the token does not list', 200, 'FORBIDDEN', trend({ botId: 'st-demo-banking' })],
  [
    'Query.bot for a bot the token does not list',
    200,
    'FORBIDDEN',
    {
      query: `{ bot(id: "st-demo-banking") { engagementTrend(range: { start: "2025-12-01", end: "2025-12-07" }) { summary { uniqueUsers } } } }`,
    },
  ],
  [
    '_entities for a bot the token does not list',
    200,
    'FORBIDDEN',
    { query: ENTITIES, variables: { r: [{ __typename: 'Bot', id: 'st-demo-banking' }] } },
  ],
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
  [
    'a __proto__ filter field',
    400,
    'BAD_USER_INPUT',
    {
      rawBody: `{"query":${JSON.stringify(TREND)},"variables":{"botId":"st-demo-retail","range":{"start":"2025-12-01","end":"2025-12-07"},"filters":{"__proto__":{"timeZone":"x"}}}}`,
    },
  ],
  [
    'a literal of the wrong type',
    400,
    'GRAPHQL_VALIDATION_FAILED',
    { query: `{ engagementTrend(botId: "st-demo-retail", range: "2025") { botId } }` },
  ],
  // Operation limits: 400 before execution.
  ['40 aliases of one question', 400, 'OPERATION_LIMIT_EXCEEDED', { query: aliases(40, () => trendOn('2025-12-01', '2025-12-07')) }],
  ['25 aliases, each a different range', 400, 'COST_LIMIT_EXCEEDED', { query: aliases(25, (i) => trendOn(day(i), day(i))) }],
  [
    '11 ranges asking hourly and daily',
    400,
    'COST_LIMIT_EXCEEDED',
    { query: aliases(11, (i) => trendOn(day(i), day(i), 'series { uniqueUsers { users } } hourly { hour }')) },
  ],
  [
    '_entities for 30 bots',
    400,
    'COST_LIMIT_EXCEEDED',
    {
      query: ENTITIES,
      variables: { r: Array.from({ length: 30 }, (_, i) => ({ __typename: 'Bot', id: `st-bot-${i}` })) },
      authorization: token({ bots: '*' }),
    },
  ],
  [
    'a query nested 10 deep',
    400,
    'OPERATION_LIMIT_EXCEEDED',
    { query: `{ __type(name: "Query") { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } }` },
  ],
  ['1,200 fields (token flood)', 400, 'OPERATION_LIMIT_EXCEEDED', { query: `{ ${'__typename '.repeat(1200)}}` }],
  ['40 directives', 400, 'OPERATION_LIMIT_EXCEEDED', { query: `{ __typename ${'@include(if: true) '.repeat(40)}}` }],
  // HTTP.
  [
    'a 200 KB body',
    413,
    'PAYLOAD_TOO_LARGE',
    { rawBody: JSON.stringify({ query: `{ __typename }`, variables: { pad: 'x'.repeat(200_000) } }) },
  ],
  ['a body that is not JSON', 400, 'BAD_REQUEST', { rawBody: '{"query": "{ __typename }"' }],
  [
    'batched operations',
    400,
    'BAD_REQUEST',
    {
      rawBody: JSON.stringify([
        { query: TREND, variables: GOOD },
        { query: TREND, variables: GOOD },
      ]),
    },
  ],
  [
    'a mutation over GET',
    405,
    'BAD_REQUEST',
    { method: 'GET', search: `?query=${encodeURIComponent('mutation { __typename }')}`, headers: { 'apollo-require-preflight': 'true' } },
  ],
  ['a CSRF-style text/plain POST', 400, 'BAD_REQUEST', { ...trend({}), contentType: 'text/plain' }],
  ['a CSRF-style simple GET', 400, 'BAD_REQUEST', { method: 'GET', search: `?query=${encodeURIComponent('{ __typename }')}` }],
  ['a syntax error', 400, 'GRAPHQL_PARSE_FAILED', { query: '{ engagementTrend(' }],
  ['an unknown field', 400, 'GRAPHQL_VALIDATION_FAILED', { query: '{ engagementTrends { botId } }' }],
  // Hostile bodies. Nesting: refused before anything parses or walks it (MAX_JSON_DEPTH, default 64).
  [
    '10,000 levels of [[[…]]] in a variable',
    400,
    'OPERATION_LIMIT_EXCEEDED',
    { rawBody: withVariables(`{"botId":"st-demo-retail","range":${nested(10_000)}}`) },
  ],
  [
    '10,000 levels of [[[…]]] in an unused variable',
    400,
    'OPERATION_LIMIT_EXCEEDED',
    { rawBody: withVariables(`{"botId":"st-demo-retail","range":{"start":"2025-12-01","end":"2025-12-07"},"unused":${nested(10_000)}}`) },
  ],
  [
    '10,000 levels of objects as filters',
    400,
    'OPERATION_LIMIT_EXCEEDED',
    {
      rawBody: withVariables(
        `{"botId":"st-demo-retail","range":{"start":"2025-12-01","end":"2025-12-07"},"filters":${nestedObject(10_000)}}`,
      ),
    },
  ],
  [
    '10,000 levels of [[[…]]] as a bot id',
    400,
    'OPERATION_LIMIT_EXCEEDED',
    { rawBody: withVariables(`{"botId":${nested(10_000)},"range":{"start":"2025-12-01","end":"2025-12-07"}}`) },
  ],
  [
    '10,000 levels of objects in extensions',
    400,
    'OPERATION_LIMIT_EXCEEDED',
    { rawBody: goodPlus(`,"extensions":{"x":${nestedObject(10_000)}}`) },
  ],
  [
    '10,000 levels in extensions.persistedQuery',
    400,
    'OPERATION_LIMIT_EXCEEDED',
    { rawBody: `{"extensions":{"persistedQuery":${nestedObject(10_000)}}}` },
  ],
  [
    '10,000 levels of [[[…]]] as operationName',
    400,
    'OPERATION_LIMIT_EXCEEDED',
    { rawBody: goodPlus(`,"operationName":${nested(10_000)}`) },
  ],
  ['10,000 levels of [[[…]]] as the query', 400, 'OPERATION_LIMIT_EXCEEDED', { rawBody: `{"query":${nested(10_000)}}` }],
  ['a body of 50,000 unclosed [', 400, 'OPERATION_LIMIT_EXCEEDED', { rawBody: '['.repeat(50_000) }],
  ['10,000 levels as a representation', 400, 'OPERATION_LIMIT_EXCEEDED', { rawBody: entities(`[${nestedObject(10_000)}]`) }],
  [
    '10,000 levels as a representation id',
    400,
    'OPERATION_LIMIT_EXCEEDED',
    { rawBody: entities(`[{"__typename":"Bot","id":${nested(10_000)}}]`) },
  ],
  ['65 levels, one over the limit', 400, 'OPERATION_LIMIT_EXCEEDED', { rawBody: goodPlus(`,"extensions":${nested(64)}`) }],
  ['GET: 6,000 levels of [[[…]]] in variables', 400, 'OPERATION_LIMIT_EXCEEDED', get(`?query=${enc(TREND)}&variables=${nested(6000)}`)],
  [
    'GET: 6,000 levels of [[[…]]] in extensions',
    400,
    'OPERATION_LIMIT_EXCEEDED',
    get(`?query=${enc('{ __typename }')}&extensions=${nested(6000)}`),
  ],
  [
    'GET: deep extensions in a repeated parameter',
    400,
    'OPERATION_LIMIT_EXCEEDED',
    get(`?query=${enc('{ __typename }')}&extensions={}&extensions=${nested(6000)}`),
  ],
  // Prototype keys: plain data, never merged into anything.
  ['__proto__ holding the variables', 400, 'BAD_USER_INPUT', { rawBody: withVariables(`{"__proto__":${GOOD_JSON}}`) }],
  [
    '__proto__ holding the range',
    400,
    'BAD_USER_INPUT',
    { rawBody: withVariables('{"botId":"st-demo-retail","range":{"__proto__":{"start":"2025-12-01","end":"2025-12-07"}}}') },
  ],
  [
    'variables named $constructor and $toString, not sent',
    400,
    'BAD_USER_INPUT',
    {
      query: 'query($constructor: ID!, $toString: DateRangeInput!) { engagementTrend(botId: $constructor, range: $toString) { botId } }',
      variables: {},
    },
  ],
  [
    'constructor.prototype in variables, and a bot not listed',
    200,
    'FORBIDDEN',
    {
      rawBody: withVariables(
        '{"constructor":{"prototype":{"polluted":1}},"botId":"st-demo-banking","range":{"start":"2025-12-01","end":"2025-12-07"}}',
      ),
    },
  ],
  [
    'operationName "__proto__"',
    400,
    'OPERATION_RESOLUTION_FAILURE',
    { rawBody: JSON.stringify({ query: 'query A { __typename }', operationName: '__proto__' }) },
  ],
  // Federation representations (raw JSON through the _Any scalar).
  [
    'a representation that is only __proto__',
    200,
    'BAD_USER_INPUT',
    { rawBody: entities('[{"__proto__":{"__typename":"Bot","id":"st-demo-retail"}}]') },
  ],
  [
    'a representation with __typename "constructor"',
    200,
    'BAD_USER_INPUT',
    { rawBody: entities('[{"__typename":"constructor","id":"st-demo-retail"}]') },
  ],
  ['a representation of an unknown type', 200, 'BAD_USER_INPUT', { rawBody: entities('[{"__typename":"Nope","id":"st-demo-retail"}]') }],
  [
    'a representation of a type that is no entity',
    200,
    'BAD_USER_INPUT',
    { rawBody: entities('[{"__typename":"Query","id":"st-demo-retail"}]') },
  ],
  ['a representation that is a number', 200, 'BAD_USER_INPUT', { rawBody: entities('[1]') }],
  ['a representation id {"toString": 1}', 200, 'BAD_USER_INPUT', { rawBody: entities('[{"__typename":"Bot","id":{"toString":1}}]') }],
  ['a representation id that is a list', 200, 'BAD_USER_INPUT', { rawBody: entities('[{"__typename":"Bot","id":["st-demo-retail"]}]') }],
  ['a representation without an id', 200, 'BAD_USER_INPUT', { rawBody: entities('[{"__typename":"Bot"}]') }],
  ['10,000 representations that are 0', 200, 'BAD_USER_INPUT', { rawBody: entities(`[${Array(10_000).fill('0').join(',')}]`) }],
  [
    '2,500 representations of distinct bots',
    400,
    'COST_LIMIT_EXCEEDED',
    { rawBody: entities(JSON.stringify(Array.from({ length: 2500 }, (_, i) => ({ __typename: 'Bot', id: `b${i}` })))) },
  ],
  [
    '2,000 copies of a representation not listed',
    200,
    'FORBIDDEN',
    { rawBody: entities(JSON.stringify(Array(2000).fill({ __typename: 'Bot', id: 'st-demo-banking' }))) },
  ],
  // Wrong shapes.
  ['variables that are an array', 400, 'BAD_REQUEST', { rawBody: withVariables('[1,2]') }],
  ['variables that are a string', 400, 'BAD_REQUEST', { rawBody: withVariables(JSON.stringify(GOOD_JSON)) }],
  ['variables that are a number', 400, 'BAD_REQUEST', { rawBody: withVariables('42') }],
  ['extensions that are a string', 400, 'BAD_REQUEST', { rawBody: goodPlus(',"extensions":"x"') }],
  ['operationName that is a number', 400, 'BAD_REQUEST', { rawBody: goodPlus(',"operationName":1') }],
  ['a query that is an object', 400, 'BAD_REQUEST', { rawBody: '{"query":{"kind":"Document"}}' }],
  ['a body that is an empty JSON array', 400, 'BAD_REQUEST', { rawBody: '[]' }],
  ['a body that is null', 400, 'BAD_REQUEST', { rawBody: 'null' }],
  ['a body that is a string', 400, 'BAD_REQUEST', { rawBody: '"{ __typename }"' }],
  ['a body that is 1e309', 400, 'BAD_REQUEST', { rawBody: '1e309' }],
  ['a body with a byte-order mark', 400, 'BAD_REQUEST', { rawBody: `\ufeff${JSON.stringify({ query: '{ __typename }' })}` }],
  [
    '1e309 as the bot id',
    400,
    'BAD_USER_INPUT',
    { rawBody: withVariables('{"botId":1e309,"range":{"start":"2025-12-01","end":"2025-12-07"}}') },
  ],
  ['1e309 as a representation id', 200, 'FORBIDDEN', { rawBody: entities('[{"__typename":"Bot","id":1e309}]') }],
  // Long strings within the body limit, and bytes that are not UTF-8.
  ['a 90 KB unknown operationName', 400, 'OPERATION_RESOLUTION_FAILURE', { rawBody: goodPlus(`,"operationName":"${'x'.repeat(90_000)}"`) }],
  ['a 90 KB bot id variable', 200, 'BAD_USER_INPUT', trend({ botId: 'x'.repeat(90_000) })],
  [
    'a 90 KB string literal as bot id',
    200,
    'BAD_USER_INPUT',
    { query: `{ engagementTrend(botId: "${'x'.repeat(90_000)}", range: { start: "2025-12-01", end: "2025-12-07" }) { botId } }` },
  ],
  [
    'invalid UTF-8 in the bot id',
    200,
    'BAD_USER_INPUT',
    {
      rawBody: Buffer.concat([
        Buffer.from(withVariables('{"botId":"st-demo-retail').slice(0, -1)),
        Buffer.from([0xff, 0xc3]),
        Buffer.from('","range":{"start":"2025-12-01","end":"2025-12-07"}}}'),
      ]),
    },
  ],
  [
    'a lone surrogate as bot id',
    200,
    'BAD_USER_INPUT',
    { rawBody: withVariables('{"botId":"\\ud800","range":{"start":"2025-12-01","end":"2025-12-07"}}') },
  ],
  ['a NUL in the document', 400, 'GRAPHQL_PARSE_FAILED', { query: '{ __typename \u0000 }' }],
  // Operations that cannot run here.
  ['two operations and no operationName', 400, 'OPERATION_RESOLUTION_FAILURE', { query: 'query A { __typename } query B { __typename }' }],
  ['a mutation (there are none)', 200, 'BAD_REQUEST', { query: 'mutation { __typename }' }],
  ['a subscription (there are none)', 200, 'BAD_REQUEST', { query: 'subscription { __typename }' }],
  [
    'a list literal nested 400 deep',
    400,
    'GRAPHQL_VALIDATION_FAILED',
    { query: `{ engagementTrend(botId: "st-demo-retail", range: ${nested(400)}) { botId } }` },
  ],
  [
    'a persisted-query hash that does not match',
    400,
    'BAD_REQUEST',
    { rawBody: goodPlus(',"extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}') },
  ],
  ['a persisted-query version 2', 400, 'BAD_REQUEST', { rawBody: '{"extensions":{"persistedQuery":{"version":2,"sha256Hash":"abc"}}}' }],
  ['GET with the query twice', 400, 'BAD_REQUEST', get(`?query=${enc('{ __typename }')}&query=${enc(TREND)}`)],
  ['GET with variables twice', 400, 'BAD_REQUEST', get(`?query=${enc(TREND)}&variables=${enc(GOOD_JSON)}&variables=${enc(GOOD_JSON)}`)],
  ['GET with variables that are not JSON', 400, 'BAD_REQUEST', get(`?query=${enc(TREND)}&variables=%7B`)],
];

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { ...JWT_ENV } });
});
afterAll(() => stack.close());

async function send(
  h: Hostile,
): Promise<{ status: number; body: { errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } }> {
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

  it.each(CASES)('%s → %i %s, no upstream call, nothing logged as an error', async (_name, status, code, hostile) => {
    const from = stack.emulator!.calls.length;
    const logsFrom = stack.logs.length;
    const res = await send(hostile);
    expect({ status: res.status, code: res.body.errors?.[0]?.extensions?.code }).toEqual({ status, code });
    expect(res.body.errors?.[0]?.message).toMatch(/\w/);
    expect(JSON.stringify(res.body)).not.toMatch(/stacktrace|Syntax Error: Token limit/);
    await loggedAfter();
    expect(errorLines(logsFrom)).toEqual([]);
    expect(trendCalls(stack.emulator!, from)).toHaveLength(0);
  });

  it('(control) a body nested as deep as the limit allows is served', async () => {
    const from = stack.emulator!.calls.length;
    // The envelope is level 1, variables 2, so 62 more levels reach MAX_JSON_DEPTH (64) exactly.
    // A range no other test asks for, so the answer cannot come from the cache.
    const res = await send({
      rawBody: withVariables(`{"botId":"st-demo-retail","range":{"start":"2025-11-01","end":"2025-11-09"},"unused":${nested(62)}}`),
    });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(trendCalls(stack.emulator!, from)).toHaveLength(1);
  });

  it('a client that goes away halfway through its body is not an error', async () => {
    const logsFrom = stack.logs.length;
    const { port } = new URL(stack.url);
    const socket = connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      `POST /graphql HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\nauthorization: Bearer ${callerToken()}\r\n` +
        `x-request-id: gone-halfway\r\ncontent-length: 5000\r\n\r\n${goodPlus('').slice(0, 40)}`,
    );
    // TCP delivers the head and the partial body before the FIN, so the server is reading this
    // request's body when it learns that the rest will never come.
    socket.end();
    await until(() => stack.logs.slice(logsFrom).some((l) => l.includes('"requestId":"gone-halfway"')) || errorLines(logsFrom).length > 0, {
      what: 'the abandoned request to be logged',
    });
    expect(errorLines(logsFrom)).toEqual([]);
    expect(stack.logs.slice(logsFrom).find((l) => l.includes('gone-halfway'))).toMatch(/"reason":"body-aborted"/);
    await loggedAfter();
    expect(errorLines(logsFrom)).toEqual([]);
  });
});

let sentinels = 0;
/**
 * Waits until everything the previous requests will log is in `stack.logs`: operation log lines are
 * written after the response (recordLater), so a fresh request is sent and its own line awaited.
 */
async function loggedAfter(): Promise<void> {
  const id = `sentinel-${++sentinels}`;
  expect((await send({ query: '{ __typename }', headers: { 'x-request-id': id } })).status).toBe(200);
  await until(() => stack.logs.some((l) => l.includes(`"requestId":"${id}"`)), { what: `the log line of ${id}`, intervalMs: 10 });
}

/** Log lines at pino level error (50) or fatal (60) since `from`. */
const errorLines = (from: number) =>
  stack.logs
    .slice(from)
    .flatMap((chunk) => chunk.split('\n').filter(Boolean))
    .filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
