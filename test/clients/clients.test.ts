import { createHash } from 'node:crypto';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { createPersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { cacheExchange, createClient, fetchExchange } from '@urql/core';
import { GraphQLClient, request } from 'graphql-request';
import type { TrendSummaryQuery, TrendSummaryQueryVariables } from '../generated/operations';
import { startStack, type Stack } from '../helpers/stack';
import { recordRequests, SUMMARY, upstreamCallsDuring, weekBefore, withoutTypename, type SeenRequest } from './recorder';

/**
 * The three common clients, each with its defaults, against a real stack and the built-in upstream.
 * Each must get the API's numbers, that is the same data a plain JSON POST of the same operation
 * gets; the plain POST then costs no upstream call, so the client asked the very same question.
 * The requests each client really sent are recorded (./recorder.ts), so "its defaults" is checked,
 * not assumed: urql sends a GET without any preflight-forcing header.
 */

let stack: Stack;
let seen: SeenRequest[];
beforeAll(async () => {
  stack = await startStack();
  seen = recordRequests(stack);
});
afterAll(() => stack.close());
beforeEach(() => {
  seen.length = 0;
});

const endpoint = () => `${stack.url}/graphql`;
const variables = (weeksAgo: number): TrendSummaryQueryVariables => ({ botId: 'st-demo-retail', range: weekBefore(weeksAgo) });

/** The client's data must equal a plain POST's, and the plain POST must be answered without asking upstream again. */
async function expectTheApiNumbers(data: unknown, vars: TrendSummaryQueryVariables, clientCalls: number): Promise<void> {
  expect(clientCalls).toBeGreaterThan(0);
  const plain = await upstreamCallsDuring(stack, () => stack.gql<TrendSummaryQuery>(SUMMARY, vars));
  expect(plain.result.body.errors).toBeUndefined();
  const trend = plain.result.body.data!.engagementTrend!;
  expect(trend.summary!.uniqueUsers).toBeGreaterThan(0);
  expect(withoutTypename(data)).toEqual(plain.result.body.data);
  expect(plain.calls).toBe(0);
}

const graphqlRequests = () => seen.filter((r) => r.path === '/graphql');

describe('Apollo Client 4 (HttpLink, InMemoryCache, default options)', () => {
  it('gets the API numbers over a JSON POST', async () => {
    const client = new ApolloClient({ link: new HttpLink({ uri: endpoint() }), cache: new InMemoryCache() });
    const vars = variables(3);
    const { result, calls } = await upstreamCallsDuring(stack, () =>
      client.query<TrendSummaryQuery, TrendSummaryQueryVariables>({ query: gql(SUMMARY), variables: vars }),
    );
    expect(result.error).toBeUndefined();
    expect(graphqlRequests().map((r) => [r.method, r.headers['content-type'], r.status])).toEqual([['POST', 'application/json', 200]]);
    await expectTheApiNumbers(result.data, vars, calls);
  });

  it('sends automatic persisted queries as GETs with only the hash once the API knows it', async () => {
    const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
    const link = () => createPersistedQueryLink({ sha256, useGETForHashedQueries: true }).concat(new HttpLink({ uri: endpoint() }));
    const vars = variables(4);
    const query = gql(SUMMARY);
    // Two clients, two caches: the second cannot answer from its own cache, it must ask the API.
    const first = new ApolloClient({ link: link(), cache: new InMemoryCache() });
    const second = new ApolloClient({ link: link(), cache: new InMemoryCache() });

    const { result, calls } = await upstreamCallsDuring(stack, () => first.query({ query, variables: vars }));
    expect(result.error).toBeUndefined();
    const again = await upstreamCallsDuring(stack, () => second.query({ query, variables: vars }));
    expect(again.result.error).toBeUndefined();
    expect(again.result.data).toEqual(result.data);

    const requests = graphqlRequests();
    const hashOf = (r: SeenRequest) =>
      (JSON.parse(r.params.get('extensions') ?? '{}') as { persistedQuery?: { sha256Hash?: string } }).persistedQuery?.sha256Hash;
    // The unknown hash (a GET), the full text (a POST), then the hash alone (a GET), answered.
    expect(requests.map((r) => r.method)).toEqual(['GET', 'POST', 'GET']);
    const [unknown, , hashed] = requests;
    for (const get of [unknown!, hashed!]) {
      expect(get.params.has('query')).toBe(false);
      // Apollo Client keeps its JSON content type on GETs, so a browser would preflight them.
      expect(get.headers['content-type']).toBe('application/json');
      expect(hashOf(get)).toMatch(/^[0-9a-f]{64}$/);
      expect(get.status).toBe(200);
    }
    expect(hashOf(hashed!)).toBe(hashOf(unknown!));
    expect(again.calls).toBe(0);
    await expectTheApiNumbers(again.result.data, vars, calls);
  });
});

describe('urql (@urql/core createClient with its defaults)', () => {
  it('sends the query as a GET without a preflight header, and gets the API numbers', async () => {
    const client = createClient({ url: endpoint(), exchanges: [cacheExchange, fetchExchange] });
    const vars = variables(5);
    const { result, calls } = await upstreamCallsDuring(stack, () => client.query<TrendSummaryQuery>(SUMMARY, vars).toPromise());
    expect(result.error).toBeUndefined();
    const [sent, ...rest] = graphqlRequests();
    expect(rest).toEqual([]);
    expect(sent!.method).toBe('GET');
    expect(sent!.params.get('query')).toContain('query TrendSummary');
    expect(sent!.headers['apollo-require-preflight']).toBeUndefined();
    expect(sent!.headers['x-apollo-operation-name']).toBeUndefined();
    expect(sent!.headers['content-type']).toBeUndefined();
    expect(sent!.headers.accept).toMatch(/^application\/graphql-response\+json\b/);
    expect(sent!.status).toBe(200);
    await expectTheApiNumbers(result.data, vars, calls);
  });
});

describe('graphql-request (request and GraphQLClient with their defaults)', () => {
  it('request() gets the API numbers over a JSON POST', async () => {
    const vars = variables(6);
    const { result, calls } = await upstreamCallsDuring(stack, () => request<TrendSummaryQuery>(endpoint(), SUMMARY, vars));
    expect(graphqlRequests().map((r) => [r.method, r.status])).toEqual([['POST', 200]]);
    await expectTheApiNumbers(result, vars, calls);
  });

  it('GraphQLClient.request() gets the API numbers over a JSON POST', async () => {
    const vars = variables(7);
    const client = new GraphQLClient(endpoint());
    const { result, calls } = await upstreamCallsDuring(stack, () => client.request<TrendSummaryQuery>(SUMMARY, vars));
    expect(graphqlRequests().map((r) => [r.method, r.status])).toEqual([['POST', 200]]);
    await expectTheApiNumbers(result, vars, calls);
  });
});
