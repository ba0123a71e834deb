import { composeServices } from '@apollo/composition';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { DEMO_BOTS, type BotProfile } from '../../src/emulator/world';
import { startFakeUpstream } from '../helpers/fake-upstream';
import { startStack, trendCalls, type Stack } from '../helpers/stack';
import { testNow } from '../helpers/clock';

/**
 * Engagement Graph as a Federation 2 subgraph: composed with a second subgraph that owns bots,
 * served by a gateway nobody configured by hand, and counted at the upstream.
 */

const EXTRA_BOTS: BotProfile[] = [
  { ...DEMO_BOTS[0], id: 'st-demo-grocery', sessionsPerDay: 70 },
  { ...DEMO_BOTS[1], id: 'st-demo-insurance', sessionsPerDay: 40 },
];
const IDS = [...DEMO_BOTS.map((b) => b.id), ...EXTRA_BOTS.map((b) => b.id)]; // 5 distinct bots

let stack: Stack;
let botsServer: ApolloServer;
let botsUrl: string;
let gateway: ApolloServer;
let gatewayUrl: string;

const BOTS_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Query { bots: [Bot!]! }
  type Bot @key(fields: "id") { id: ID! name: String! }
`;
// 20 placements of 5 bots, as a dashboard listing would hold them.
const PLACEMENTS = Array.from({ length: 20 }, (_, i) => IDS[i % IDS.length]);

beforeAll(async () => {
  // Cache off: each test counts the calls of its own operation.
  stack = await startStack({ emulator: { bots: [...DEMO_BOTS, ...EXTRA_BOTS] }, env: { CACHE_MAX_BYTES: '0' } });
  botsServer = new ApolloServer({
    plugins: [ApolloServerPluginInlineTraceDisabled()],
    schema: buildSubgraphSchema([
      {
        typeDefs: parse(BOTS_SDL),
        resolvers: {
          Query: { bots: () => PLACEMENTS.map((id) => ({ id })) },
          Bot: { name: (bot: { id: string }) => `Bot ${bot.id}`, __resolveReference: (ref: { id: string }) => ref },
        },
      },
    ]),
  });
  botsUrl = (await startStandaloneServer(botsServer, { listen: { port: 0, host: '127.0.0.1' } })).url;

  // Composition from what each subgraph itself says it is: { _service { sdl } }.
  const sdlOf = async (url: string) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ _service { sdl } }' }),
    });
    return ((await res.json()) as { data: { _service: { sdl: string } } }).data._service.sdl;
  };
  const composed = composeServices([
    { name: 'engagement', url: `${stack.url}/graphql`, typeDefs: parse(await sdlOf(`${stack.url}/graphql`)) },
    { name: 'bots', url: botsUrl, typeDefs: parse(await sdlOf(botsUrl)) },
  ]);
  if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
  gateway = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl: composed.supergraphSdl }) });
  gatewayUrl = (await startStandaloneServer(gateway, { listen: { port: 0, host: '127.0.0.1' } })).url;
});

afterAll(async () => {
  await gateway?.stop();
  await botsServer?.stop();
  await stack?.close();
});

const today = todayIn('UTC', testNow()); // the stacks' clock (test/helpers/clock.ts)
const RANGE = { start: isoDate(today - 14), end: isoDate(today - 1) };

async function viaGateway<T>(query: string, variables: Record<string, unknown> = {}): Promise<{ data?: T; errors?: unknown[] }> {
  const res = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: T; errors?: unknown[] };
}

type BotsResult = {
  bots: Array<{
    id: string;
    name: string;
    engagementTrend: { summary: { uniqueUsers: number }; series: { uniqueUsers: Array<{ date: string; users: number }> } };
  }>;
};

describe('Engagement Graph in a supergraph', () => {
  it('answers { _service { sdl } } with the @key entity and the federation link', async () => {
    const { body } = await stack.gql<{ _service: { sdl: string } }>('{ _service { sdl } }');
    expect(body.data?._service.sdl).toMatch(/type Bot\s+@key\(fields: "id"\)/);
    expect(body.data?._service.sdl).toContain(
      '@link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])',
    );
  });

  it('serves 20 bots (5 distinct) end to end through the gateway with exactly 5 upstream calls', async () => {
    const from = stack.emulator!.calls.length;
    const result = await viaGateway<BotsResult>(
      `query($r: DateRangeInput!) { bots { id name engagementTrend(range: $r) { summary { uniqueUsers } series { uniqueUsers { date users } } } } }`,
      { r: RANGE },
    );
    expect(result.errors).toBeUndefined();
    const bots = result.data!.bots;
    expect(bots).toHaveLength(20);
    expect(trendCalls(stack.emulator!, from)).toHaveLength(5);
    expect(new Set(trendCalls(stack.emulator!, from).map((c) => c.botId))).toEqual(new Set(IDS));

    // The numbers are the subgraph's own answers for each bot.
    for (const id of IDS) {
      const direct = await stack.gql<{ engagementTrend: { summary: { uniqueUsers: number }; series: { uniqueUsers: unknown[] } } }>(
        `query($r: DateRangeInput!) { engagementTrend(botId: "${id}", range: $r) { summary { uniqueUsers } series { uniqueUsers { date users } } } }`,
        { r: RANGE },
      );
      for (const bot of bots.filter((b) => b.id === id)) {
        expect(bot.name).toBe(`Bot ${id}`);
        expect(bot.engagementTrend).toEqual(direct.body.data?.engagementTrend);
      }
      expect(direct.body.data?.engagementTrend.series.uniqueUsers).toHaveLength(14);
    }
  });

  it('resolves _entities through the request loaders: 50 representations of 10 (bot, range) questions → 10 calls', async () => {
    const reps = Array.from({ length: 50 }, (_, i) => ({ __typename: 'Bot', id: IDS[i % 5] }));
    const from = stack.emulator!.calls.length;
    const { body } = await stack.gql<{
      _entities: Array<{ id: string; a: { summary: { newUsers: number } }; b: { summary: { newUsers: number } } }>;
    }>(
      `query($reps: [_Any!]!, $r1: DateRangeInput!, $r2: DateRangeInput!) { _entities(representations: $reps) { ... on Bot {
        id a: engagementTrend(range: $r1) { summary { newUsers } } b: engagementTrend(range: $r2) { summary { newUsers } } } } }`,
      { reps, r1: RANGE, r2: { start: isoDate(today - 3), end: isoDate(today - 1) } },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?._entities).toHaveLength(50);
    expect(body.data?._entities.map((e) => e.id)).toEqual(reps.map((r) => r.id));
    expect(trendCalls(stack.emulator!, from)).toHaveLength(10);
  });

  it('validates entity fields like any other: a bad bot id in a representation is BAD_USER_INPUT at no cost', async () => {
    const from = stack.emulator!.calls.length;
    const { body } = await stack.gql(
      `query($r: DateRangeInput!) { _entities(representations: [{ __typename: "Bot", id: "../etc" }]) { ... on Bot { engagementTrend(range: $r) { summary { uniqueUsers } } } } }`,
      { r: RANGE },
    );
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(trendCalls(stack.emulator!, from)).toHaveLength(0);
  });

  it('Query.bot reaches the same engagement directly', async () => {
    const { body } = await stack.gql<{ bot: { id: string; engagementTrend: { range: { days: number } } } }>(
      `query($r: DateRangeInput!) { bot(id: "st-demo-travel") { id engagementTrend(range: $r) { range { days } } } }`,
      { r: RANGE },
    );
    expect(body.data?.bot).toEqual({ id: 'st-demo-travel', engagementTrend: { range: { days: 14 } } });
  });
});

describe('entity batching against a slow upstream', () => {
  it('runs distinct calls with bounded concurrency, not all at once and not one by one', async () => {
    let inFlight = 0;
    let peak = 0;
    const fake = await startFakeUpstream(async () => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, 50));
      inFlight--;
      return {
        body: {
          summary: {
            uniqueUsers: 1,
            newUsers: 1,
            returningUsers: 0,
            avgUniqueUsersPerDay: 1,
            avgNewUsersPerDay: 1,
            avgReturningUsersPerDay: 0,
          },
          uniqueUsersTrend: { dataPoints: [] },
          newUsersTrend: { dataPoints: [] },
        },
      };
    });
    const slow = await startStack({
      upstreamUrl: fake.url,
      env: { KORE_HOST: fake.url, KORE_CLIENT_ID: 'cs', KORE_CLIENT_SECRET: 's', UPSTREAM_CONCURRENCY: '4', CACHE_MAX_BYTES: '0' },
    });
    try {
      const reps = Array.from({ length: 24 }, (_, i) => ({ __typename: 'Bot', id: `st-bot-${i % 12}` }));
      const started = Date.now();
      const { body } = await slow.gql(
        `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Bot { engagementTrend(range: { start: "2025-12-01", end: "2025-12-02" }) { summary { uniqueUsers } } } } }`,
        { reps },
      );
      const elapsed = Date.now() - started;
      expect(body.errors).toBeUndefined();
      expect(fake.requests).toHaveLength(12);
      expect(peak).toBe(4);
      expect(elapsed).toBeGreaterThanOrEqual(3 * 50 - 10); // 12 calls / 4 at a time, not all at once
    } finally {
      await slow.close();
      await fake.close();
    }
  });
});
