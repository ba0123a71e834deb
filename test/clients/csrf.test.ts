import { callerToken, JWT_ENV } from '../helpers/caller-tokens';
import { startStack, type Stack } from '../helpers/stack';
import { SUMMARY, upstreamCallsDuring, weekBefore } from './recorder';

/**
 * Cross-site simple requests (what a page on another site can make a visitor's browser send
 * without a CORS preflight: a form, an <img>, a navigation, a fetch with only safelisted headers)
 * are refused before anything runs, with no upstream call; the GET urql sends by default is
 * answered. The rule and its reasons: src/security/csrf.ts and README "Security". Every refusal is
 * paired with a request the same server answers with upstream calls, so "no call" is observed.
 */

const variables = (weeksAgo: number) => JSON.stringify({ botId: 'st-demo-retail', range: weekBefore(weeksAgo) });
const getUrl = (stack: Stack, weeksAgo: number) =>
  `${stack.url}/graphql?query=${encodeURIComponent(SUMMARY)}&variables=${encodeURIComponent(variables(weeksAgo))}`;
const postBody = (weeksAgo: number) => JSON.stringify({ query: SUMMARY, variables: JSON.parse(variables(weeksAgo)) as unknown });

/** Accept values browsers send by themselves (Chromium's and Firefox's current defaults). */
const IMG_ACCEPT = 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8';
const NAVIGATION_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const URQL_ACCEPT = 'application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed';

interface Attempt {
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body?: (weeksAgo: number) => string;
}

const SIMPLE_REQUESTS: ReadonlyArray<readonly [string, Attempt]> = [
  ['a plain GET (fetch, no headers)', { method: 'GET', headers: {} }],
  ['an <img> GET', { method: 'GET', headers: { accept: IMG_ACCEPT } }],
  ['a link or a GET form (a navigation)', { method: 'GET', headers: { accept: NAVIGATION_ACCEPT } }],
  ['a GET preferring application/json only', { method: 'GET', headers: { accept: 'application/json' } }],
  [
    "another site's script sending urql's GET (the browser adds Sec-Fetch-Site)",
    { method: 'GET', headers: { accept: URQL_ACCEPT, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' } },
  ],
  ['a text/plain POST of a JSON body', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: postBody }],
  [
    'a text/plain POST that asks for GraphQL',
    { method: 'POST', headers: { 'content-type': 'text/plain', accept: URQL_ACCEPT }, body: postBody },
  ],
  [
    'a form POST (urlencoded)',
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: (w) => `query=${encodeURIComponent(SUMMARY)}&variables=${encodeURIComponent(variables(w))}`,
    },
  ],
];

async function send(stack: Stack, attempt: Attempt, weeksAgo: number, extra: Record<string, string> = {}) {
  const url = attempt.method === 'GET' ? getUrl(stack, weeksAgo) : `${stack.url}/graphql`;
  const res = await fetch(url, { method: attempt.method, headers: { ...attempt.headers, ...extra }, body: attempt.body?.(weeksAgo) });
  return { status: res.status, body: (await res.json()) as { errors?: Array<{ message: string; extensions?: { code?: string } }> } };
}

describe('AUTH_MODE=none: an open API, so cross-site simple requests are refused here', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it.each([
    ['outside a browser', {}, 9],
    ['from a same-origin page', { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' }, 10],
  ])("answers urql's GET (Accept preferring application/graphql-response+json) %s, with upstream calls", async (_where, more, weeksAgo) => {
    const get: Attempt = { method: 'GET', headers: { accept: URQL_ACCEPT, ...more } };
    const { result, calls } = await upstreamCallsDuring(stack, () => send(stack, get, weeksAgo));
    expect(result.status).toBe(200);
    expect(result.body.errors).toBeUndefined();
    expect(calls).toBeGreaterThan(0);
  });

  it.each(SIMPLE_REQUESTS)('refuses %s with 400 BAD_REQUEST and no upstream call', async (_name, attempt) => {
    const { result, calls } = await upstreamCallsDuring(stack, () => send(stack, attempt, 11));
    expect(result.status).toBe(400);
    expect(result.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_REQUEST']);
    expect(result.body.errors?.[0]?.message).toMatch(/Cross-Site Request Forgery/);
    expect(calls).toBe(0);
  });

  it('counts the refusals as eg_refusals_total{kind="csrf"}', async () => {
    await send(stack, SIMPLE_REQUESTS[0]![1], 11);
    const metrics = await (await fetch(`${stack.url}/metrics`)).text();
    expect(Number(/^eg_refusals_total\{kind="csrf"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
  });

  it('still serves the landing page request (a GET with no parameters runs nothing)', async () => {
    const res = await fetch(`${stack.url}/graphql`, { headers: { accept: NAVIGATION_ACCEPT } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
  });
});

describe('AUTH_MODE=jwt: a simple request carries no token, so it is refused before anything runs', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: JWT_ENV });
  });
  afterAll(() => stack.close());

  it("refuses urql's GET without a token with 401 and no upstream call, and answers it with one", async () => {
    const attempt: Attempt = { method: 'GET', headers: { accept: URQL_ACCEPT } };
    const anonymous = await upstreamCallsDuring(stack, () => send(stack, attempt, 20));
    expect(anonymous.result.status).toBe(401);
    expect(anonymous.result.body.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(anonymous.calls).toBe(0);
    const withToken = await upstreamCallsDuring(stack, () => send(stack, attempt, 20, { authorization: `Bearer ${callerToken()}` }));
    expect(withToken.result.status).toBe(200);
    expect(withToken.calls).toBeGreaterThan(0);
  });

  it.each(SIMPLE_REQUESTS)('refuses %s without a token with 401 and no upstream call', async (_name, attempt) => {
    const { result, calls } = await upstreamCallsDuring(stack, () => send(stack, attempt, 21));
    expect(result.status).toBe(401);
    expect(calls).toBe(0);
  });
});
